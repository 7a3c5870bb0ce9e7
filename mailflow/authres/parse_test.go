package authres

import (
	"errors"
	"maps"
	"testing"
)

// The field values below are written in the exact forms the named MTAs
// produce (folding, comments, quoting, trailing ";"), with this project's
// placeholder domains.
var parseTests = []struct {
	name  string
	value string
	want  Header
}{
	{
		name: "OpenDKIM comment holding a semicolon",
		value: "mx.clinic.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=clinic.example" +
			" header.i=@clinic.example header.a=rsa-sha256 header.s=mail2024 header.b=Rg2Zt5/q;\r\n\tdkim-atps=neutral",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "dkim", Result: "pass", Props: map[string]string{
				"header.d": "clinic.example", "header.i": "@clinic.example", "header.a": "rsa-sha256",
				"header.s": "mail2024", "header.b": "Rg2Zt5/q"}},
			{Method: "dkim-atps", Result: "neutral"},
		}},
	},
	{
		name:  "OpenDKIM quoted signature prefix",
		value: "mx.clinic.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=clinic.example header.b=\"bvhR7yZk\"",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "clinic.example", "header.b": "bvhR7yZk"}},
		}},
	},
	{
		name:  "OpenDMARC",
		value: "mx.clinic.example; dmarc=pass (p=none dis=none) header.from=clinic.example",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "dmarc", Result: "pass", Props: map[string]string{"header.from": "clinic.example"}},
		}},
	},
	{
		name: "policyd-spf comment holding semicolons",
		value: "mx.clinic.example; spf=pass (sender SPF authorized) smtp.mailfrom=clinic.example" +
			" (client-ip=192.0.2.25; helo=mail.clinic.example; envelope-from=alice@clinic.example; receiver=<UNKNOWN>)",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "clinic.example"}},
		}},
	},
	{
		name: "Gmail",
		value: "mx.google.com;\r\n       dkim=pass header.i=@clinic.example header.s=20230601 header.b=qvNLDfV5;\r\n" +
			"       arc=pass (i=1 spf=pass spfdomain=clinic.example dkim=pass dkdomain=clinic.example dmarc=pass fromdomain=clinic.example);\r\n" +
			"       spf=pass (google.com: domain of alice@clinic.example designates 192.0.2.25 as permitted sender)" +
			" smtp.mailfrom=\"prvs=1078cbd532=Alice@Clinic.Example\";\r\n" +
			"       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=clinic.example",
		want: Header{ID: "mx.google.com", Results: []Result{
			{Method: "dkim", Result: "pass", Props: map[string]string{
				"header.i": "@clinic.example", "header.s": "20230601", "header.b": "qvNLDfV5"}},
			{Method: "arc", Result: "pass"},
			{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "prvs=1078cbd532=Alice@clinic.example"}},
			{Method: "dmarc", Result: "pass", Props: map[string]string{"header.from": "clinic.example"}},
		}},
	},
	{
		name: "Exchange Online without authserv-id",
		value: "spf=pass (sender IP is 192.0.2.25)\r\n smtp.mailfrom=clinic.example; dkim=pass (signature was verified)\r\n" +
			" header.d=clinic.example;dmarc=pass action=none\r\n header.from=clinic.example;compauth=pass\r\n reason=100",
		want: Header{NoAuthServID: true, Results: []Result{
			{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "clinic.example"}},
			{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "clinic.example"}},
			{Method: "dmarc", Result: "pass", Props: map[string]string{"action": "none", "header.from": "clinic.example"}},
			{Method: "compauth", Result: "pass", Reason: "100"},
		}},
	},
	{
		name:  "Amavis comment after the ID and quoted reason",
		value: "mx.clinic.example (amavisd-new); dkim=pass\r\n reason=\"pass (just generated, assumed good)\"\r\n header.d=clinic.example",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "dkim", Result: "pass", Reason: "pass (just generated, assumed good)",
				Props: map[string]string{"header.d": "clinic.example"}},
		}},
	},
	{
		name: "Fastmail properties without ptype",
		value: "mx3.messagingengine.com;\r\n    dkim=pass (2048-bit rsa key sha256) header.d=clinic.example\r\n" +
			"      header.i=@clinic.example header.b=Qx1vn7vt header.a=rsa-sha256\r\n      header.s=selector1 x-bits=2048;\r\n" +
			"    dmarc=pass policy.published-domain-policy=none\r\n      (p=none,d=none,d.eval=none) policy.policy-from=p\r\n" +
			"      header.from=clinic.example",
		want: Header{ID: "mx3.messagingengine.com", Results: []Result{
			{Method: "dkim", Result: "pass", Props: map[string]string{
				"header.d": "clinic.example", "header.i": "@clinic.example", "header.b": "Qx1vn7vt",
				"header.a": "rsa-sha256", "header.s": "selector1", "x-bits": "2048"}},
			{Method: "dmarc", Result: "pass", Props: map[string]string{
				"policy.published-domain-policy": "none", "policy.policy-from": "p", "header.from": "clinic.example"}},
		}},
	},
	{
		name: "Yahoo comment glued to the result and trailing semicolon",
		value: "atlas216.free.mail.bf1.yahoo.com;\r\n dkim=pass header.i=@clinic.example header.s=20210112;\r\n" +
			" spf=pass smtp.mailfrom=clinic.example;\r\n dmarc=pass(p=NONE,sp=QUARANTINE) header.from=clinic.example;",
		want: Header{ID: "atlas216.free.mail.bf1.yahoo.com", Results: []Result{
			{Method: "dkim", Result: "pass", Props: map[string]string{"header.i": "@clinic.example", "header.s": "20210112"}},
			{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "clinic.example"}},
			{Method: "dmarc", Result: "pass", Props: map[string]string{"header.from": "clinic.example"}},
		}},
	},
	{
		name: "rspamd mixed-case domain and quoted comment",
		value: "mx.clinic.example;\r\n\tdkim=pass header.d=Clinic.Example header.s=dkim header.b=\"ayc6GHG/\";\r\n" +
			"\tdmarc=pass (policy=reject) header.from=clinic.example;\r\n\tarc=pass (\"microsoft.com:s=arcselector10001:i=1\");\r\n" +
			"\tspf=pass (mx.clinic.example: domain of alice@clinic.example designates 192.0.2.25 as permitted sender)" +
			" smtp.mailfrom=alice@clinic.example",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "dkim", Result: "pass", Props: map[string]string{
				"header.d": "clinic.example", "header.s": "dkim", "header.b": "ayc6GHG/"}},
			{Method: "dmarc", Result: "pass", Props: map[string]string{"header.from": "clinic.example"}},
			{Method: "arc", Result: "pass"},
			{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "alice@clinic.example"}},
		}},
	},
	{
		name:  "version number and method version",
		value: "mx.clinic.example 1; DKIM/1 = Pass Header.D = clinic.example",
		want: Header{ID: "mx.clinic.example", Version: "1", Results: []Result{
			{Method: "dkim", Result: "pass", Props: map[string]string{"header.d": "clinic.example"}},
		}},
	},
	{
		name:  "none",
		value: "mx.clinic.example; none",
		want:  Header{ID: "mx.clinic.example"},
	},
	{
		name:  "nested comment with quoted-pair parentheses",
		value: "(a (b; c) \\) d) mx.clinic.example (x); spf=fail (y (z; dkim=pass header.d=clinic.example)) smtp.mailfrom=evil.example",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "spf", Result: "fail", Props: map[string]string{"smtp.mailfrom": "evil.example"}},
		}},
	},
	{
		name:  "semicolon inside a quoted value",
		value: "mx.clinic.example; dkim=fail reason=\"bad; dkim=pass header.d=clinic.example\" header.d=evil.example",
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "dkim", Result: "fail", Reason: "bad; dkim=pass header.d=clinic.example",
				Props: map[string]string{"header.d": "evil.example"}},
		}},
	},
	{
		name:  "quoted local part holding a result",
		value: `mx.clinic.example; spf=pass smtp.mailfrom="x; dkim=pass header.d=clinic.example"@Evil.Example`,
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "spf", Result: "pass", Props: map[string]string{
				"smtp.mailfrom": "x; dkim=pass header.d=clinic.example@evil.example"}},
		}},
	},
	{
		name:  "quoted authserv-id",
		value: `"mx.clinic.example"; spf=pass smtp.mailfrom=clinic.example`,
		want: Header{ID: "mx.clinic.example", Results: []Result{
			{Method: "spf", Result: "pass", Props: map[string]string{"smtp.mailfrom": "clinic.example"}},
		}},
	},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.value)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.value, err)
			}
			if !sameHeader(got, tt.want) {
				t.Errorf("Parse(%q) =\n %+v\nwant\n %+v", tt.value, got, tt.want)
			}
		})
	}
}

