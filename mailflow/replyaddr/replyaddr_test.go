package replyaddr

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// issued is when the tokens of these tests are signed.
var issued = time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC)

// clock is a settable time for a signer.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// signedToken signs thing for recipient at issued, on the clock c of s, and
// returns the token found in the reply address.
func signedToken(t *testing.T, s *Signer, c *clock, projectAddr, project, thing, recipient string) string {
	t.Helper()
	c.t = issued
	addr := s.Address(projectAddr, project, thing, recipient)
	token := Find(projectAddr, []string{addr})
	if token == "" {
		t.Fatalf("Find(%q) found no token", addr)
	}
	return token
}

func TestSignedReplyAddress(t *testing.T) {
	c := &clock{}
	s := NewSigner(testKey, WithClock(c.now))
	c.t = issued
	addr := s.Address("ehr@clinic.example", "EHR", ItemThing("A-12"), "Alice@Clinic.example")
	if !strings.HasPrefix(addr, "ehr+a12.") || !strings.HasSuffix(addr, "@clinic.example") {
		t.Fatalf("address %q", addr)
	}
	token := Find("ehr@clinic.example", []string{"other@clinic.example", strings.ToUpper(addr)})
	if token == "" {
		t.Fatal("token not found")
	}
	tests := []struct {
		name, token, project, sender string
		want                         error
	}{
		{"the recipient", token, "EHR", "alice@clinic.example", nil},
		{"someone else replying", token, "EHR", "bob@clinic.example", ErrBadToken},
		{"another project", token, "Lab", "alice@clinic.example", ErrBadToken},
		{"tampered thing", "a13" + token[3:], "EHR", "alice@clinic.example", ErrBadToken},
		{"no token", "", "EHR", "alice@clinic.example", ErrNoToken},
		{"short mac", "a12.abc", "EHR", "alice@clinic.example", ErrMalformed},
		{"a day that is not base32", "a12.a1b" + token[len(token)-macLen:], "EHR", "alice@clinic.example", ErrMalformed},
	}
	for _, tc := range tests {
		thing, err := s.Verify(tc.token, tc.project, tc.sender)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify(%q) = %v, want %v", tc.name, tc.token, err, tc.want)
		}
		if err == nil && RefOfThing(thing) != "A-12" {
			t.Errorf("%s: thing %q", tc.name, thing)
		}
	}
	if _, err := NewSigner(nil).Verify(token, "EHR", "alice@clinic.example"); !errors.Is(err, ErrBadToken) {
		t.Errorf("a signer without a key verified a token: %v", err)
	}
}

// TestTokenLifetime: a token acts for its lifetime after its issue day,
// not before it (beyond a day of skew) and not after it.
func TestTokenLifetime(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name     string
		lifetime time.Duration // 0: the default
		at       time.Duration // after issued
		want     error
	}{
		{"fresh", 0, 0, nil},
		{"later the same day", 0, 8 * time.Hour, nil},
		{"179 days old", 0, 179 * day, nil},
		{"181 days old", 0, 181 * day, ErrExpired},
		{"three years old", 0, 3 * 365 * day, ErrExpired},
		{"the clock went back an hour", 0, -time.Hour, nil},
		{"the clock went back two days", 0, -2 * day, ErrFuture},
		{"a configured 30 days, 29 days old", 30 * day, 29 * day, nil},
		{"a configured 30 days, 31 days old", 30 * day, 31 * day, ErrExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{}
			s := NewSigner(testKey, WithClock(c.now), WithLifetime(tc.lifetime))
			token := signedToken(t, s, c, "ehr@clinic.example", "EHR", "a12", "alice@clinic.example")
			c.t = issued.Add(tc.at)
			thing, err := s.Verify(token, "EHR", "alice@clinic.example")
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify(%q) at issue+%s = %q, %v, want %v", token, tc.at, thing, err, tc.want)
			}
			if err == nil && thing != "a12" {
				t.Errorf("Verify(%q) = %q, want a12", token, thing)
			}
		})
	}
}

func TestDefaultLifetimeIs180Days(t *testing.T) {
	if got := NewSigner(testKey).Lifetime(); got != 180*24*time.Hour {
		t.Errorf("NewSigner(key).Lifetime() = %s, want 180 days", got)
	}
}

// TestTamperedDate: moving the issue day, forward or back, breaks the MAC.
func TestTamperedDate(t *testing.T) {
	c := &clock{}
	s := NewSigner(testKey, WithClock(c.now))
	token := signedToken(t, s, c, "ehr@clinic.example", "EHR", "a12", "alice@clinic.example")
	thing, sig, _ := strings.Cut(token, ".")
	day, ok := decodeDay(sig[:dayLen])
	if !ok || day != dayOf(issued) {
		t.Fatalf("token %q carries day %d (%v), want %d", token, day, ok, dayOf(issued))
	}
	for _, d := range []int{day - 1, day + 1, day - 200, 0} {
		forged := thing + "." + encodeDay(d) + sig[dayLen:]
		if _, err := s.Verify(forged, "EHR", "alice@clinic.example"); !errors.Is(err, ErrBadToken) {
			t.Errorf("Verify(%q) with day %d for %d = %v, want %v", forged, d, day, err, ErrBadToken)
		}
	}
}

