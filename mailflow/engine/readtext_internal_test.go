package engine

import (
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/mailtext"
)

// Minutes from outside the roster are ignored, so they are not parsed:
// parsing is the costly part of reading a mail, and anyone can send one.
func TestStrangersMinutesAreNotParsed(t *testing.T) {
	p := &Project{Project: &config.Project{Location: time.UTC,
		Members: []config.Member{{Name: "Priya Shah", Email: "priya@clinic.example", Role: "chair"}}}}
	for _, tc := range []struct {
		from   string
		parsed bool
	}{
		{"priya@clinic.example", true},
		{"sam@elsewhere.example", false},
	} {
		raw := "From: " + tc.from + "\r\nTo: ehr@clinic.example\r\nSubject: Minutes: weekly\r\nMessage-ID: <x@y>\r\n\r\nACTION: Priya to send the plan by 2026-12-01\r\n"
		msg, err := mailtext.Read([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := readText(msg, p).parsed != nil; got != tc.parsed {
			t.Errorf("minutes from %s parsed: %v, want %v", tc.from, got, tc.parsed)
		}
	}
}