func sameHeader(a, b Header) bool {
	if a.ID != b.ID || a.Version != b.Version || a.NoAuthServID != b.NoAuthServID || len(a.Results) != len(b.Results) {
		return false
	}
	for i := range a.Results {
		ra, rb := a.Results[i], b.Results[i]
		if ra.Method != rb.Method || ra.Result != rb.Result || ra.Reason != rb.Reason || !maps.Equal(ra.Props, rb.Props) {
			return false
		}
	}
	return true
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		value  string
		wantID string
	}{
		{"empty", " \r\n ", ""},
		{"no authserv-id", "; spf=pass smtp.mailfrom=clinic.example", ""},
		{"unterminated comment", "mx.clinic.example; dkim=pass (2048-bit key; header.d=clinic.example", "mx.clinic.example"},
		{"unterminated comment before ID", "(forged mx.clinic.example; spf=pass", ""},
		{"unterminated quoted string", `mx.clinic.example; dkim=pass header.b="abc`, "mx.clinic.example"},
		{"method without result", "mx.clinic.example; dkim", "mx.clinic.example"},
		{"empty result", "mx.clinic.example; dkim=", "mx.clinic.example"},
		{"property without value sign", "mx.clinic.example; dkim=pass header.d", "mx.clinic.example"},
		{"property without name", "mx.clinic.example; dkim=pass header.=clinic.example", "mx.clinic.example"},
		{"property given twice", "mx.clinic.example; dkim=pass header.d=evil.example header.d=clinic.example", "mx.clinic.example"},
		{"second reason", "mx.clinic.example; dkim=pass reason=a reason=b", "mx.clinic.example"},
		{"stray address after a comment", "mx.clinic.example; spf=pass smtp.mailfrom=clinic.example (c)@evil.example", "mx.clinic.example"},
		{"stray word", "mx.clinic.example; spf=pass smtp.mailfrom=clinic.example @evil.example", "mx.clinic.example"},
		{"garbage after ID", "mx.clinic.example \"x\"; spf=pass", "mx.clinic.example"},
		{"method version without digits", "mx.clinic.example; dkim/=pass", "mx.clinic.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Parse(tt.value)
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("Parse(%q) error = %v, want ErrSyntax", tt.value, err)
			}
			if h.ID != tt.wantID {
				t.Errorf("Parse(%q) ID = %q, want %q", tt.value, h.ID, tt.wantID)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	value := parseTests[4].value // Gmail: four results with comments
	for b.Loop() {
		if _, err := Parse(value); err != nil {
			b.Fatal(err)
		}
	}
}
