package authres

import (
	"bufio"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

// The engine passes &msg.Header (a go-message message.Header).
var _ Headers = (*message.Header)(nil)

// mx is the placeholder authserv-id of the project's own MTA.
var mx = Policy{TrustedIDs: []string{"mx.clinic.example"}}

// Header blocks as they reach mailflow: raw lines, topmost first, read
// with go-message as the engine reads them.
const (
	openDKIMPass = "Authentication-Results: mx.clinic.example;\r\n" +
		"\tdkim=pass (2048-bit key; unprotected) header.d=clinic.example header.i=@clinic.example" +
		" header.a=rsa-sha256 header.s=mail2024 header.b=Rg2Zt5/q;\r\n\tdkim-atps=neutral\r\n"
	openDMARCNone = "Authentication-Results: mx.clinic.example; dmarc=none (p=none dis=none) header.from=clinic.example\r\n"
	spfNone       = "Authentication-Results: mx.clinic.example; spf=none smtp.mailfrom=clinic.example\r\n"
	exchangeAR    = "Authentication-Results: spf=pass (sender IP is 192.0.2.25)\r\n smtp.mailfrom=clinic.example;" +
		" dkim=pass (signature was verified)\r\n header.d=clinic.example;dmarc=pass action=none\r\n" +
		" header.from=clinic.example;compauth=pass\r\n reason=100\r\n"
	exchangeInternalHeaders = "X-MS-Exchange-Organization-MessageDirectionality: Originating\r\n" +
		"X-MS-Exchange-Organization-AuthSource: AM6PR04MB4567.eurprd04.prod.outlook.com\r\n" +
		"X-MS-Exchange-Organization-AuthAs: Internal\r\n" +
		"X-MS-Exchange-Organization-AuthMechanism: 04\r\n"
)

var checkTests = []struct {
	name       string
	header     string
	from       string
	policy     Policy
	wantPass   bool
	wantMethod string
	wantDomain string
	wantReason string // a part the Reason must contain
}{
	{
		name:     "OpenDKIM pass with its comment form",
		header:   openDKIMPass,
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
		wantReason: "dkim=pass for clinic.example reported by mx.clinic.example",
	},
	{
		name:     "one header per method, dmarc on top, dkim at the bottom",
		header:   openDMARCNone + spfNone + openDKIMPass,
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
	},
	{
		name:     "one header per method, dkim on top",
		header:   openDKIMPass + spfNone + openDMARCNone,
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
	},
	{
		name: "dmarc=pass outranks dkim and spf in the verdict",
		header: "Authentication-Results: mx.clinic.example; spf=pass smtp.mailfrom=clinic.example\r\n" +
			openDKIMPass +
			"Authentication-Results: mx.clinic.example; dmarc=pass (p=reject dis=none) header.from=clinic.example\r\n",
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dmarc", wantDomain: "clinic.example",
	},
	{
		// RFC 8601 section 5: the MTA strips incoming fields with its ID, so
		// whatever is left with that ID is believed, wherever it stands.
		// Stripping is the MTA's job (testdata/postfix_header_checks).
		name: "forged header below the MTA's own is trusted too",
		header: "Authentication-Results: mx.clinic.example; dkim=none (no signature)\r\n" +
			"Received: from evil.example by mx.clinic.example\r\n" +
			"Authentication-Results: mx.clinic.example; spf=pass smtp.mailfrom=clinic.example\r\n",
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "spf", wantDomain: "clinic.example",
	},
	{
		name: "semicolon and a pass inside a comment",
		header: "Authentication-Results: mx.clinic.example; spf=fail (x; dkim=pass header.d=clinic.example)" +
			" smtp.mailfrom=evil.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "spf=fail for evil.example",
	},
	{
		name: "semicolon and a pass inside a quoted value",
		header: "Authentication-Results: mx.clinic.example; dkim=fail" +
			" reason=\"bad; dkim=pass header.d=clinic.example\" header.d=clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "dkim=fail for clinic.example",
	},
	{
		name: "pass inside a quoted local part",
		header: "Authentication-Results: mx.clinic.example;" +
			" spf=pass smtp.mailfrom=\"x; dkim=pass header.d=clinic.example\"@evil.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "spf=pass for evil.example (not aligned)",
	},
	{
		name: "unquoted local part leaves its domain on header.d",
		header: "Authentication-Results: mx.clinic.example;" +
			" spf=pass smtp.mailfrom=x; dkim=pass header.d=clinic.example@evil.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "dkim=pass with an address in header.d",
	},
	{
		name: "unquoted local part leaves its domain on another property",
		header: "Authentication-Results: mx.clinic.example;" +
			" spf=pass smtp.mailfrom=x; dkim=pass header.d=clinic.example header.s=@evil.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "dkim=pass with an address in header.s",
	},
	{
		name: "unquoted local part leaves its domain on header.i",
		header: "Authentication-Results: mx.clinic.example;" +
			" spf=pass smtp.mailfrom=x; dkim=pass header.d=clinic.example header.i=@evil.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "dkim=pass with header.i outside header.d clinic.example",
	},
	{
		name: "dmarc=fail with dkim=pass for another domain",
		header: "Authentication-Results: mx.clinic.example; dkim=pass header.d=mailer.example;" +
			" dmarc=fail (p=reject dis=none) header.from=clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantMethod: "dmarc",
		wantReason: "dmarc=fail for clinic.example reported by mx.clinic.example",
	},
	{
		name: "dmarc=fail refuses even beside an aligned pass in another header",
		header: openDKIMPass +
			"Authentication-Results: mx.clinic.example; dmarc=fail (p=none dis=none) header.from=clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantMethod: "dmarc",
		wantReason: "dmarc=fail",
	},
	{
		name: "dmarc=fail for another From domain does not refuse",
		header: "Authentication-Results: mx.clinic.example; spf=pass smtp.mailfrom=clinic.example;" +
			" dmarc=fail header.from=other.example\r\n",
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "spf", wantDomain: "clinic.example",
	},
	{
		name:       "dmarc=pass for another domain",
		header:     "Authentication-Results: mx.clinic.example; dmarc=pass header.from=mail.clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "dmarc=pass for mail.clinic.example (not aligned)",
	},
	{
		name:       "unaligned dkim",
		header:     "Authentication-Results: mx.clinic.example; dkim=pass header.d=mailer.example header.s=s1\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "no aligned dkim, spf or dmarc pass for clinic.example from mx.clinic.example: dkim=pass for mailer.example (not aligned)",
	},
	{
		name:     "signer is the parent of the From domain",
		header:   openDKIMPass,
		from:     "mail.clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
		wantReason: "dkim=pass for clinic.example, aligned with the From domain mail.clinic.example",
	},
	{
		name:     "envelope domain is a subdomain of the From domain",
		header:   "Authentication-Results: mx.clinic.example; spf=pass smtp.mailfrom=bounce@mail.clinic.example\r\n",
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "spf", wantDomain: "mail.clinic.example",
	},
	{
		name:       "same public suffix is not alignment",
		header:     "Authentication-Results: mx.clinic.example; dkim=pass header.d=evil.co.uk\r\n",
		from:       "clinic.co.uk",
		policy:     mx,
		wantReason: "dkim=pass for evil.co.uk (not aligned)",
	},
	{
		name:       "a public suffix itself is not alignment",
		header:     "Authentication-Results: mx.clinic.example; dkim=pass header.d=co.uk\r\n",
		from:       "clinic.co.uk",
		policy:     mx,
		wantReason: "dkim=pass for co.uk (not aligned)",
	},
	{
		name:     "authserv-id matches case-insensitively",
		header:   "Authentication-Results: MX.Clinic.EXAMPLE; spf=pass smtp.mailfrom=clinic.example\r\n",
		from:     "Clinic.Example",
		policy:   Policy{TrustedIDs: []string{"mx.clinic.example"}},
		wantPass: true, wantMethod: "spf", wantDomain: "clinic.example",
	},
	{
		name:       "Kelvin sign is not the letter k",
		header:     "Authentication-Results: mx.\u212aliniken.example; spf=pass smtp.mailfrom=kliniken.example\r\n",
		from:       "kliniken.example",
		policy:     Policy{TrustedIDs: []string{"mx.kliniken.example"}},
		wantReason: "no Authentication-Results header from mx.kliniken.example; 1 header(s) from other servers ignored",
	},
	{
		name:       "ID after a comment is not trusted",
		header:     "Authentication-Results: (forged) mx.clinic.example; spf=pass smtp.mailfrom=clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "no Authentication-Results header from mx.clinic.example",
	},
	{
		name:       "quoted ID is not trusted",
		header:     "Authentication-Results: \"mx.clinic.example\"; spf=pass smtp.mailfrom=clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "no Authentication-Results header from mx.clinic.example",
	},
	{
		name:       "longer ID is another server",
		header:     "Authentication-Results: mx.clinic.example.evil.com; spf=pass smtp.mailfrom=clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "1 header(s) from other servers ignored",
	},
	{
		name:     "version number after the ID",
		header:   "Authentication-Results: mx.clinic.example 1; dkim=pass header.d=clinic.example\r\n",
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
	},
	{
		name:     "comment right after the ID",
		header:   "Authentication-Results: mx.clinic.example (amavisd-new); dkim=pass (2048-bit key)\r\n header.d=clinic.example\r\n",
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
	},
	{
		name: "unreadable trusted header does not count",
		header: "Authentication-Results: mx.clinic.example; dkim=pass (unterminated header.d=clinic.example\r\n" +
			"Authentication-Results: mx.clinic.example; none\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "1 unreadable header(s) from mx.clinic.example ignored",
	},
	{
		name: "unreadable trusted header does not hide a pass",
		header: "Authentication-Results: mx.clinic.example; spf=pass smtp.mailfrom=x (c)@evil.example\r\n" +
			openDKIMPass,
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
	},
	{
		name:       "spf pass for HELO only",
		header:     "Authentication-Results: mx.clinic.example; spf=pass smtp.helo=mail.clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "spf=pass with no smtp.mailfrom",
	},
	{
		name: "arc pass does not count",
		header: "Authentication-Results: mx.clinic.example; arc=pass (\"lists.example:s=arc:i=1\");" +
			" dkim=fail header.d=clinic.example\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "dkim=fail for clinic.example",
	},
	{
		name:     "internationalised From domain",
		header:   "Authentication-Results: mx.clinic.example; dkim=pass header.d=xn--bcher-kva.example\r\n",
		from:     "Bücher.example",
		policy:   mx,
		wantPass: true, wantMethod: "dkim", wantDomain: "xn--bcher-kva.example",
	},
	{
		name: "Gmail",
		header: "Authentication-Results: mx.google.com;\r\n" +
			"       dkim=pass header.i=@clinic.example header.s=20230601 header.b=qvNLDfV5;\r\n" +
			"       arc=pass (i=1 spf=pass spfdomain=clinic.example dkim=pass dkdomain=clinic.example);\r\n" +
			"       spf=pass (google.com: domain of alice@clinic.example designates 192.0.2.25 as permitted sender)" +
			" smtp.mailfrom=alice@clinic.example;\r\n" +
			"       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=clinic.example\r\n",
		from:     "clinic.example",
		policy:   Policy{TrustedIDs: []string{"mx.google.com"}},
		wantPass: true, wantMethod: "dmarc", wantDomain: "clinic.example",
	},
	{
		name: "Gmail, sent through another provider's servers",
		header: "Authentication-Results: mx.google.com;\r\n" +
			"       dkim=pass header.i=@clinic-example.20150623.gappssmtp.com header.s=20150623 header.b=zwziYVWi;\r\n" +
			"       spf=softfail (google.com: domain of transitioning alice@clinic.example does not designate" +
			" 192.0.2.65 as permitted sender) smtp.mailfrom=alice@clinic.example;\r\n" +
			"       dmarc=fail (p=NONE sp=NONE dis=NONE) header.from=clinic.example\r\n",
		from:       "clinic.example",
		policy:     Policy{TrustedIDs: []string{"mx.google.com"}},
		wantMethod: "dmarc",
		wantReason: "dmarc=fail for clinic.example reported by mx.google.com",
	},
	{
		name: "Yahoo signs with header.i only",
		header: "Authentication-Results: atlas216.free.mail.bf1.yahoo.com;\r\n" +
			" dkim=pass header.i=@clinic.example header.s=20210112;\r\n" +
			" spf=none smtp.mailfrom=clinic.example;\r\n dmarc=none(p=NONE) header.from=clinic.example;\r\n",
		from:     "clinic.example",
		policy:   Policy{TrustedIDs: []string{"atlas216.free.mail.bf1.yahoo.com"}},
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
	},
	{
		name: "rspamd",
		header: "Authentication-Results: mx.clinic.example;\r\n" +
			"\tdkim=pass header.d=Clinic.Example header.s=dkim header.b=\"ayc6GHG/\";\r\n" +
			"\tdmarc=pass (policy=reject) header.from=clinic.example;\r\n" +
			"\tspf=pass (mx.clinic.example: domain of \"bounce+a=b@clinic.example\" designates 192.0.2.25 as permitted sender)" +
			" smtp.mailfrom=\"bounce+a=b@clinic.example\"\r\n",
		from:     "clinic.example",
		policy:   mx,
		wantPass: true, wantMethod: "dmarc", wantDomain: "clinic.example",
	},
	{
		name: "Fastmail writes one header per method",
		header: "Authentication-Results: mx3.messagingengine.com;\r\n    x-csa=none;\r\n    x-me-sender=none;\r\n" +
			"    x-ptr=pass smtp.helo=mail.clinic.example\r\n      policy.ptr=mail.clinic.example\r\n" +
			"Authentication-Results: mx3.messagingengine.com;\r\n    bimi=none (No BIMI records found)\r\n" +
			"Authentication-Results: mx3.messagingengine.com;\r\n    arc=none (no signatures found)\r\n" +
			"Authentication-Results: mx3.messagingengine.com;\r\n" +
			"    dkim=pass (2048-bit rsa key sha256) header.d=clinic.example\r\n" +
			"      header.i=@clinic.example header.b=Qx1vn7vt header.a=rsa-sha256\r\n      header.s=selector1 x-bits=2048;\r\n" +
			"    iprev=pass smtp.remote-ip=192.0.2.25 (mail.clinic.example);\r\n" +
			"    spf=pass smtp.mailfrom=alice@clinic.example\r\n      smtp.helo=mail.clinic.example\r\n",
		from:     "clinic.example",
		policy:   Policy{TrustedIDs: []string{"mx3.messagingengine.com"}},
		wantPass: true, wantMethod: "dkim", wantDomain: "clinic.example",
	},
	{
		name:       "Exchange Online results carry no ID to trust",
		header:     exchangeAR,
		from:       "clinic.example",
		policy:     mx,
		wantReason: "no Authentication-Results header from mx.clinic.example; 1 header(s) from other servers ignored",
	},
	{
		name:     "Exchange Online mail from inside the organisation",
		header:   exchangeInternalHeaders,
		from:     "clinic.example",
		policy:   Policy{ExchangeInternal: true},
		wantPass: true, wantMethod: "exchange-internal", wantDomain: "clinic.example",
		wantReason: "AuthAs Internal, authenticated by am6pr04mb4567.eurprd04.prod.outlook.com, mechanism 04",
	},
	{
		name:       "Exchange organisation headers without the policy",
		header:     exchangeInternalHeaders,
		from:       "clinic.example",
		policy:     mx,
		wantReason: "no Authentication-Results header from mx.clinic.example",
	},
	{
		name: "Exchange Online mail from the internet",
		header: exchangeAR +
			"X-MS-Exchange-Organization-MessageDirectionality: Incoming\r\n" +
			"X-MS-Exchange-Organization-AuthSource: AM4PEPF00027A5F.eurprd04.prod.outlook.com\r\n" +
			"X-MS-Exchange-Organization-AuthAs: Anonymous\r\n",
		from:       "clinic.example",
		policy:     Policy{ExchangeInternal: true},
		wantReason: "not Exchange-internal: X-MS-Exchange-Organization-AuthAs is not Internal",
	},
	{
		name:       "Exchange AuthAs given twice",
		header:     "X-MS-Exchange-Organization-AuthAs: Internal\r\n" + exchangeInternalHeaders,
		from:       "clinic.example",
		policy:     Policy{ExchangeInternal: true},
		wantReason: "X-MS-Exchange-Organization-AuthAs appears 2 times",
	},
	{
		name:       "Exchange AuthAs Internal without AuthSource",
		header:     "X-MS-Exchange-Organization-AuthAs: Internal\r\n",
		from:       "clinic.example",
		policy:     Policy{ExchangeInternal: true},
		wantReason: "no X-MS-Exchange-Organization-AuthSource header",
	},
	{
		name: "Exchange AuthAs Internal on incoming mail",
		header: "X-MS-Exchange-Organization-MessageDirectionality: Incoming\r\n" +
			"X-MS-Exchange-Organization-AuthSource: AM6PR04MB4567.eurprd04.prod.outlook.com\r\n" +
			"X-MS-Exchange-Organization-AuthAs: Internal\r\n",
		from:       "clinic.example",
		policy:     Policy{ExchangeInternal: true},
		wantReason: "X-MS-Exchange-Organization-MessageDirectionality is not Originating",
	},
	{
		name: "trusted dmarc=fail outweighs Exchange-internal",
		header: exchangeInternalHeaders +
			"Authentication-Results: mx.clinic.example; dmarc=fail header.from=clinic.example\r\n",
		from:       "clinic.example",
		policy:     Policy{TrustedIDs: []string{"mx.clinic.example"}, ExchangeInternal: true},
		wantMethod: "dmarc",
		wantReason: "dmarc=fail for clinic.example",
	},
	{
		name:       "no trusted ID configured",
		header:     openDKIMPass,
		from:       "clinic.example",
		policy:     Policy{TrustedIDs: []string{" "}},
		wantReason: "no trusted authserv-id is configured",
	},
	{
		name:       "From without a domain",
		header:     openDKIMPass,
		from:       "localhost",
		policy:     mx,
		wantReason: "the From address has no usable domain",
	},
	{
		name:       "none",
		header:     "Authentication-Results: mx.clinic.example; none\r\n",
		from:       "clinic.example",
		policy:     mx,
		wantReason: "no aligned dkim, spf or dmarc pass for clinic.example from mx.clinic.example",
	},
}

func TestCheck(t *testing.T) {
	for _, tt := range checkTests {
		t.Run(tt.name, func(t *testing.T) {
			h := readHeader(t, tt.header)
			got := Check(h, tt.from, tt.policy)
			if got.Pass != tt.wantPass || got.Method != tt.wantMethod || got.Domain != tt.wantDomain {
				t.Errorf("Check(%q) = %+v, want Pass %v Method %q Domain %q",
					tt.name, got, tt.wantPass, tt.wantMethod, tt.wantDomain)
			}
			if !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("Check(%q).Reason = %q, want it to contain %q", tt.name, got.Reason, tt.wantReason)
			}
			checkReasonShape(t, got.Reason)
		})
	}
}

