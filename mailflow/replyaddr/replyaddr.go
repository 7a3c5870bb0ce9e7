// Package replyaddr makes and checks signed reply addresses such as
// ehr+a12.axqk3j5f9qz2m4x6b8c@clinic.example. The token names what a mail
// was about (an item, a risk, a digest, a meeting), the day it was issued,
// and carries an HMAC over the project, that thing, that day and the address
// the mail was sent to. A reply that comes back to the token from the same
// address proves that its sender received our mail; a forged From cannot
// produce a matching token, and a token that leaks stops acting once its
// lifetime is over.
package replyaddr

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"
)

// macLen is the number of base32 characters of MAC kept: 16 characters
// are 80 bits, far beyond guessing by mail.
const macLen = 16

// dayLen is the number of base32 characters of the issue day: 15 bits,
// 32768 days from dayEpoch, enough until 2109.
const dayLen = 3

// dayEpoch is day 0 of the issue day. It must never change: every token
// in circulation counts its days from it.
var dayEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

const maxDay = 1<<(5*dayLen) - 1

// MaxLocalPart is the longest local part RFC 5321 4.5.3.1.1 allows, in
// octets. Address never makes a longer one.
const MaxLocalPart = 64

// DefaultLifetime is how long a token acts unless WithLifetime says
// otherwise: long enough to answer a quarterly reminder, short enough that
// a token leaked in a forwarded mail does not act for ever.
const DefaultLifetime = 180 * 24 * time.Hour

// ClockSkew is how far in the future an issue day may lie before Verify
// refuses the token: a day, for a clock that was set back or a token
// issued just after midnight on a faster host.
const ClockSkew = 24 * time.Hour

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Errors from Verify. ErrExpired and ErrFuture say the token was ours but
// may no longer act; the fix for the sender is to reply to a newer mail.
var (
	ErrNoToken   = errors.New("no reply token")
	ErrBadToken  = errors.New("reply token does not match the sender")
	ErrMalformed = errors.New("malformed reply token")
	ErrExpired   = errors.New("reply token has expired: reply to a newer mail from mailflow")
	// ErrFuture wraps ErrBadToken: a token dated after tomorrow was not
	// issued by this clock.
	ErrFuture = fmt.Errorf("%w: dated in the future (is the clock right?)", ErrBadToken)
)

// Signer signs and checks reply tokens with one secret key.
type Signer struct {
	key      []byte
	now      func() time.Time
	lifetime time.Duration
}

// Option sets up a Signer.
type Option func(*Signer)

// WithClock makes the signer read the time from now instead of time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Signer) {
		if now != nil {
			s.now = now
		}
	}
}

// WithLifetime sets how long after its issue day a token acts (default
// DefaultLifetime); zero or less keeps the default. Tokens carry only the
// day, counted from its midnight UTC, so a token acts for at least the
// lifetime less a day and never longer than the lifetime.
func WithLifetime(d time.Duration) Option {
	return func(s *Signer) {
		if d > 0 {
			s.lifetime = d
		}
	}
}

// NewSigner returns a signer; a nil or empty key makes a signer that signs
// nothing and verifies nothing.
func NewSigner(key []byte, opts ...Option) *Signer {
	s := &Signer{key: key, now: time.Now, lifetime: DefaultLifetime}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Enabled reports whether the signer has a key.
func (s *Signer) Enabled() bool { return s != nil && len(s.key) > 0 }

// Lifetime returns how long a token acts.
func (s *Signer) Lifetime() time.Duration { return s.lifetime }

// mac is the MAC of a dated token. The leading "v2" keeps it apart from
// legacyMAC, so no old MAC can pass for a new one.
func (s *Signer) mac(project, thing, day, recipient string) string {
	return s.sum("v2", strings.ToLower(project), strings.ToLower(thing), day, normal(recipient))
}

// legacyMAC is the MAC of the undated tokens issued before tokens expired.
// It is only checked to tell such a token, which no longer acts, from a
// forged one.
func (s *Signer) legacyMAC(project, thing, recipient string) string {
	return s.sum(strings.ToLower(project), strings.ToLower(thing), normal(recipient))
}

// sum is the truncated HMAC of fields, each ended by a NUL but the last.
func (s *Signer) sum(fields ...string) string {
	h := hmac.New(sha256.New, s.key)
	for i, f := range fields {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(f))
	}
	return enc.EncodeToString(h.Sum(nil))[:macLen]
}

func normal(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// dayOf returns the issue day of t, clamped to what the token can hold.
func dayOf(t time.Time) int {
	d := int(t.Sub(dayEpoch) / (24 * time.Hour))
	return min(max(d, 0), maxDay)
}

// encodeDay writes day as dayLen base32 characters, most significant first.
func encodeDay(day int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, dayLen)
	for i := dayLen - 1; i >= 0; i-- {
		b[i] = alphabet[day&31]
		day >>= 5
	}
	return string(b)
}

