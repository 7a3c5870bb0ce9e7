package authres

import (
	"errors"
	"fmt"
	"strings"
)

// ErrSyntax is wrapped by every error Parse returns: the field does not follow
// the grammar of RFC 8601 section 2.2, so none of its results can be trusted.
var ErrSyntax = errors.New("malformed Authentication-Results")

// Header is one parsed Authentication-Results field.
type Header struct {
	// ID is the authserv-id as written: the receiving server's name
	// (RFC 8601 section 2.5). It is compared case-insensitively.
	ID string
	// Version is the optional authres-version after the ID ("1"), or "".
	Version string
	// NoAuthServID marks a field that starts straight with a result, as
	// Exchange Online writes it ("spf=pass (sender IP is …) smtp.mailfrom=…").
	// ID is then empty: such a field names no server to trust.
	NoAuthServID bool
	// Results holds the method results in the order written. It is empty
	// when the server wrote "none" (it authenticated nothing).
	Results []Result
}

// Result is one resinfo: "dkim=pass (comment) header.d=clinic.example".
type Result struct {
	// Method is the method keyword, lowercased: "dkim", "spf", "dmarc", …
	Method string
	// Result is the result keyword, lowercased: "pass", "fail", "none", …
	Result string
	// Reason is the reasonspec value ("reason=…"), as written.
	Reason string
	// Props maps "ptype.property" (lowercased) to its value, unquoted. The
	// domain part of domain and address values is lowercased; local parts
	// and other values (header.b is base64) keep their case. Exchange's
	// and Fastmail's property-like extras without a ptype ("action=none",
	// "x-bits=2048") are kept under their bare name.
	Props map[string]string
}

// Parse reads the value of one Authentication-Results field (everything
// after the colon; folded or not) with the grammar of RFC 8601 section 2.2.
// Comments (nested, with quoted-pairs) and quoted strings are consumed as
// whole tokens before any ";" is looked at, so a ";" or "dkim=pass" inside
// them is never read as a result. On a syntax error Parse returns the ID
// it had read so far together with an error wrapping ErrSyntax.
func Parse(value string) (Header, error) {
	sc := &scanner{s: value}
	var h Header
	if err := sc.skipCFWS(); err != nil {
		return h, err
	}
	if sc.eof() {
		return h, sc.errorf("empty field")
	}
	start := sc.pos
	quoted := sc.peek() == '"'
	id, err := sc.value()
	if err != nil {
		return h, err
	}
	if id == "" {
		return h, sc.errorf("expected an authserv-id, found %q", sc.peek())
	}
	afterID := sc.pos
	if err := sc.skipCFWS(); err != nil {
		return h, err
	}
	if c := sc.peek(); (c == '=' || c == '/') && !quoted && isKeyword(id) {
		// No authserv-id: the first word was a method (Exchange Online).
		h.NoAuthServID = true
		sc.pos = start
		r, err := sc.result()
		if err != nil {
			return h, err
		}
		h.Results = append(h.Results, r)
		return h, sc.moreResults(&h)
	}
	h.ID = id
	if isDigit(sc.peek()) && sc.pos > afterID {
		h.Version = sc.digits()
		if err := sc.skipCFWS(); err != nil {
			return h, err
		}
	}
	return h, sc.moreResults(&h)
}

// scanner walks a field value byte by byte; every method leaves pos on the
// first byte it did not consume.
type scanner struct {
	s   string
	pos int
}

func (sc *scanner) eof() bool { return sc.pos >= len(sc.s) }

// peek returns the next byte, or 0 at the end.
func (sc *scanner) peek() byte {
	if sc.eof() {
		return 0
	}
	return sc.s[sc.pos]
}

func (sc *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at byte %d", ErrSyntax, fmt.Sprintf(format, args...), sc.pos)
}

// moreResults reads the "; resinfo" list after the authserv-id (or after
// the first result of an ID-less field) up to the end of the value.
func (sc *scanner) moreResults(h *Header) error {
	for {
		if err := sc.skipCFWS(); err != nil {
			return err
		}
		if sc.eof() {
			return nil
		}
		if sc.peek() != ';' {
			return sc.errorf("expected ';', found %q", sc.peek())
		}
		sc.pos++
		if err := sc.skipCFWS(); err != nil {
			return err
		}
		if sc.eof() || sc.peek() == ';' {
			continue // a trailing or doubled ";", as Yahoo writes it
		}
		none, err := sc.noResult()
		if err != nil {
			return err
		}
		if none {
			continue
		}
		r, err := sc.result()
		if err != nil {
			return err
		}
		h.Results = append(h.Results, r)
	}
}

