package engine_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"mailflow/store"
)

// hostileMessages are broken or hostile messages that must each be kept in
// the failed folder with a reason, changing nothing.
func hostileMessages(t *testing.T) map[string][]byte {
	t.Helper()
	head := func(extra string) string {
		return "From: Priya Shah <priya@clinic.example>\r\nTo: ehr@clinic.example\r\nSubject: Minutes: hostile\r\n" +
			"Message-ID: <" + fmt.Sprint(len(extra)) + "." + strings.Repeat("h", 3) + "@x>\r\n" + extra
	}
	ms := map[string][]byte{}
	ms["broken base64"] = []byte(head("") + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n@@@@ not base64 at all @@@@\r\n")
	ms["malformed MIME"] = []byte(head("") + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nQUNUSU9OOi@@@\r\n--b--\r\n")
	ms["unknown charset"] = []byte(head("") + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-klingon-9\r\n\r\nACTION: Alice to translate by 2026-12-01\r\n")
	ms["zero-byte body"] = []byte(head("") + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n")
	var to strings.Builder
	for i := 0; i < 10000; i++ {
		if i > 0 {
			to.WriteString(",\r\n ")
		}
		fmt.Fprintf(&to, "user%d@clinic.example", i)
	}
	ms["10,000 recipients"] = []byte(strings.Replace(head(""), "To: ehr@clinic.example", "To: ehr@clinic.example, "+to.String(), 1) + "\r\nACTION: Alice to reply all by 2026-12-01\r\n")
	ms["1 MB header line"] = []byte(head("X-Padding: "+strings.Repeat("a", 1<<20)+"\r\n") + "\r\nACTION: Alice to scroll by 2026-12-01\r\n")
	var nest strings.Builder
	nest.WriteString(head("") + "MIME-Version: 1.0\r\n")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&nest, "Content-Type: multipart/mixed; boundary=\"n%d\"\r\n\r\n--n%d\r\n", i, i)
	}
	nest.WriteString("Content-Type: text/plain\r\n\r\nACTION: Alice to dig by 2026-12-01\r\n")
	for i := 99; i >= 0; i-- {
		fmt.Fprintf(&nest, "--n%d--\r\n", i)
	}
	ms["nested multipart 100 deep"] = []byte(nest.String())
	// A zip bomb: a small zip that expands to 1 GB of zeros.
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	f, _ := zw.Create("zeros.bin")
	chunk := make([]byte, 1<<20)
	for i := 0; i < 1024; i++ {
		f.Write(chunk)
	}
	zw.Close()
	ms["zip bomb attachment"] = []byte(head("") + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"z\"\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nACTION: Alice to open the attachment by 2026-12-01\r\n--z\r\n" +
		"Content-Type: application/zip; name=\"minutes.zip\"\r\nContent-Disposition: attachment; filename=\"minutes.zip\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(zb.Bytes()) + "\r\n--z--\r\n")
	ms["claims to be mailflow"] = []byte("From: EHR <mailflow@clinic.example>\r\nTo: ehr@clinic.example\r\nSubject: Minutes: loop\r\nMessage-ID: <self@x>\r\n\r\nACTION: Alice to loop by 2026-12-01\r\n")
	return ms
}

func TestHostileInputIsQuarantined(t *testing.T) {
	for name, raw := range hostileMessages(t) {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			res := h.deliverRaw(raw)
			if res.Outcome != store.OutcomeFailed || res.Reason == "" {
				t.Fatalf("outcome %s, reason %q; want failed with a reason", res.Outcome, res.Reason)
			}
			rows, err := h.st.MessagesByMessageID(context.Background(), res.MessageID)
			if err != nil || len(rows) != 1 || !bytes.Equal(rows[0].Raw, raw) || rows[0].Error == "" {
				t.Fatalf("not kept with its bytes and reason (%d rows, %v)", len(rows), err)
			}
			if n := h.countItems(); n != 0 {
				t.Errorf("%d items created", n)
			}
			if n := len(h.outbox()); n != 0 {
				t.Errorf("%d mails queued", n)
			}
			t.Logf("reason: %s", firstLineOf(res.Reason))
			// The engine goes on.
			h.minutes()
		})
	}
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	if len(l) > 160 {
		l = l[:160] + "…"
	}
	return l
}

// Item text full of injection attempts travels from minutes into mail
// without breaking a header, injecting HTML or reaching anyone else.
func TestHostileItemTextInMail(t *testing.T) {
	h := newHarness(t)
	evil := "ACTION: Alice to fix <script>alert(1)</script> {{.Secret}} =?utf-8?q?Bcc=3A_x@evil.example?= \u202Egnp.exe\u202C\r\nBcc: victim@evil.example by 2026-12-01\n"
	res := h.deliver(msg{from: chair, subject: "Minutes: evil\u202E {{.X}} <b>bold</b>", body: evil, signed: true})
	if res.Outcome != store.OutcomeProcessed {
		t.Fatalf("outcome %s: %s", res.Outcome, res.Reason)
	}
	for _, m := range h.outbox() {
		if got := m.Recipients(); len(got) != 1 || strings.Contains(got[0], "evil") {
			t.Errorf("recipients %v", got)
		}
		raw := string(m.Raw)
		hdr, _, _ := strings.Cut(raw, "\r\n\r\n")
		for _, bad := range []string{"victim@evil.example", "\u202E", "Bcc:"} {
			if strings.Contains(hdr, bad) {
				t.Errorf("header contains %q:\n%s", bad, hdr)
			}
		}
		html := partOf(t, m.Raw, "text/html")
		if strings.Contains(html, "<script>") || strings.Contains(html, "<b>bold</b>") || !strings.Contains(html, "&lt;script&gt;") {
			t.Errorf("HTML of mail %d not escaped", m.ID)
		}
		if strings.Contains(body(t, m), "\u202E") {
			t.Errorf("bidi override reached the text part")
		}
	}
	if it := h.item("A-1"); !strings.Contains(it.Text, "<script>") {
		t.Errorf("stored text should be kept as written (escaped only when shown): %q", it.Text)
	}
}
