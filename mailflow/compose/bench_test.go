package compose_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/calendar"
	. "mailflow/mailflow/compose"
	"mailflow/templates"
)

// benchMail is the sample minutes mail as the engine builds it: the text
// and HTML parts rendered from the templates' sample, and a calendar.
func benchMail(b *testing.B) Mail {
	b.Helper()
	r, err := templates.MustDefault().Render("minutes", templates.Sample("minutes"))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	return Mail{Kind: mailflow.MailMinutes, FromName: "EHR Rollout", From: "mailflow@clinic.example", To: []string{"bob@clinic.example"},
		ReplyTo: "ehr+m1.abcdef@clinic.example", Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		MessageID: NewMessageID("clinic.example", now), InReplyTo: "minutes.1@clinic.example", Date: now, LoopID: "ehr@clinic.example",
		Calendar: []byte(strings.Repeat("BEGIN:VEVENT\r\nSUMMARY:A-1 draft the plan\r\nEND:VEVENT\r\n", 3))}
}

// BenchmarkBuild builds the sample minutes mail: the MIME work each reader
// of a minutes costs.
func BenchmarkBuild(b *testing.B) {
	m := benchMail(b)
	for b.Loop() {
		if _, err := Build(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTextSafe checks the sample minutes mail's text and HTML, as
// rendering and Build do for every mail.
func BenchmarkTextSafe(b *testing.B) {
	m := benchMail(b)
	b.SetBytes(int64(len(m.Text) + len(m.HTML)))
	for b.Loop() {
		TextSafe(m.Text)
		TextSafe(m.HTML)
	}
}

// meetingRoster is a busy project's roster, as in the heavy ingest
// benchmark: a chair and fifteen members.
var meetingRoster = []string{"Priya Shah", "Alice Moreau", "Bob Okafor", "Carol Nguyen", "Dan Weber", "Erin Fox", "Farid Haddad",
	"Grace Lindqvist", "Hugo Martins", "Ines Duarte", "Jonas Berg", "Kemi Adeyemi", "Liam Walsh", "Maya Cohen", "Nils Petersen", "Olga Ivanova"}

func rosterEmail(name string) string {
	return strings.ToLower(strings.Fields(name)[0]) + "@clinic.example"
}

// meetingReaders returns the minutes mail of one meeting of that project
// for each of its sixteen people, as the engine makes them: eight action
// items for eight of them, two risks, two decisions and notes, each
// reader's data made afresh; and each reader's calendar items.
func meetingReaders() ([]templates.Minutes, [][]calendar.Item) {
	updated := time.Date(2026, 11, 24, 16, 40, 0, 0, time.UTC)
	tasks := []string{"draft training plan part", "confirm interface test window", "order badge readers batch",
		"update the downtime binder for wave", "book super-user rooms for wave", "review order sets for wave",
		"test label printers for wave", "brief ward managers on wave"}
	var readers []templates.Minutes
	var cals [][]calendar.Item
	for _, to := range meetingRoster {
		m := templates.Minutes{
			Common: templates.Common{Project: "EHR Rollout", ProjectAddress: "ehr@clinic.example", RecipientName: strings.Fields(to)[0],
				RecipientEmail: rosterEmail(to), CanReply: true, ExampleRef: "A-1"},
			Title: "EHR rollout — project meeting 2026-11-24", Date: "Tue 24 Nov 2026", Chair: "Priya Shah",
			Attendees: meetingRoster[:14], Regrets: meetingRoster[14:],
			Decisions: []string{"Super-user training uses the vendor sandbox, never production.",
				"Downtime forms for wave 3 are printed by the wards themselves."},
			Risks: []templates.Risk{
				{Ref: "R-1", Description: "interface vendor late on drop 3", Likelihood: "high", Impact: "high", Severity: 9,
					Mitigation: "weekly vendor call", Owner: "Alice Moreau", OwnerEmail: rosterEmail("Alice Moreau"), Status: "open"},
				{Ref: "R-2", Description: "night cover for super-users thin in wave 3", Likelihood: "medium", Impact: "high", Severity: 6,
					Mitigation: "backfill rota", Owner: "Bob Okafor", OwnerEmail: rosterEmail("Bob Okafor"), Status: "open"},
			},
			NextMeeting: "Tue 1 Dec 2026, 16:00, boardroom 2",
			Notes: "Summary\nBuild 7.2 of the pharmacy interface is in test; ward hardware is on track\n" +
				"apart from the badge readers. Training rooms are booked for January, and the\n" +
				"vendor confirmed the interface build for the week of the 7th.",
		}
		var cal []calendar.Item
		for k, task := range tasks {
			owner := meetingRoster[1+k]
			it := templates.Item{Ref: fmt.Sprintf("A-%d", k+1), Text: task + " 3", Owner: owner, OwnerEmail: rosterEmail(owner),
				Due: "Tue 1 Dec 2026", DueISO: "2026-12-01", Status: "open", DaysLeft: 7}
			m.Items = append(m.Items, it)
			if it.OwnerEmail == m.RecipientEmail {
				cal = append(cal, calendar.Item{Ref: it.Ref, Text: it.Text, Due: mailflow.NewDate(2026, 12, 1), Status: mailflow.ItemOpen, UpdatedAt: updated})
			}
		}
		m.HasICS = len(cal) > 0
		readers = append(readers, m)
		cals = append(cals, cal)
	}
	return readers, cals
}

// BenchmarkMinutesMeeting makes one meeting's minutes mail for each of its
// sixteen readers as the engine does (engine.compose): render, encode the
// reader's calendar, build the message. It reports the cost per mail, the
// figure the heavy ingest's render CPU per mail measures.
func BenchmarkMinutesMeeting(b *testing.B) {
	set := templates.MustDefault()
	now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC)
	mails := 0
	// The engine makes the data in the transaction, not while rendering;
	// each meeting's readers share a Memo of their own.
	readers, cals := meetingReaders()
	for b.Loop() {
		memo := templates.NewMemo()
		for i, data := range readers {
			data = data.WithMemo(memo)
			r, err := set.Render("minutes", data)
			if err != nil {
				b.Fatal(err)
			}
			var ics []byte
			if len(cals[i]) > 0 {
				if ics, err = calendar.Encode("EHR Rollout", "ehr@clinic.example", cals[i], now); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := Build(Mail{Kind: mailflow.MailMinutes, FromName: "EHR Rollout", From: "mailflow@clinic.example",
				To: []string{data.RecipientEmail}, ReplyTo: "ehr+m1.abcdef@clinic.example", Subject: r.Subject, Text: r.Text, HTML: r.HTML,
				MessageID: NewMessageID("clinic.example", now), InReplyTo: "minutes.1@clinic.example", Date: now,
				LoopID: "ehr@clinic.example", Calendar: ics}); err != nil {
				b.Fatal(err)
			}
			mails++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(mails), "ns/mail")
}
