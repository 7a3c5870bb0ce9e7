package screen

import (
	"strings"
	"testing"

	"mailflow/mailflow/mailtext"
)

func read(t *testing.T, raw string) *mailtext.Message {
	t.Helper()
	m, err := mailtext.Read([]byte(strings.ReplaceAll(raw, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDoNotAnswer(t *testing.T) {
	own := map[string]bool{"ehr@clinic.example": true}
	tests := []struct {
		name       string
		headers    string
		allowLists bool
		reason     string
		self       bool
	}{
		{"a person", "", false, "", false},
		{"auto-submitted", "Auto-Submitted: auto-replied\n", false, "auto-submitted", false},
		{"auto-submitted no", "Auto-Submitted: no\n", false, "", false},
		{"bulk", "Precedence: bulk\n", false, "bulk or list", false},
		{"a list post", "List-Id: <ehr.lists.example>\nPrecedence: list\n", false, "list", false},
		{"a list post, lists allowed", "List-Id: <ehr.lists.example>\nPrecedence: list\n", true, "", false},
		{"bulk, lists allowed", "List-Id: <ehr.lists.example>\nPrecedence: bulk\n", true, "bulk or list", false},
		{"vacation", "X-Autoreply: yes\n", true, "auto-reply", false},
		{"bounce", "Return-Path: <>\n", false, "return path", false},
		{"our own loop header", "X-Mailflow-Loop: ehr@clinic.example\n", false, "mailflow itself", true},
	}
	for _, tc := range tests {
		m := read(t, "From: Bob <bob@clinic.example>\nTo: ehr@clinic.example\nSubject: hi\n"+tc.headers+"\nA-2 done\n")
		reason, self := DoNotAnswer(m, own, tc.allowLists)
		if !strings.Contains(reason, tc.reason) || (tc.reason == "") != (reason == "") || self != tc.self {
			t.Errorf("%s: DoNotAnswer = %q, %v; want one about %q, %v", tc.name, reason, self, tc.reason, tc.self)
		}
	}
}

// A mail in an unknown charset is quarantined; a forwarded message in one
// is only a problem of the mail, which is still handled.
func TestQuarantineUnknownCharset(t *testing.T) {
	own := read(t, "From: a@x.example\nSubject: s\nMIME-Version: 1.0\nContent-Type: text/plain; charset=x-klingon\n\nqapla\n")
	if r := Quarantine(own); !strings.Contains(r, "character set") {
		t.Errorf("own text in an unknown charset: Quarantine = %q", r)
	}
	fwd := read(t, "From: a@x.example\nSubject: s\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"+
		"Content-Type: text/plain; charset=utf-8\n\nSee the forwarded note.\n--b\nContent-Type: message/rfc822\n\n"+
		"From: c@x.example\nSubject: old\nContent-Type: text/plain; charset=x-klingon\n\nqapla\n--b--\n")
	if r := Quarantine(fwd); r != "" {
		t.Errorf("a forwarded part in an unknown charset quarantined the mail: %q", r)
	}
	if len(fwd.EnclosureProblems) == 0 {
		t.Errorf("the forwarded part's charset is not named as an enclosure's problem: %q", fwd.Problems)
	}
}
