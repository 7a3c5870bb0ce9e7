package engine

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/replyaddr"
	"mailflow/store"
	"mailflow/templates"
)

// TestSharedMinutesAreTheSameMail queues a meeting's minutes to each of
// its readers as sendMinutes does, and builds every mail twice: alone, as
// the engine did before minutes rendered their shared sections once, and
// with the sections shared between the readers (shareSections), on
// several goroutines. Apart from the Message-ID and the MIME boundary,
// which are new for every mail, the two must be the same bytes.
func TestSharedMinutesAreTheSameMail(t *testing.T) {
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	members := []config.Member{
		{Name: "Priya Shah", Email: "priya@clinic.example", Role: "chair"},
		{Name: "Alice Moreau", Email: "alice@clinic.example"},
		{Name: "Bob Okafor", Email: "bob@clinic.example"},
		{Name: "Carol Nguyen", Email: "carol@clinic.example"},
		{Name: "Dan Weber", Email: "dan@clinic.example"},
	}
	p := &Project{ID: 1, Project: &config.Project{Name: "EHR Rollout", Address: "ehr@clinic.example", Location: time.UTC, Members: members}}
	e := &Engine{
		cfg:       &config.Config{SMTP: config.SMTP{From: "mailflow@clinic.example"}},
		templates: templates.MustDefault(),
		signer:    replyaddr.NewSigner([]byte("0123456789abcdef0123456789abcdef"), replyaddr.WithClock(func() time.Time { return now })),
		log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	view := &minutesView{
		meeting:   store.Meeting{ID: 7, Title: "EHR go-live readiness", MeetingDate: "2026-11-24", Chair: "Priya Shah", Notes: "Summary\nThe vendor is on track.", NextMeeting: "Tue 1 Dec"},
		attendees: []string{"Priya Shah", "Alice Moreau", "Bob Okafor", "Carol Nguyen"},
		regrets:   []string{"Dan Weber"},
		decisions: []string{"Training uses the vendor sandbox."},
		changes:   []templates.Change{{Kind: "schedule", Text: "pharmacy go-live moves to March"}},
	}
	for i, m := range members[1:4] {
		view.items = append(view.items, store.Item{Num: i + 1, Text: fmt.Sprintf("task %d for %s", i+1, m.Name), Owner: m.Email, OwnerName: m.Name,
			Due: "2026-12-0" + fmt.Sprint(i+1), Status: "open", UpdatedAt: now})
	}
	view.items = append(view.items, store.Item{Num: 4, Text: "second task for Alice", Owner: "alice@clinic.example", OwnerName: "Alice Moreau", Due: "2026-11-20", Status: "open", UpdatedAt: now})
	view.risks = []store.Risk{{Num: 1, Description: "vendor late", Likelihood: "high", Impact: "high", Owner: "bob@clinic.example", Status: "open"}}
	today := mailflow.DateOf(now)
	var os []outgoing
	for _, m := range append(members, config.Member{Name: "Guest Reader", Email: "guest@elsewhere.example"}) {
		to := mailflow.Person{Name: m.Name, Email: m.Email}
		var problems []string
		if m.Role == "chair" {
			problems = []string{`line 9: "someone from IT" is not on the roster`}
		}
		data, cal := e.minutesMail(p, view, to, problems, today)
		os = append(os, outgoing{kind: mailflow.MailMinutes, idemKey: "minutes:" + m.Email, to: to, data: data,
			thing: replyaddr.MeetingThing(7), about: []string{"meeting:7"}, inReplyTo: "minutes-1@clinic.example", calendar: cal})
	}
	alone := make([]store.Mail, len(os))
	for i, o := range os {
		var err error
		if alone[i], err = e.compose(p, o, now); err != nil {
			t.Fatal(err)
		}
	}
	shared := append([]outgoing(nil), os...)
	shareSections(shared)
	together := make([]store.Mail, len(os))
	errs := make([]error, len(os))
	parallel(len(os), func(i int) { together[i], errs[i] = e.compose(p, shared[i], now) })
	for i := range os {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		want, got := normalized(alone[i]), normalized(together[i])
		if !bytes.Equal(want, got) {
			t.Errorf("minutes to %s differ when rendered with the other readers':\n--- alone\n%s\n--- shared\n%s", os[i].to.Email, want, got)
		}
		if alone[i].Subject != together[i].Subject || alone[i].About != together[i].About {
			t.Errorf("minutes to %s: outbox rows differ: %+v, %+v", os[i].to.Email, alone[i], together[i])
		}
	}
	if bytes.Equal(normalized(alone[1]), normalized(alone[2])) {
		t.Errorf("two readers got the same mail; the test needs readers whose mails differ")
	}
}

var boundary = regexp.MustCompile(`boundary=([0-9a-f]+)`)

// normalized is a mail's bytes with its Message-ID and MIME boundaries,
// which are new for every mail, replaced by fixed text.
func normalized(m store.Mail) []byte {
	raw := bytes.ReplaceAll(m.Raw, []byte(m.MessageID), []byte("MESSAGE-ID"))
	for _, b := range boundary.FindAllSubmatch(raw, -1) {
		raw = bytes.ReplaceAll(raw, b[1], []byte("BOUNDARY"))
	}
	return raw
}