// checkReasonShape holds every Reason to what a log attribute and a
// refusal can show: one line, bounded, no header syntax copied from mail.
func checkReasonShape(t *testing.T, reason string) {
	t.Helper()
	if reason == "" || len(reason) > 400 || strings.ContainsAny(reason, "\r\n\"") {
		t.Errorf("Reason %q is empty, too long or not one plain line", reason)
	}
	for _, raw := range []string{"header.d=", "header.i=", "smtp.mailfrom=", "header.from=", "@"} {
		if strings.Contains(reason, raw) {
			t.Errorf("Reason %q copies %q from the header", reason, raw)
		}
	}
}

func readHeader(t *testing.T, raw string) *textproto.Header {
	t.Helper()
	h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(raw + "\r\n")))
	if err != nil {
		t.Fatalf("ReadHeader(%q): %v", raw, err)
	}
	return &h
}

func TestAligned(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"clinic.example", "clinic.example", true},
		{"mail.clinic.example", "clinic.example", true},
		{"a.mail.clinic.example", "b.clinic.example", true},
		{"clinic.example", "clinic.example.evil.com", false},
		{"evil.co.uk", "clinic.co.uk", false},
		{"mail.clinic.co.uk", "clinic.co.uk", true},
		{"alice.github.io", "bob.github.io", false},
		{"co.uk", "clinic.co.uk", false},
		{"", "clinic.example", false},
	}
	for _, tt := range tests {
		if got := aligned(tt.a, tt.b); got != tt.want {
			t.Errorf("aligned(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCanonicalDomain(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Clinic.Example.", "clinic.example", true},
		{"bücher.example", "xn--bcher-kva.example", true},
		{"localhost", "", false},
		{"192.0.2.1", "", false},
		{"clinic..example", "", false},
		{"-clinic.example", "", false},
		{"clinic example.org", "", false},
		{"x@clinic.example", "", false},
	}
	for _, tt := range tests {
		got, ok := canonicalDomain(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("canonicalDomain(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	h, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(openDMARCNone + spfNone + openDKIMPass + "\r\n")))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if v := Check(&h, "clinic.example", mx); !v.Pass {
			b.Fatal(v.Reason)
		}
	}
}
