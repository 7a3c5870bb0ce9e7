// Package authres decides whether the From of an incoming mail is
// authenticated, from the Authentication-Results fields (RFC 8601) that the
// receiving MTA wrote, or from the organisation headers of Exchange Online.
// It is pure: header values in, a Verdict out; no I/O, no logging.
//
// # Parsing
//
// Parse is a tokenizer for the grammar of RFC 8601 section 2.2: CFWS
// (comments that nest and hold quoted-pairs) anywhere the grammar allows
// it, quoted-string values, the optional authserv-id version, "none",
// method versions, "reason=" and ptype.property=pvalue. Comments and quoted
// strings are consumed whole before any ";" is looked at. Splitting on ";"
// first, as mailflow did and as github.com/emersion/go-msgauth v0.7.0's
// authres.Parse still does (its parse.go: "TODO: ignore header comments"),
// cuts OpenDKIM's "dkim=pass (2048-bit key; unprotected) header.d=…" in two
// and reads a "; dkim=pass header.d=…" hidden in a comment, a quoted value
// or a quoted local part as a result of its own. A field without an
// authserv-id, as Exchange Online writes it, parses with NoAuthServID set
// and an empty ID.
//
// # Trust
//
// Every Authentication-Results field whose authserv-id is one of
// Policy.TrustedIDs counts, and together they form one verdict: OpenDKIM,
// OpenDMARC and Fastmail write one field per method, in any order. Fields
// with other IDs, or none, are ignored. RFC 8601 section 5 makes the MTA
// remove fields carrying its own ID from incoming mail, so every field that
// remains with that ID is its own — and a forged one that the MTA let
// through, above or below its own, is trusted just the same. Removing them
// is the MTA's job, and by default OpenDKIM removes only forged DKIM
// results and OpenDMARC nothing: the README gives the rules, and
// testdata/postfix_header_checks holds the Postfix one this package is
// tested against. To keep that rule simple and exact, a field is trusted
// only when its value starts with the ID itself (after white space),
// followed by white space, ";", "(" or the end, compared ASCII
// case-insensitively; an ID in quotes or after a comment is not trusted.
//
// # Rules
//
// The mail passes when a trusted field shows
//   - dkim=pass whose signing domain (header.d, else the domain of
//     header.i) is aligned with the From domain;
//   - spf=pass whose smtp.mailfrom domain is aligned with it (smtp.helo
//     never counts: DMARC aligns SPF through the MAIL FROM identity only,
//     RFC 7489 section 4.1); or
//   - dmarc=pass whose header.from is the From domain.
//
// Aligned means relaxed alignment (RFC 7489 section 3.1): the same
// organisational domain by the Public Suffix List, so mail.clinic.example
// and clinic.example align while evil.co.uk and clinic.co.uk do not. A
// fail of one method does not hide a pass of another, except that a trusted
// dmarc=fail for the From domain refuses the mail whatever else passed.
// arc results never count: they report what an earlier hop saw.
//
// A result is not used when its values cannot all be what its server wrote:
// a header.d that is not a host name, a header.i outside header.d, or an
// "@" in any property other than the method's own identity (header.i,
// smtp.mailfrom, header.from). The last guard is for MTAs that copy an
// envelope address into the field without quoting its local part: then
// the sender writes part of the field's syntax, and "x; dkim=pass
// header.d=clinic.example"@evil.example leaves its "@evil.example" glued to
// a property of the injected result. A careful attacker can still land that
// "@" on a third, harmless result. No parser can undo an MTA that writes
// unquoted sender text, in a property or in a comment (where a ")" in the
// local part closes the comment early), so such an MTA must not be trusted.
// In the samples this package is modelled on, OpenDMARC and Exchange write
// the envelope domain alone, rspamd and Gmail quote local parts that are not
// plain atoms, OpenDKIM writes no envelope address, and policyd-spf copies
// the envelope sender into a comment, which is safe only if it escapes
// parentheses there.
//
// # Exchange Online
//
// Exchange Online writes Authentication-Results without an authserv-id, so
// none can be trusted by ID. With Policy.ExchangeInternal, Check accepts
// instead the organisation headers Exchange stamps on mail that a user of
// the organisation submitted after authenticating (Outlook, OWA, SMTP
// AUTH): exactly one "X-MS-Exchange-Organization-AuthAs: Internal", exactly
// one X-MS-Exchange-Organization-AuthSource naming the server that
// authenticated the submitter, and, when present,
// "X-MS-Exchange-Organization-MessageDirectionality: Originating". Exchange's
// header firewall removes X-MS-Exchange-Organization-* headers from mail
// that enters the organisation from an untrusted source, so a sender outside
// cannot supply them ("Understanding Header Firewall", Exchange Server 2010,
// https://learn.microsoft.com/previous-versions/office/exchange-server-2010/bb232136(v=exchg.141));
// for Exchange Online, the Exchange Team blog "Demystifying and
// troubleshooting hybrid mail flow: when is a message internal?" (27 May
// 2020, https://techcommunity.microsoft.com/t5/exchange-team-blog/demystifying-and-troubleshooting-hybrid-mail-flow-when-is-a/ba-p/1420838)
// describes the same firewall between organisations and the
// MessageDirectionality header.
//
// This is safe only when:
//   - the mailbox mailflow reads is an Exchange Online mailbox of that
//     organisation, and mail reaches it only through Exchange Online. Mail
//     that reaches a mailbox through any other MTA (a Postfix or Dovecot
//     server, a forwarder, a list) can carry these headers verbatim: any
//     Exchange organisation stamps them on its own users' mail, and anyone
//     can write them by hand;
//   - every sender Exchange counts as internal may speak for the From
//     address. That is every authenticated user (Exchange enforces Send As
//     and Send on Behalf rights on the From) but also whatever the
//     organisation's inbound connectors accept as its own: hybrid on-premises
//     servers, and relays, scanners and applications allowed in as the
//     organisation, which can write any From. Mail an on-premises server
//     relays through the tenant keeps the AuthAs it had there ("Advanced
//     Office 365 Routing: Locking Down Exchange On-Premises when MX points
//     to Office 365", Exchange Team blog, 15 February 2019).
package authres
