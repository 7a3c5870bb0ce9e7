package authres

import (
	"strings"
	"testing"
)

// FuzzParse feeds Parse arbitrary field values: it must not panic, must
// give the same answer twice, and what it accepts must have the shape its
// callers rely on. Check runs on the same value, to cover its domain and
// alignment code with whatever Parse lets through.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.value)
	}
	for _, tt := range checkTests {
		if _, v, ok := strings.Cut(tt.header, "Authentication-Results:"); ok {
			f.Add(v)
		}
	}
	f.Add("mx.clinic.example; spf=pass smtp.mailfrom=x; dkim=pass header.d=clinic.example header.s=@evil.example")
	f.Add("mx.clinic.example; dkim=pass (a (b \\) c) header.d=clinic.example")
	f.Fuzz(func(t *testing.T, value string) {
		h, err := Parse(value)
		again, errAgain := Parse(value)
		if (err == nil) != (errAgain == nil) || !sameHeader(h, again) {
			t.Fatalf("Parse(%q) is not deterministic", value)
		}
		if err == nil {
			checkParsedShape(t, value, h)
		}
		v := Check(fakeHeaders{FieldName: {value}}, "clinic.example", mx)
		if v.Pass && (v.Method == "" || v.Domain == "") {
			t.Fatalf("Check(%q) = %+v: a pass without method or domain", value, v)
		}
		if v.Reason == "" || strings.ContainsAny(v.Reason, "\r\n") {
			t.Fatalf("Check(%q).Reason = %q, want one non-empty line", value, v.Reason)
		}
	})
}

func checkParsedShape(t *testing.T, value string, h Header) {
	t.Helper()
	if h.NoAuthServID != (h.ID == "") {
		t.Fatalf("Parse(%q) = %+v: ID and NoAuthServID disagree", value, h)
	}
	for _, r := range h.Results {
		if !isKeyword(r.Method) || !isKeyword(r.Result) || r.Method != strings.ToLower(r.Method) || r.Result != strings.ToLower(r.Result) {
			t.Fatalf("Parse(%q): result %+v has a method or result that is not a lowercase keyword", value, r)
		}
		for key := range r.Props {
			if key != strings.ToLower(key) || strings.ContainsAny(key, " \t\r\n;=") {
				t.Fatalf("Parse(%q): property key %q", value, key)
			}
		}
	}
}

// fakeHeaders is a Headers over a plain map, for values go-message would
// refuse to parse as a header block.
type fakeHeaders map[string][]string

func (h fakeHeaders) Values(key string) []string { return h[key] }
