package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// outboxMail is a rendered mail as the engine queues it: a header block
// and a body much larger than it.
func outboxMail(pid int64, key string) Mail {
	raw := fmt.Sprintf("From: EHR Rollout <mailflow@x.example>\r\nTo: a@x.example\r\nSubject: Minutes %s\r\n"+
		"Message-ID: <%s@x.example>\r\nX-Mailflow-Kind: minutes\r\n\r\n%s", key, key, strings.Repeat("The body of the minutes.\r\n", 400))
	return Mail{ProjectID: pid, IdemKey: key, Kind: "minutes", EnvelopeFrom: "mailflow@x.example", Subject: "Minutes " + key,
		MessageID: key + "@x.example", Raw: []byte(raw)}
}

// queue adds m to the outbox, created at at.
func queue(t *testing.T, s *Store, m Mail, at time.Time) int64 {
	t.Helper()
	err := s.Tx(context.Background(), func(tx *Tx) error {
		_, err := tx.Enqueue(m, []string{"a@x.example"}, at)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := s.get(t.Context(), &id, `SELECT id FROM outbox WHERE idem_key = ?`, m.IdemKey); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestPruneSentMail: sent mail older than the cutoff keeps its header
// block and loses its body; mail sent since, and every mail not sent
// (queued, being sent, parked), keeps every byte; the outbox still lists
// each with its recipients and the server's answer, a lookup by Message-ID
// (a reply, a bounce) still finds it, and a second prune finds nothing.
func TestPruneSentMail(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		old, recent := now.Add(-40*24*time.Hour), now.Add(-10*24*time.Hour)
		cutoff := now.Add(-30 * 24 * time.Hour)

		lf := outboxMail(pid, "old-lf")
		lf.Raw = bytes.ReplaceAll(lf.Raw, []byte("\r\n"), []byte("\n"))
		mails := map[string]Mail{}
		ids := map[string]int64{}
		for _, m := range []Mail{outboxMail(pid, "old-sent"), lf, outboxMail(pid, "recent-sent"),
			outboxMail(pid, "old-queued"), outboxMail(pid, "old-sending"), outboxMail(pid, "old-failed")} {
			mails[m.IdemKey] = m
			ids[m.IdemKey] = queue(t, s, m, old)
		}
		claim := func(key string) {
			t.Helper()
			if ok, err := s.MarkSending(ctx, ids[key]); !ok || err != nil {
				t.Fatalf("claim %s: %v %v", key, ok, err)
			}
		}
		for key, at := range map[string]time.Time{"old-sent": old, "old-lf": old, "recent-sent": recent} {
			claim(key)
			if err := s.MarkSent(ctx, ids[key], at, "250 2.0.0 Ok: queued as "+key); err != nil {
				t.Fatal(err)
			}
		}
		claim("old-sending")
		claim("old-failed")
		if err := s.MarkFailed(ctx, ids["old-failed"], "550 5.1.1 no such user"); err != nil {
			t.Fatal(err)
		}

		n, err := s.PruneSentMail(ctx, cutoff, now, 100)
		if err != nil || n != 2 {
			t.Fatalf("PruneSentMail = %d, %v; want the 2 mails sent before the cutoff", n, err)
		}
		listed, err := s.OutboxList(ctx, "", 100)
		if err != nil || len(listed) != len(mails) {
			t.Fatalf("OutboxList lists %d mails (%v), want all %d", len(listed), err, len(mails))
		}
		for _, m := range listed {
			want := mails[m.IdemKey]
			pruned := m.IdemKey == "old-sent" || m.IdemKey == "old-lf"
			switch {
			case pruned && !bytes.Equal(m.Raw, HeaderBlock(want.Raw)):
				t.Errorf("%s: pruned bytes are\n%q\nwant its header block", m.IdemKey, m.Raw)
			case pruned && !m.PrunedAt.Equal(now):
				t.Errorf("%s: pruned_at %v, want %s", m.IdemKey, m.PrunedAt, now)
			case !pruned && (!bytes.Equal(m.Raw, want.Raw) || !m.PrunedAt.IsZero()):
				t.Errorf("%s (%s): its bytes were changed (%d bytes, pruned_at %v), want every byte kept", m.IdemKey, m.Status, len(m.Raw), m.PrunedAt)
			}
			if got := m.Recipients(); len(got) != 1 || got[0] != "a@x.example" || m.Subject != want.Subject || m.MessageID != want.MessageID {
				t.Errorf("%s: listed with recipients %v, subject %q, Message-ID %q", m.IdemKey, got, m.Subject, m.MessageID)
			}
			if m.Status == MailSent && m.SMTPResponse != "250 2.0.0 Ok: queued as "+m.IdemKey {
				t.Errorf("%s: the server's answer is %q after the prune", m.IdemKey, m.SMTPResponse)
			}
		}
		// A bounce that comes back later is matched by Message-ID.
		err = s.Tx(ctx, func(tx *Tx) error {
			m, err := tx.MailByMessageID("old-sent@x.example")
			if err != nil {
				return err
			}
			if m.ID != ids["old-sent"] || m.Kind != "minutes" || m.Recipients()[0] != "a@x.example" || m.PrunedAt.IsZero() {
				t.Errorf("MailByMessageID after the prune = %+v", m)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("MailByMessageID after the prune: %v", err)
		}
		if n, err := s.PruneSentMail(ctx, cutoff, now.Add(time.Hour), 100); err != nil || n != 0 {
			t.Errorf("a second prune = %d, %v; want nothing left to prune", n, err)
		}
	})
}

// TestPruneSentMailInBatches: each call prunes at most limit mails, oldest
// first, so a caller bounds how long one call holds the write lock.
func TestPruneSentMailInBatches(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		for i := range 5 {
			id := queue(t, s, outboxMail(pid, fmt.Sprintf("m%d", i)), now.Add(-100*24*time.Hour))
			if _, err := s.MarkSending(ctx, id); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkSent(ctx, id, now.Add(-40*24*time.Hour), "250"); err != nil {
				t.Fatal(err)
			}
		}
		for i, want := range []int{2, 2, 1, 0} {
			n, err := s.PruneSentMail(ctx, now.Add(-30*24*time.Hour), now, 2)
			if err != nil || n != want {
				t.Fatalf("pass %d: PruneSentMail = %d, %v; want %d", i+1, n, err, want)
			}
		}
	})
}

// TestPruneTakesTheOldestFirst: with more to prune than one call takes, the
// mails sent earliest go first.
func TestPruneTakesTheOldestFirst(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		sentDaysAgo := map[string]int{"a": 35, "b": 60, "c": 45}
		for key, days := range sentDaysAgo {
			id := queue(t, s, outboxMail(pid, key), now.Add(-90*24*time.Hour))
			if _, err := s.MarkSending(ctx, id); err != nil {
				t.Fatal(err)
			}
			if err := s.MarkSent(ctx, id, now.Add(-time.Duration(days)*24*time.Hour), "250"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.PruneSentMail(ctx, now.Add(-30*24*time.Hour), now, 2); err != nil || n != 2 {
			t.Fatalf("PruneSentMail = %d, %v; want 2", n, err)
		}
		listed, _ := s.OutboxList(ctx, MailSent, 10)
		for _, m := range listed {
			if want := m.IdemKey != "a"; !m.PrunedAt.IsZero() != want {
				t.Errorf("%s, sent %d days ago: pruned %v, want %v (the two oldest go first)", m.IdemKey, sentDaysAgo[m.IdemKey], !m.PrunedAt.IsZero(), want)
			}
		}
	})
}

func TestHeaderBlock(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"Subject: a\r\nTo: b\r\n\r\nbody\r\n\r\nmore\r\n", "Subject: a\r\nTo: b\r\n\r\n"},
		{"Subject: a\nTo: b\n\nbody\n\nmore\n", "Subject: a\nTo: b\n\n"},
		{"Subject: a\nTo: b\n\nbody with a CRLF pair\r\n\r\n", "Subject: a\nTo: b\n\n"},
		{"Subject: a\r\n\r\n", "Subject: a\r\n\r\n"},
		{"Subject: a\r\nTo: b\r\n", "Subject: a\r\nTo: b\r\n"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := string(HeaderBlock([]byte(tc.raw))); got != tc.want {
			t.Errorf("HeaderBlock(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

// TestNextMailAt: when the earliest queued mail is due; sent or parked
// mail does not count; nothing queued is the zero time.
func TestNextMailAt(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pid, _ := s.EnsureProject(ctx, "P", "p@x.example")
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		if at, err := s.NextMailAt(ctx); err != nil || !at.IsZero() {
			t.Fatalf("NextMailAt on an empty outbox = %s, %v; want the zero time", at, err)
		}
		sent := queue(t, s, outboxMail(pid, "sent"), now.Add(-time.Hour))
		s.MarkSending(ctx, sent)
		s.MarkSent(ctx, sent, now, "250")
		queue(t, s, outboxMail(pid, "later"), now.Add(time.Hour))
		queue(t, s, outboxMail(pid, "sooner"), now.Add(time.Minute))
		if at, err := s.NextMailAt(ctx); err != nil || !at.Equal(now.Add(time.Minute)) {
			t.Errorf("NextMailAt = %s, %v; want %s", at, err, now.Add(time.Minute))
		}
	})
}
