package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow"
)

// preview shows exactly the mail the engine sends: the same code builds
// both from the same data, so for the same state their text is the same.
func TestPreviewIsTheMailTheEngineSends(t *testing.T) {
	h := newHarness(t)
	h.minutes()
	ctx := context.Background()
	p := h.eng.Projects()[0]
	normal := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	// compare previews kind, lets send queue the real mail from the same
	// state, and compares the two.
	compare := func(kind mailflow.MailKind, to string, send func() error) {
		t.Helper()
		before := len(h.outbox())
		r, err := h.eng.Preview(ctx, p, kind, to)
		if err != nil {
			t.Fatalf("Preview(%s, %s): %v", kind, to, err)
		}
		if n := len(h.outbox()); n != before {
			t.Fatalf("preview queued %d mails", n-before)
		}
		if err := send(); err != nil {
			t.Fatal(err)
		}
		sent := mailTo(t, h.outbox(), string(kind), to)
		if got, want := normal(r.Text), normal(body(t, sent)); got != want {
			t.Errorf("preview %s to %s differs from the mail queued: %s", kind, to, diffLines(want, got))
		}
		if got, want := r.Subject, header(t, sent, "Subject"); got != want {
			t.Errorf("preview %s subject %q, queued %q", kind, got, want)
		}
	}
	compare(mailflow.MailMinutes, alice.email, func() error { return nil }) // queued by h.minutes
	// Two days before Alice's item is due, at the reminder hour.
	h.clock.set(time.Date(2026, 11, 29, 9, 0, 0, 0, h.loc))
	compare(mailflow.MailReminder, alice.email, func() error { return h.eng.Remind(ctx, p, true) })
	compare(mailflow.MailStatus, "cmo@"+domain, func() error { return h.eng.Report(ctx, p, true) })
}

// diffLines shows the first line where two texts differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d: want %q, got %q", i+1, a, b)
		}
	}
	return ""
}
