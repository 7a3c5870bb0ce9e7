package authres

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// FieldName is the header field this package reads (RFC 8601 section 2).
const FieldName = "Authentication-Results"

// Headers is the part of a message header Check reads; go-message's
// message.Header and textproto.Header have it. Values returns every value
// of the field, topmost first.
type Headers interface {
	Values(key string) []string
}

// Policy says which reports Check believes.
type Policy struct {
	// TrustedIDs are the authserv-ids of the receiving MTA (compared
	// case-insensitively, ASCII only). Every Authentication-Results field
	// that starts with one of them is believed, so the MTA must remove such
	// fields from incoming mail (see the package documentation).
	TrustedIDs []string
	// ExchangeInternal accepts mail that Exchange Online marks as sent by
	// an authenticated user of the organisation. Safe only for a mailbox in
	// Exchange Online reached through Exchange alone (package doc).
	ExchangeInternal bool
}

// Verdict is Check's answer.
type Verdict struct {
	// Pass reports that the From domain is authenticated.
	Pass bool
	// Method is what decided: "dkim", "spf", "dmarc" or "exchange-internal";
	// "dmarc" also for a refusal caused by dmarc=fail; "" otherwise.
	Method string
	// Domain is the authenticated domain (the signer, the envelope domain,
	// or the From domain itself); "" when nothing passed.
	Domain string
	// Reason says in one line why the mail passed or did not, fit for a
	// log attribute and a refusal: domains, method names and server names
	// only, never a raw header.
	Reason string
}

// Check decides whether the From domain of a message is authenticated by
// the receiving MTA's Authentication-Results fields, or by Exchange
// Online's organisation headers when p.ExchangeInternal is set. The rules
// are in the package documentation.
func Check(h Headers, fromDomain string, p Policy) Verdict {
	from, ok := canonicalDomain(fromDomain)
	if !ok {
		return Verdict{Reason: "the From address has no usable domain"}
	}
	if !hasTrustedID(p.TrustedIDs) && !p.ExchangeInternal {
		return Verdict{Reason: "no trusted authserv-id is configured, so no Authentication-Results header is believed"}
	}
	ev := evaluate(h.Values(FieldName), from, p.TrustedIDs)
	if ev.veto != "" {
		return Verdict{Method: "dmarc", Reason: ev.veto}
	}
	if ev.pass.Pass {
		return ev.pass
	}
	why := ev.failure(from, p.TrustedIDs)
	if p.ExchangeInternal {
		v, problem := exchangeInternal(h, from)
		if v.Pass {
			return v
		}
		why += "; not Exchange-internal: " + problem
	}
	return Verdict{Reason: why}
}

func hasTrustedID(ids []string) bool {
	for _, id := range ids {
		if strings.TrimSpace(id) != "" {
			return true
		}
	}
	return false
}

// evaluation gathers what the trusted fields of one message say.
type evaluation struct {
	trusted    int // fields from a trusted server, readable
	unreadable int // fields from a trusted server that failed to parse
	foreign    int // fields from other servers or without an authserv-id
	pass       Verdict
	rank       int    // strength of pass: dmarc 3, dkim 2, spf 1
	veto       string // reason for a refusal by dmarc=fail, or ""
	notes      []string
}

// maxNotes bounds the findings a refusal lists, so Reason stays one line.
const maxNotes = 4

func evaluate(values []string, from string, ids []string) *evaluation {
	ev := &evaluation{}
	for _, raw := range values {
		id, ok := trustedID(raw, ids)
		if !ok {
			ev.foreign++
			continue
		}
		h, err := Parse(raw)
		if err != nil || !asciiEqualFold(h.ID, id) {
			ev.unreadable++
			continue
		}
		ev.trusted++
		for _, r := range h.Results {
			ev.judge(r, from, id)
		}
	}
	return ev
}