// noResult consumes the special "none" of RFC 8601 section 2.2 (no method
// was evaluated) and reports whether it found it; otherwise it consumes
// nothing.
func (sc *scanner) noResult() (bool, error) {
	save := sc.pos
	if !strings.EqualFold(sc.keyword(), "none") {
		sc.pos = save
		return false, nil
	}
	if err := sc.skipCFWS(); err != nil {
		return false, err
	}
	if sc.eof() || sc.peek() == ';' {
		return true, nil
	}
	sc.pos = save // "none=…" would be a method called none
	return false, nil
}

// result reads one resinfo: methodspec [reasonspec] *propspec.
func (sc *scanner) result() (Result, error) {
	var r Result
	if err := sc.skipCFWS(); err != nil {
		return r, err
	}
	r.Method = strings.ToLower(sc.keyword())
	if r.Method == "" {
		return r, sc.errorf("expected a method, found %q", sc.peek())
	}
	if err := sc.skipCFWS(); err != nil {
		return r, err
	}
	if sc.peek() == '/' {
		if err := sc.methodVersion(); err != nil {
			return r, err
		}
	}
	if sc.peek() != '=' {
		return r, sc.errorf("expected '=' after method %q", r.Method)
	}
	sc.pos++
	if err := sc.skipCFWS(); err != nil {
		return r, err
	}
	r.Result = strings.ToLower(sc.keyword())
	if r.Result == "" {
		return r, sc.errorf("expected a result for method %q", r.Method)
	}
	hasReason := false
	for {
		if err := sc.skipCFWS(); err != nil {
			return r, err
		}
		if sc.eof() || sc.peek() == ';' {
			return r, nil
		}
		name := strings.ToLower(sc.keyword())
		if name == "" {
			return r, sc.errorf("unexpected %q in %s result", sc.peek(), r.Method)
		}
		if err := sc.skipCFWS(); err != nil {
			return r, err
		}
		switch {
		case sc.peek() == '.':
			if err := sc.property(&r, name); err != nil {
				return r, err
			}
		case sc.peek() == '=' && name == "reason":
			if hasReason {
				return r, sc.errorf("second reason in %s result", r.Method)
			}
			sc.pos++
			v, err := sc.pvalue()
			if err != nil {
				return r, err
			}
			r.Reason, hasReason = v, true
		case sc.peek() == '=':
			// Not RFC 8601, but written by Exchange ("action=none") and
			// Fastmail ("x-bits=2048"): keep it under its bare name.
			sc.pos++
			if err := sc.setProperty(&r, name); err != nil {
				return r, err
			}
		default:
			return r, sc.errorf("expected '.' or '=' after %q", name)
		}
	}
}

// methodVersion consumes "/" [CFWS] 1*DIGIT [CFWS] after a method name.
func (sc *scanner) methodVersion() error {
	sc.pos++
	if err := sc.skipCFWS(); err != nil {
		return err
	}
	if sc.digits() == "" {
		return sc.errorf("expected a method version")
	}
	return sc.skipCFWS()
}

// property reads the ".property=pvalue" that follows a ptype.
func (sc *scanner) property(r *Result, ptype string) error {
	sc.pos++ // the "."
	if err := sc.skipCFWS(); err != nil {
		return err
	}
	prop := strings.ToLower(sc.keyword())
	if prop == "" {
		return sc.errorf("expected a property after %q", ptype+".")
	}
	if err := sc.skipCFWS(); err != nil {
		return err
	}
	if sc.peek() != '=' {
		return sc.errorf("expected '=' after %q", ptype+"."+prop)
	}
	sc.pos++
	return sc.setProperty(r, ptype+"."+prop)
}

// setProperty reads a pvalue and stores it under key. A property given
// twice makes the result ambiguous, so it is an error.
func (sc *scanner) setProperty(r *Result, key string) error {
	v, err := sc.pvalue()
	if err != nil {
		return err
	}
	if _, dup := r.Props[key]; dup {
		return sc.errorf("%s given twice in %s result", key, r.Method)
	}
	if r.Props == nil {
		r.Props = make(map[string]string)
	}
	r.Props[key] = normaliseValue(key, v)
	return nil
}

