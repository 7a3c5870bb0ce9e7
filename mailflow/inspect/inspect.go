// Package inspect says what mailflow would understand from one message
// without storing or sending anything: the engine of "mailflow parse".
package inspect

import (
	"regexp"
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/mailtext"
	"mailflow/mailflow/minutes"
	"mailflow/mailflow/reply"
)

// Understanding is the JSON printed by "mailflow parse --json".
type Understanding struct {
	Kind        mailflow.MessageKind  `json:"kind"`
	Subject     string                `json:"subject"`
	From        mailflow.Person       `json:"from"`
	Meeting     *mailflow.Meeting     `json:"meeting"`
	ActionItems []mailflow.ActionItem `json:"action_items"`
	Risks       []mailflow.Risk       `json:"risks"`
	Decisions   []mailflow.Decision   `json:"decisions"`
	Changes     []mailflow.Change     `json:"changes"`
	ReplyText   string                `json:"reply_text"`
	Commands    []mailflow.Command    `json:"commands"`
	Notes       []string              `json:"notes"`
	Problems    []mailflow.Problem    `json:"problems"`
}

var reReplySubject = regexp.MustCompile(`(?i)^\s*(re|aw|sv|vs|antw)\s*:`)
var reRef = regexp.MustCompile(`(?i)\b[AR]-\d+\b`)

// Understand reads raw. proj may be nil (no roster: owners resolve against
// the mail's To/Cc and the attendees only).
func Understand(raw []byte, proj *config.Project) (*Understanding, error) {
	msg, err := mailtext.Read(raw)
	if err != nil {
		return nil, err
	}
	opts := minutes.Options{Location: time.UTC, Subjects: compile(config.DefaultMinutesSubjects)}
	if proj != nil {
		opts.Location = proj.Location
		opts.Roster = proj.Roster()
		opts.Subjects = proj.Subjects
		opts.Dates.DayFirst = proj.DateOrder == "dmy"
		opts.Dates.CadenceDays = proj.MeetingCadenceDays
	}
	u := &Understanding{
		Kind: mailflow.KindOther, Subject: msg.Subject, From: msg.From,
		ActionItems: []mailflow.ActionItem{}, Risks: []mailflow.Risk{}, Decisions: []mailflow.Decision{},
		Changes: []mailflow.Change{}, Commands: []mailflow.Command{}, Notes: []string{}, Problems: []mailflow.Problem{},
	}
	u.ReplyText = reply.Text(msg)
	isReply := len(msg.InReplyTo) > 0 || reReplySubject.MatchString(msg.Subject)
	switch {
	case isReply && !minutes.HasStructure(u.ReplyText):
		u.Kind = mailflow.KindReply
	case minutes.IsMinutes(msg.Subject, msg.Text, opts):
		u.Kind = mailflow.KindMinutes
	}
	if u.Kind == mailflow.KindOther {
		for _, l := range reply.ParseCommands(u.ReplyText) {
			if l.IsCommand && l.Command.Ref != "" {
				u.Kind = mailflow.KindReply
				break
			}
		}
	}
	switch u.Kind {
	case mailflow.KindMinutes:
		m := minutes.Parse(msg, opts)
		u.Meeting = &m.Meeting
		u.ActionItems, u.Risks, u.Decisions, u.Changes, u.Problems = m.ActionItems, m.Risks, m.Decisions, m.Changes, m.Problems
	case mailflow.KindReply:
		for _, l := range reply.ParseCommands(u.ReplyText) {
			switch {
			case l.Problem != "":
				u.Problems = append(u.Problems, mailflow.Problem{Line: l.Command.Line, Text: l.Command.Text, Reason: l.Problem})
			case l.IsCommand:
				u.Commands = append(u.Commands, l.Command)
			default:
				u.Notes = append(u.Notes, l.Command.Value)
			}
		}
	}
	return u, nil
}

func compile(pats []string) []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, p := range pats {
		out = append(out, regexp.MustCompile(p))
	}
	return out
}
