// Package replyaddr makes and checks signed reply addresses such as
// ehr+a12.k3j5f9qz2m4x6b8c@clinic.example. The token names what a mail was
// about (an item, a risk, a digest, a meeting) and carries an HMAC over the
// project, that thing and the address the mail was sent to. A reply that
// comes back to the token from the same address proves that its sender
// received our mail; a forged From cannot produce a matching token.
package replyaddr

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"strings"
)

// macLen is the number of base32 characters of MAC kept: 16 characters
// are 80 bits, far beyond guessing by mail.
const macLen = 16

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Errors from Verify.
var (
	ErrNoToken   = errors.New("no reply token")
	ErrBadToken  = errors.New("reply token does not match the sender")
	ErrMalformed = errors.New("malformed reply token")
)

// Signer signs and checks reply tokens with one secret key.
type Signer struct {
	key []byte
}

// NewSigner returns a signer; a nil or empty key makes a signer that signs
// nothing and verifies nothing.
func NewSigner(key []byte) *Signer { return &Signer{key: key} }

// Enabled reports whether the signer has a key.
func (s *Signer) Enabled() bool { return s != nil && len(s.key) > 0 }

func (s *Signer) mac(project, thing, recipient string) string {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(strings.ToLower(project)))
	h.Write([]byte{0})
	h.Write([]byte(strings.ToLower(thing)))
	h.Write([]byte{0})
	h.Write([]byte(strings.ToLower(strings.TrimSpace(recipient))))
	return enc.EncodeToString(h.Sum(nil))[:macLen]
}

// Address returns projectAddr with a signed token for thing and recipient
// ("ehr@x" → "ehr+a12.k3j5…@x"). Without a key it returns projectAddr.
// thing must be lowercase letters and digits.
func (s *Signer) Address(projectAddr, project, thing, recipient string) string {
	if !s.Enabled() {
		return projectAddr
	}
	local, domain, ok := strings.Cut(projectAddr, "@")
	if !ok {
		return projectAddr
	}
	return local + "+" + strings.ToLower(thing) + "." + s.mac(project, thing, recipient) + "@" + domain
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

// wellFormed reports whether token has the shape of ours ("thing.mac"),
// so a plain plus-address such as ehr+minutes@ is not taken for a forged
// reply token.
func wellFormed(token string) bool {
	thing, mac, ok := strings.Cut(token, ".")
	if !ok || thing == "" || len(mac) != macLen {
		return false
	}
	for _, c := range thing + mac {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Verify checks token for a reply from sender and returns the thing it names.
func (s *Signer) Verify(token, project, sender string) (string, error) {
	if token == "" {
		return "", ErrNoToken
	}
	thing, mac, ok := strings.Cut(token, ".")
	if !ok || thing == "" || len(mac) != macLen {
		return "", ErrMalformed
	}
	if !s.Enabled() {
		return "", ErrBadToken
	}
	want := s.mac(project, thing, sender)
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(mac))) != 1 {
		return "", ErrBadToken
	}
	return thing, nil
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