// judge weighs one result of a trusted field.
func (ev *evaluation) judge(r Result, from, id string) {
	var domain, problem string
	var rank int
	switch r.Method {
	case "dkim":
		domain, problem = dkimDomain(r)
		rank = 2
	case "spf":
		domain, problem = spfDomain(r)
		rank = 1
	case "dmarc":
		if r.Result == "fail" && dmarcConcerns(r, from) {
			if ev.veto == "" {
				ev.veto = fmt.Sprintf("dmarc=fail for %s reported by %s", from, id)
			}
			return
		}
		domain, problem = dmarcDomain(r)
		rank = 3
	default:
		return // arc, iprev, auth, compauth, … say nothing about From
	}
	label := r.Method + "=" + clip(r.Result)
	switch {
	case r.Result != "pass":
		ev.note(label + forDomain(domain))
	case problem != "":
		ev.note(label + " with " + problem)
	case !matches(r.Method, domain, from):
		ev.note(label + " for " + domain + " (not aligned)")
	case rank > ev.rank:
		ev.rank = rank
		ev.pass = Verdict{Pass: true, Method: r.Method, Domain: domain, Reason: passReason(label, domain, from, id)}
	}
}

// matches applies the alignment each method needs: DMARC has already
// compared the From domain itself, so its header.from must equal it; DKIM
// and SPF identities need relaxed alignment (RFC 7489 section 3.1).
func matches(method, domain, from string) bool {
	if method == "dmarc" {
		return domain == from
	}
	return aligned(domain, from)
}

func passReason(label, domain, from, id string) string {
	if domain == from {
		return fmt.Sprintf("%s for %s reported by %s", label, domain, id)
	}
	return fmt.Sprintf("%s for %s, aligned with the From domain %s, reported by %s", label, domain, from, id)
}

func forDomain(domain string) string {
	if domain == "" {
		return ""
	}
	return " for " + domain
}

func (ev *evaluation) note(s string) {
	ev.notes = append(ev.notes, s)
}

// failure explains, in one line, why nothing passed.
func (ev *evaluation) failure(from string, ids []string) string {
	servers := strings.Join(trimmedIDs(ids), ", ")
	var b strings.Builder
	switch {
	case !hasTrustedID(ids):
		b.WriteString("no trusted authserv-id is configured")
	case ev.trusted == 0:
		fmt.Fprintf(&b, "no Authentication-Results header from %s", servers)
	default:
		fmt.Fprintf(&b, "no aligned dkim, spf or dmarc pass for %s from %s", from, servers)
		if len(ev.notes) > 0 {
			b.WriteString(": ")
			b.WriteString(strings.Join(firstNotes(ev.notes), "; "))
		}
	}
	if ev.unreadable > 0 {
		fmt.Fprintf(&b, "; %d unreadable header(s) from %s ignored", ev.unreadable, servers)
	}
	if ev.foreign > 0 && hasTrustedID(ids) {
		fmt.Fprintf(&b, "; %d header(s) from other servers ignored", ev.foreign)
	}
	return b.String()
}

func firstNotes(notes []string) []string {
	if len(notes) <= maxNotes {
		return notes
	}
	out := append([]string(nil), notes[:maxNotes]...)
	return append(out, fmt.Sprintf("and %d more", len(notes)-maxNotes))
}

func trimmedIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// clip bounds a result keyword written by the MTA before it goes into a
// Reason; keywords are letters, digits and hyphens already.
func clip(s string) string {
	const max = 20
	if len(s) > max {
		return s[:max]
	}
	return s
}

// trustedID reports which trusted authserv-id the raw field value starts
// with. The test is deliberately plain — optional white space, the ID in
// ASCII case-insensitive form, then white space, ";", "(" or the end — so
// that the MTA rule in testdata/postfix_header_checks removes exactly the
// incoming fields this accepts. A field that names the ID only after a
// comment, in quotes, or with look-alike Unicode letters is not trusted;
// no MTA writes its own that way.
func trustedID(raw string, ids []string) (string, bool) {
	s := strings.TrimLeft(raw, " \t\r\n")
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" || len(s) < len(id) || !asciiEqualFold(s[:len(id)], id) {
			continue
		}
		if len(s) == len(id) || strings.IndexByte(" \t\r\n;(", s[len(id)]) >= 0 {
			return id, true
		}
	}
	return "", false
}