// decodeDay reads what encodeDay wrote; ok is false for other text.
func decodeDay(s string) (day int, ok bool) {
	if len(s) != dayLen {
		return 0, false
	}
	for _, c := range []byte(s) {
		var v int
		switch {
		case c >= 'a' && c <= 'z':
			v = int(c - 'a')
		case c >= '2' && c <= '7':
			v = int(c-'2') + 26
		default:
			return 0, false
		}
		day = day<<5 | v
	}
	return day, true
}

// Address returns projectAddr with a signed token for thing and recipient,
// dated today ("ehr@x" → "ehr+a12.axqk3j5…@x"). Without a key it returns
// projectAddr, and so it does when the local part would be longer than
// MaxLocalPart octets (a project address of 40 or more characters before
// the @): servers may refuse such an address, and a reply to the plain
// address still works where the mail's DKIM or SPF is trusted. thing must
// be lowercase letters and digits.
func (s *Signer) Address(projectAddr, project, thing, recipient string) string {
	if !s.Enabled() {
		return projectAddr
	}
	local, domain, ok := strings.Cut(projectAddr, "@")
	if !ok {
		return projectAddr
	}
	thing = strings.ToLower(thing)
	day := encodeDay(dayOf(s.now()))
	signed := local + "+" + thing + "." + day + s.mac(project, thing, day, recipient)
	if len(signed) > MaxLocalPart {
		return projectAddr
	}
	return signed + "@" + domain
}

// Find returns the token of the first address in addrs that is projectAddr
// with a "+token" — "" when there is none.
func Find(projectAddr string, addrs []string) string {
	local, domain, ok := strings.Cut(strings.ToLower(projectAddr), "@")
	if !ok {
		return ""
	}
	for _, a := range addrs {
		l, d, ok := strings.Cut(strings.ToLower(strings.Trim(strings.TrimSpace(a), "<>")), "@")
		if !ok || d != domain {
			continue
		}
		base, token, ok := strings.Cut(l, "+")
		if ok && base == local && wellFormed(token) {
			return token
		}
	}
	return ""
}

// wellFormed reports whether token has the shape of ours ("thing.dayMAC",
// or the undated "thing.MAC" of old), so a plain plus-address such as
// ehr+minutes@ is not taken for a forged reply token.
func wellFormed(token string) bool {
	thing, sig, ok := strings.Cut(token, ".")
	if !ok || thing == "" || (len(sig) != macLen && len(sig) != dayLen+macLen) {
		return false
	}
	for _, c := range thing + sig {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Verify checks token for a reply from sender and returns the thing it
// names. A token that matches but was issued longer ago than the lifetime
// is ErrExpired; one dated more than ClockSkew ahead is ErrFuture. An
// undated token from before tokens expired is ErrExpired too when its MAC
// matches: a leaked old token must stop acting, and its sender learns to
// reply to a newer mail.
func (s *Signer) Verify(token, project, sender string) (string, error) {
	if token == "" {
		return "", ErrNoToken
	}
	token = strings.ToLower(token)
	thing, sig, ok := strings.Cut(token, ".")
	if !ok || thing == "" || (len(sig) != macLen && len(sig) != dayLen+macLen) {
		return "", ErrMalformed
	}
	if !s.Enabled() {
		return "", ErrBadToken
	}
	if len(sig) == macLen {
		if !equal(s.legacyMAC(project, thing, sender), sig) {
			return "", ErrBadToken
		}
		return "", ErrExpired
	}
	dayText, mac := sig[:dayLen], sig[dayLen:]
	day, ok := decodeDay(dayText)
	if !ok {
		return "", ErrMalformed
	}
	if !equal(s.mac(project, thing, dayText, sender), mac) {
		return "", ErrBadToken
	}
	issued := dayEpoch.Add(time.Duration(day) * 24 * time.Hour)
	now := s.now()
	switch {
	case issued.Sub(now) > ClockSkew:
		return "", ErrFuture
	case now.Sub(issued) > s.lifetime:
		return "", ErrExpired
	}
	return thing, nil
}

func equal(want, got string) bool {
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// Thing names. Items and risks by number, meetings by id, digests and
// reports by the outbox they came from.
const (
	ThingDigest = "digest"
	ThingStatus = "status"
)

// ItemThing returns the thing name of a ref: "A-12" → "a12".
func ItemThing(ref string) string {
	return strings.ToLower(strings.ReplaceAll(ref, "-", ""))
}

// MeetingThing returns the thing name of a meeting id.
func MeetingThing(id int64) string { return "m" + itoa(id) }

// RefOfThing turns "a12" back into "A-12"; it returns "" for other things.
func RefOfThing(thing string) string {
	if len(thing) < 2 || (thing[0] != 'a' && thing[0] != 'r') {
		return ""
	}
	for _, c := range thing[1:] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	return strings.ToUpper(thing[:1]) + "-" + thing[1:]
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