// pvalue reads a property value: a quoted string (possibly the quoted
// local part of an address, `"a b"@example.com`), or a run of bytes up to
// white space, ";" or a comment. The run is wider than RFC 2045's token
// because real servers write "header.b=RgD2Zt5/" and "smtp.remote-ip=::1".
func (sc *scanner) pvalue() (string, error) {
	if err := sc.skipCFWS(); err != nil {
		return "", err
	}
	if sc.peek() != '"' {
		return sc.run(), nil
	}
	q, err := sc.quotedString()
	if err != nil {
		return "", err
	}
	if sc.peek() == '@' {
		sc.pos++
		return q + "@" + sc.run(), nil
	}
	return q, nil
}

// run consumes bytes that may appear in an unquoted pvalue.
func (sc *scanner) run() string {
	start := sc.pos
	for !sc.eof() && isRunByte(sc.s[sc.pos]) {
		sc.pos++
	}
	return sc.s[start:sc.pos]
}

// value reads an RFC 2045 value: a token or a quoted string.
func (sc *scanner) value() (string, error) {
	if sc.peek() == '"' {
		return sc.quotedString()
	}
	start := sc.pos
	for !sc.eof() && isTokenByte(sc.s[sc.pos]) {
		sc.pos++
	}
	return sc.s[start:sc.pos], nil
}

// quotedString reads a quoted string (RFC 5322 section 3.2.4) and returns
// its content with quoted-pairs resolved.
func (sc *scanner) quotedString() (string, error) {
	start := sc.pos
	sc.pos++ // opening quote
	var b strings.Builder
	for !sc.eof() {
		c := sc.s[sc.pos]
		sc.pos++
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if sc.eof() {
				sc.pos = start
				return "", sc.errorf("unterminated quoted string")
			}
			b.WriteByte(sc.s[sc.pos])
			sc.pos++
		default:
			b.WriteByte(c)
		}
	}
	sc.pos = start
	return "", sc.errorf("unterminated quoted string")
}

// skipCFWS skips folding white space and comments (RFC 5322 section
// 3.2.2). Comments nest and may hold quoted-pairs, ";" and quotes; none
// of their content is ever interpreted.
func (sc *scanner) skipCFWS() error {
	for !sc.eof() {
		switch c := sc.s[sc.pos]; {
		case isWSP(c):
			sc.pos++
		case c == '(':
			if err := sc.skipComment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

func (sc *scanner) skipComment() error {
	start := sc.pos
	depth := 0
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case '\\':
			sc.pos++ // the next byte is literal, even a parenthesis
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				sc.pos++
				return nil
			}
		}
		sc.pos++
	}
	sc.pos = start
	return sc.errorf("unterminated comment")
}

// keyword consumes an RFC 5321 Ldh-str: letters, digits and hyphens.
func (sc *scanner) keyword() string {
	start := sc.pos
	for !sc.eof() && isKeywordByte(sc.s[sc.pos]) {
		sc.pos++
	}
	return sc.s[start:sc.pos]
}

func (sc *scanner) digits() string {
	start := sc.pos
	for isDigit(sc.peek()) {
		sc.pos++
	}
	return sc.s[start:sc.pos]
}

func isWSP(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isKeywordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) || c == '-'
}

func isKeyword(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isKeywordByte(s[i]) {
			return false
		}
	}
	return s != ""
}

// isTokenByte reports whether c may appear in an RFC 2045 token. Bytes of
// UTF-8 sequences are allowed, as RFC 8601 permits internationalised IDs.
func isTokenByte(c byte) bool {
	if c >= 0x80 {
		return true
	}
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`()<>@,;:\"/[]?=`, rune(c))
}

func isRunByte(c byte) bool {
	if c >= 0x80 {
		return true
	}
	return c > ' ' && c < 0x7f && !strings.ContainsRune(`;()"\`, rune(c))
}

// addressValued lists the properties that hold a domain or an address; the
// domain part is case-insensitive (RFC 5321 section 2.4), so it is
// lowercased, while a local part keeps its case.
var addressValued = map[string]bool{
	"header.d":      true,
	"header.i":      true,
	"header.from":   true,
	"header.sender": true,
	"smtp.mailfrom": true,
	"smtp.helo":     true,
}

func normaliseValue(key, v string) string {
	if !addressValued[key] {
		return v
	}
	at := strings.LastIndexByte(v, '@')
	return v[:at+1] + strings.ToLower(v[at+1:])
}
