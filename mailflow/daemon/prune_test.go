package daemon_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/mailflow/inproc"
	"mailflow/mailflow/sender"
	"mailflow/store"
)

// TestOldSentMailIsPruned runs the daemon's cycle (run --once) over two
// minutes a month apart, with one recipient's server refusing for good
// (550, parked) and another's for now (451, queued for a retry). The cycle
// after the second drops the bodies of the mails the first sent, and only
// theirs: the second's sent mail and every mail not sent keep every byte.
// The outbox still lists every mail with its recipients and the server's
// answer, and a bounce that arrives afterwards for a pruned mail is still
// recorded against it.
func TestOldSentMailIsPruned(t *testing.T) {
	imapSrv, err := inproc.StartIMAP("ehr-project", "demo")
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := inproc.StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	carol, dan := "carol.nguyen@"+demo.Domain, "dan.weber@"+demo.Domain
	smtpSrv.Reject = func(r inproc.Received) error {
		switch r.To[0] {
		case carol:
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		case dan:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}
		return nil
	}
	key := make([]byte, 32)
	rand.Read(key)
	cfg, err := demo.Config(t.TempDir(), imapSrv.Addr, smtpSrv.Addr, key)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Security.TrustedAuthservID = trustedID
	if cfg.SMTP.KeepSentBodyDays != 30 {
		t.Fatalf("smtp.keep_sent_body_days = %d, want the default 30", cfg.SMTP.KeepSentBodyDays)
	}
	clock := &demo.Clock{}
	start := time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)
	clock.Set(start)
	d, err := daemon.New(t.Context(), cfg, daemon.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cycle := func(raw []byte) {
		t.Helper()
		if err := imapSrv.Append("INBOX", raw); err != nil {
			t.Fatal(err)
		}
		// The cycle fails on the mails refused (a step failed); what
		// matters here is what it kept.
		_ = d.Once(t.Context())
	}

	cycle(dkimMinutes(1, clock.Now()))
	firstSent := outbox(t, d, store.MailSent)
	if len(firstSent) != 3 {
		t.Fatalf("the first minutes sent %d mails, want 3 (carol's is parked, dan's queued)", len(firstSent))
	}
	clock.Set(start.Add(31 * 24 * time.Hour))
	cycle(dkimMinutes(2, clock.Now()))

	received := map[string]inproc.Received{}
	for _, r := range smtpSrv.Received() {
		received[strings.Trim(r.Header("Message-ID"), "<>")] = r
	}
	first := map[int64]bool{}
	for _, m := range firstSent {
		first[m.ID] = true
	}
	all := outbox(t, d, "")
	// Five mails per minutes, and the second cycle's periodic jobs found
	// the weekly status report due (one to each of two leaders).
	if len(all) != 12 {
		t.Fatalf("the outbox lists %d mails, want all 12 (5 per minutes, 2 status reports)", len(all))
	}
	counts := map[string]int{}
	for _, m := range all {
		counts[m.Status]++
		whole := len(store.HeaderBlock(m.Raw)) < len(m.Raw) && m.PrunedAt.IsZero()
		if first[m.ID] {
			// Pruned: the header block of what the server received.
			if got, want := sender.CRLF(m.Raw), store.HeaderBlock(received[m.MessageID].Data); !bytes.Equal(got, want) || m.PrunedAt.IsZero() {
				t.Errorf("outbox %d (sent a month ago to %s): kept %d bytes, pruned_at %v; want the %d bytes of its header block",
					m.ID, m.Recipients()[0], len(m.Raw), m.PrunedAt, len(want))
			}
			if !strings.HasPrefix(m.SMTPResponse, "250") || m.Subject == "" || m.SentAt.IsZero() {
				t.Errorf("outbox %d lost what outbox shows: response %q, subject %q, sent %v", m.ID, m.SMTPResponse, m.Subject, m.SentAt)
			}
		} else if !whole || m.RawErr != nil {
			t.Errorf("outbox %d (%s, to %s): its body was dropped (%v), want every byte kept", m.ID, m.Status, m.Recipients()[0], m.RawErr)
		} else if r, ok := received[m.MessageID]; ok && !bytes.Equal(sender.CRLF(m.Raw), r.Data) {
			t.Errorf("outbox %d (to %s) reads back %d bytes, want the %d the server received", m.ID, m.Recipients()[0], len(m.Raw), len(r.Data))
		}
	}
	if counts[store.MailSent] != 8 || counts[store.MailFailed] != 2 || counts[store.MailQueued] != 2 {
		t.Errorf("outbox by status %v, want 8 sent, 2 failed, 2 queued", counts)
	}

	// A bounce for Alice's first minutes mail comes back now.
	var alices store.Mail
	for _, m := range firstSent {
		if m.Recipients()[0] == "alice.moreau@"+demo.Domain {
			alices = m
		}
	}
	cycle(bounceFor(alices.MessageID, clock.Now()))
	recs, err := d.Store.MessagesByMessageID(context.Background(), "bounce-1@"+demo.Domain)
	if err != nil || len(recs) != 1 {
		t.Fatalf("the bounce was recorded %d times (%v), want once", len(recs), err)
	}
	if want := fmt.Sprintf("bounce: outbox %d (minutes to alice.moreau@", alices.ID); !strings.Contains(recs[0].Error, want) {
		t.Errorf("the bounce was recorded as %q, want it matched to the pruned mail (%q)", recs[0].Error, want)
	}
}

// outbox lists the outbox mails of status ("" for all).
func outbox(t *testing.T, d *daemon.Daemon, status string) []store.Mail {
	t.Helper()
	ms, err := d.Store.OutboxList(context.Background(), status, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// dkimMinutes are minutes from the chair that the trusted mail server
// vouches for, with one action item for Alice.
func dkimMinutes(n int, at time.Time) []byte {
	return []byte(fmt.Sprintf("%sFrom: Priya Shah <priya.shah@%s>\r\nTo: ehr-project@%[2]s\r\nSubject: Minutes: meeting %d\r\n"+
		"Date: %s\r\nMessage-ID: <prune-minutes-%[3]d@%[2]s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"ACTION: Alice to prepare report number %[3]d by 2099-01-01\r\n\r\nNotes:\r\nShort meeting.\r\n",
		authResults, demo.Domain, n, at.Format(time.RFC1123Z)))
}

// bounceFor is a delivery report (RFC 3464) about the mail messageID,
// returning its header as text/rfc822-headers.
func bounceFor(messageID string, at time.Time) []byte {
	return []byte(fmt.Sprintf("From: Mail Delivery System <MAILER-DAEMON@%s>\r\nTo: mailflow@%[1]s\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nDate: %s\r\nMessage-ID: <bounce-1@%[1]s>\r\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=b1\r\n\r\n"+
		"--b1\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"+
		"--b1\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; alice.moreau@%[1]s\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"+
		"--b1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <%[3]s>\r\nSubject: Minutes\r\n\r\n--b1--\r\n",
		demo.Domain, at.Format(time.RFC1123Z), messageID))
}