// TestOldFormatTokenExpired: an undated token of before is refused as
// expired when genuine, and as not matching when forged.
func TestOldFormatTokenExpired(t *testing.T) {
	s := NewSigner(testKey)
	old := "a12." + s.legacyMAC("EHR", "a12", "alice@clinic.example")
	if tok := Find("ehr@clinic.example", []string{"ehr+" + old + "@clinic.example"}); tok != old {
		t.Fatalf("Find of an old-format address = %q, want %q", tok, old)
	}
	if _, err := s.Verify(old, "EHR", "alice@clinic.example"); !errors.Is(err, ErrExpired) {
		t.Errorf("Verify(old %q) = %v, want %v", old, err, ErrExpired)
	}
	if _, err := s.Verify(old, "EHR", "bob@clinic.example"); !errors.Is(err, ErrBadToken) {
		t.Errorf("Verify(old %q) from someone else = %v, want %v", old, err, ErrBadToken)
	}
	// A legacy MAC cannot be moved into a dated token.
	forged := "a12." + encodeDay(dayOf(time.Now())) + old[4:]
	if _, err := s.Verify(forged, "EHR", "alice@clinic.example"); !errors.Is(err, ErrBadToken) {
		t.Errorf("Verify(%q) = %v, want %v", forged, err, ErrBadToken)
	}
}

// TestLongProjectAddress: the local part stays within RFC 5321's 64
// octets, with room to spare for a long project address (24 characters
// leave 11 octets), and a signed address that would not fit is not made.
func TestLongProjectAddress(t *testing.T) {
	c := &clock{}
	s := NewSigner(testKey, WithClock(c.now))
	longest := MeetingThing(9999999) // ten million meetings
	tests := []struct {
		projectAddr string
		signed      bool
	}{
		{"ehr-rollout-project-team@clinic.example", true},                         // 24 characters
		{"electronic-health-record-rollout-2027-phase-two@clinic.example", false}, // 47
	}
	for _, tc := range tests {
		for _, thing := range []string{"a12", ThingDigest, longest} {
			addr := signedAddress(t, s, c, tc.projectAddr, thing)
			local, _, _ := strings.Cut(addr, "@")
			if len(local) > MaxLocalPart {
				t.Errorf("Address(%s, %s) = %q: local part of %d octets, over %d", tc.projectAddr, thing, addr, len(local), MaxLocalPart)
			}
			if signed := addr != tc.projectAddr; signed != tc.signed {
				t.Errorf("Address(%s, %s) = %q, signed %v, want %v", tc.projectAddr, thing, addr, signed, tc.signed)
				continue
			}
			if !tc.signed {
				continue
			}
			if spare := MaxLocalPart - len(local); spare < 10 {
				t.Errorf("Address(%s, %s) = %q leaves %d octets of the local part, want 10 or more", tc.projectAddr, thing, addr, spare)
			}
			token := Find(tc.projectAddr, []string{addr})
			if got, err := s.Verify(token, "EHR", "alice@clinic.example"); err != nil || got != thing {
				t.Errorf("Verify(%q) = %q, %v, want %q", token, got, err, thing)
			}
		}
	}
	// What a token adds to the project's local part.
	addr := signedAddress(t, s, c, "ehr@clinic.example", "a123")
	if overhead := strings.Index(addr, "@") - len("ehr"); overhead > 25 {
		t.Errorf("a token for a123 adds %d octets (%q), want at most 25", overhead, addr)
	}
}

func signedAddress(t *testing.T, s *Signer, c *clock, projectAddr, thing string) string {
	t.Helper()
	c.t = issued
	return s.Address(projectAddr, "EHR", thing, "alice@clinic.example")
}

func TestDayEncodingRoundTrips(t *testing.T) {
	for _, d := range []int{0, 1, 31, 32, 2525, maxDay} {
		got, ok := decodeDay(encodeDay(d))
		if !ok || got != d {
			t.Errorf("decodeDay(encodeDay(%d) = %q) = %d, %v", d, encodeDay(d), got, ok)
		}
	}
}

func TestFindIgnoresPlainPlusAddresses(t *testing.T) {
	for _, a := range []string{"ehr+minutes@clinic.example", "ehr+a12.tooshort@clinic.example", "ehr+a12.0123456789abcdef@other.example", "ehrx+a12.abcdefghijklmnop@clinic.example", "ehr+a12.abcdefghijklmnopq@clinic.example"} {
		if tok := Find("ehr@clinic.example", []string{a}); tok != "" {
			t.Errorf("Find(%s) = %q, want none", a, tok)
		}
	}
	if tok := Find("ehr@clinic.example", []string{"<ehr+m7.abcdefghijklmnop@clinic.example>"}); tok != "m7.abcdefghijklmnop" {
		t.Errorf("Find = %q", tok)
	}
	if tok := Find("ehr@clinic.example", []string{"<ehr+m7.aaaabcdefghijklmnop@clinic.example>"}); tok != "m7.aaaabcdefghijklmnop" {
		t.Errorf("Find = %q", tok)
	}
}
