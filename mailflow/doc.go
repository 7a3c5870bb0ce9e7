// Package mailflow holds the domain of a project office run by email: the
// meetings, action items, risks, decisions and changes that minutes record,
// the commands that replies carry, and the people who may give them.
//
// Parsing, storage, mail rendering and the IMAP/SMTP plumbing live in
// sub-packages and in the top-level store and templates packages; this
// package only names things so that every stage speaks the same words.
package mailflow