// asciiEqualFold is strings.EqualFold without Unicode folding, which would
// let the Kelvin sign "\u212a" stand for "k" where the MTA's
// ASCII-only pattern does not.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// dkimDomain returns the signing domain of a DKIM result: header.d, else
// the domain of header.i (RFC 8601 section 2.7.1). When both are given
// the identity must lie within the signing domain (RFC 6376 section
// 3.5, "i="), or the result is not used.
func dkimDomain(r Result) (domain, problem string) {
	if key := strayAddress(r, "header.i"); key != "" {
		return "", "an address in " + key
	}
	d, hasD := r.Props["header.d"]
	i, hasI := r.Props["header.i"]
	identity, identityOK := canonicalDomain(domainOf(i))
	if !hasD {
		if hasI && identityOK {
			return identity, ""
		}
		return "", "no usable header.d or header.i"
	}
	signer, ok := canonicalDomain(d)
	if !ok {
		return "", "an unusable header.d"
	}
	if hasI && !(identityOK && (identity == signer || strings.HasSuffix(identity, "."+signer))) {
		return "", "header.i outside header.d " + signer
	}
	return signer, ""
}

// spfDomain returns the domain SPF authorised: the one of smtp.mailfrom.
// smtp.helo is not used: a HELO pass says only that the host may call
// itself that name, and DMARC aligns SPF through the MAIL FROM identity
// alone (RFC 7489 section 3.1.2).
func spfDomain(r Result) (domain, problem string) {
	if key := strayAddress(r, "smtp.mailfrom"); key != "" {
		return "", "an address in " + key
	}
	v, ok := r.Props["smtp.mailfrom"]
	if !ok {
		return "", "no smtp.mailfrom"
	}
	d, ok := canonicalDomain(domainOf(v))
	if !ok {
		return "", "an unusable smtp.mailfrom"
	}
	return d, ""
}

// dmarcDomain returns the From domain DMARC evaluated: header.from.
func dmarcDomain(r Result) (domain, problem string) {
	if key := strayAddress(r, "header.from"); key != "" {
		return "", "an address in " + key
	}
	d, ok := canonicalDomain(domainOf(r.Props["header.from"]))
	if !ok {
		return "", "no usable header.from"
	}
	return d, ""
}

// dmarcConcerns reports whether a DMARC result is about this From domain.
// Without a readable header.from it is taken to be: a trusted server's
// dmarc=fail is never discarded for want of a detail.
func dmarcConcerns(r Result, from string) bool {
	d, ok := canonicalDomain(domainOf(r.Props["header.from"]))
	return !ok || d == from
}

// strayAddress returns the first property (or the reason) other than
// allowed whose value holds an "@". Only the identity property of a method
// carries an address; an "@" elsewhere is what an envelope address copied
// unquoted into the field leaves behind, so the result is not used.
func strayAddress(r Result, allowed string) string {
	if strings.Contains(r.Reason, "@") {
		return "reason"
	}
	for key, v := range r.Props {
		if key != allowed && strings.Contains(v, "@") {
			return key
		}
	}
	return ""
}

// domainOf returns the part after the last "@" of an address, or the
// value itself when it has none (a bare domain, as OpenDMARC writes
// smtp.mailfrom).
func domainOf(v string) string {
	return v[strings.LastIndexByte(v, '@')+1:]
}

// aligned applies DMARC's relaxed alignment (RFC 7489 section 3.1.1): the
// two domains have the same organisational domain, found with the Public
// Suffix List, so mail.clinic.example and clinic.example align while
// evil.co.uk and clinic.co.uk do not.
func aligned(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	orgA, err := publicsuffix.EffectiveTLDPlusOne(a)
	if err != nil {
		return false
	}
	orgB, err := publicsuffix.EffectiveTLDPlusOne(b)
	if err != nil {
		return false
	}
	return orgA == orgB
}

// canonicalDomain lowercases a domain, converts an internationalised one
// to its A-label form and drops a final dot. It refuses anything that is
// not a host name of at least two labels, so a value that went through
// the parser oddly never aligns, and what reaches a Reason is plain.
func canonicalDomain(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii, err := idna.Lookup.ToASCII(s)
			if err != nil {
				return "", false
			}
			s = ascii
			break
		}
	}
	s = strings.ToLower(s)
	if len(s) > 253 {
		return "", false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if !validLabel(l) {
			return "", false
		}
	}
	return s, !isDigits(labels[len(labels)-1])
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !('a' <= c && c <= 'z' || isDigit(c) || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}
