package engine

import (
	"time"

	"mailflow/mailflow"
	"mailflow/mailflow/config"
	"mailflow/mailflow/mailtext"
	"mailflow/mailflow/replyaddr"
)

// Understanding is what mailflow reads from one message, as "mailflow
// parse --json" prints it.
type Understanding struct {
	Kind        mailflow.MessageKind  `json:"kind"`
	Subject     string                `json:"subject"`
	From        mailflow.Person       `json:"from"`
	Meeting     *mailflow.Meeting     `json:"meeting"`
	ActionItems []mailflow.ActionItem `json:"action_items"`
	Risks       []mailflow.Risk       `json:"risks"`
	Decisions   []mailflow.Decision   `json:"decisions"`
	Changes     []mailflow.Change     `json:"changes"`
	Milestones  []mailflow.Milestone  `json:"milestones"`
	Asks        []mailflow.Decision   `json:"asks"` // decisions and help asked of leadership
	Notes       string                `json:"notes,omitempty"`
	NextMeeting string                `json:"next_meeting,omitempty"`
	ReplyText   string                `json:"reply_text"`
	Commands    []mailflow.Command    `json:"commands"`
	ReplyNotes  []string              `json:"reply_notes"` // lines of a reply kept as notes
	Problems    []mailflow.Problem    `json:"problems"`
}

// Understand reads raw exactly as the engine reads a delivered message —
// the same MIME reading, reply text, commands, minutes parser and
// classification — without a database, so it cannot know which earlier
// mail a reply answers: a reply counts as answering mail of ours only when
// it goes to a reply address. pc may be nil: then owners resolve against
// the mail's To/Cc and attendees only, and times are UTC.
func Understand(raw []byte, pc *config.Project) (*Understanding, error) {
	if pc == nil {
		pc = &config.Project{Location: time.UTC}
	}
	p := &Project{Project: pc}
	msg, err := mailtext.Read(raw)
	if err != nil {
		return nil, err
	}
	t := readText(msg, p)
	answering := pc.Address != "" && replyaddr.Find(pc.Address, recipientAddrs(msg)) != ""
	u := &Understanding{
		Kind: kindOf(msg, t, answering), Subject: msg.Subject, From: msg.From,
		ActionItems: []mailflow.ActionItem{}, Risks: []mailflow.Risk{}, Decisions: []mailflow.Decision{},
		Changes: []mailflow.Change{}, Milestones: []mailflow.Milestone{}, Asks: []mailflow.Decision{}, Commands: []mailflow.Command{}, ReplyNotes: []string{}, Problems: []mailflow.Problem{},
		ReplyText: t.reply,
	}
	switch u.Kind {
	case mailflow.KindMinutes:
		// The engine leaves minutes from outside the roster unread;
		// "mailflow parse" shows what they say all the same.
		var m mailflow.Minutes
		if t.parsed != nil {
			m = *t.parsed
		} else {
			m = readMinutes(msg, p)
		}
		u.Meeting = &m.Meeting
		u.ActionItems, u.Risks, u.Decisions, u.Changes, u.Problems = m.ActionItems, m.Risks, m.Decisions, m.Changes, m.Problems
		u.Milestones, u.Asks = m.Milestones, m.Asks
		u.Notes, u.NextMeeting = m.Notes, m.NextMeeting
	case mailflow.KindReply:
		for _, l := range t.lines {
			switch {
			case l.Problem != "":
				u.Problems = append(u.Problems, mailflow.Problem{Line: l.Command.Line, Text: l.Command.Text, Reason: l.Problem})
			case l.IsCommand:
				u.Commands = append(u.Commands, l.Command)
			default:
				u.ReplyNotes = append(u.ReplyNotes, l.Command.Value)
			}
		}
	}
	return u, nil
}
