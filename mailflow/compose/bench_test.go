package compose_test

import (
	"strings"
	"testing"
	"time"

	"mailflow/mailflow"
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
