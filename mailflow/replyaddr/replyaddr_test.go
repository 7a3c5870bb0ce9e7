package replyaddr

import (
	"errors"
	"strings"
	"testing"
)

func TestSignedReplyAddress(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"))
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
	}
	for _, tc := range tests {
		thing, err := s.Verify(tc.token, tc.project, tc.sender)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
		if err == nil && RefOfThing(thing) != "A-12" {
			t.Errorf("%s: thing %q", tc.name, thing)
		}
	}
	if _, err := NewSigner(nil).Verify(token, "EHR", "alice@clinic.example"); !errors.Is(err, ErrBadToken) {
		t.Errorf("a signer without a key verified a token: %v", err)
	}
}

func TestFindIgnoresPlainPlusAddresses(t *testing.T) {
	for _, a := range []string{"ehr+minutes@clinic.example", "ehr+a12.tooshort@clinic.example", "ehr+a12.0123456789abcdef@other.example", "ehrx+a12.abcdefghijklmnop@clinic.example"} {
		if tok := Find("ehr@clinic.example", []string{a}); tok != "" {
			t.Errorf("Find(%s) = %q, want none", a, tok)
		}
	}
	if tok := Find("ehr@clinic.example", []string{"<ehr+m7.abcdefghijklmnop@clinic.example>"}); tok != "m7.abcdefghijklmnop" {
		t.Errorf("Find = %q", tok)
	}
}
