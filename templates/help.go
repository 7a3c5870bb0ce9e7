package templates

import (
	"fmt"
	"mailflow/mailflow"
	"strconv"
	"strings"
)

// Command is one reply command the footer of a mail teaches, written
// exactly as the reader would type it.
type Command struct {
	Text    string // what to write: "A-12 due Dec 9"
	Meaning string // what it does: "moves the due date"
}

// ReplyHelp is the reply-by-email footer: the exact commands a reply to
// this mail can carry, with the reader's own refs in them.
type ReplyHelp struct {
	What     string // what a reply updates: "your items", "A-12"
	Commands []Command
	Notes    bool // other lines of the reply are kept as notes
}

// teach is the command of the table of reply verbs (mailflow.Verbs) for
// ref, as the footer teaches it.
func teach(v mailflow.Verb, ref string) Command {
	spec, _ := mailflow.SpecOf(v)
	return Command{Text: spec.ExampleFor(ref), Meaning: spec.Meaning}
}

// itemCommands are the commands for an item ref; bare, when not "", is the
// item a bare "done" closes.
func itemCommands(item, bare, risk string) []Command {
	var cs []Command
	if bare != "" {
		cs = append(cs, Command{"done", "closes " + bare})
	} else {
		cs = append(cs, Command{item + " done", "closes " + item})
	}
	cs = append(cs, teach(mailflow.VerbDue, item), teach(mailflow.VerbProgress, item),
		teach(mailflow.VerbNote, item), teach(mailflow.VerbReassign, item))
	if risk != "" {
		cs = append(cs, teach(mailflow.VerbMitigation, risk))
	}
	return cs
}

func open(it Item) bool { return it.Status == "open" || it.Status == "overdue" || it.Status == "" }

func mine(owner, recipient string) bool {
	return recipient != "" && strings.EqualFold(strings.TrimSpace(owner), strings.TrimSpace(recipient))
}

// Yours returns the open items of the minutes that the recipient owns.
func (m Minutes) Yours() []Item {
	if m.mail != nil {
		return m.mail.yours
	}
	return m.yours()
}

func (m Minutes) yours() []Item {
	var out []Item
	for _, it := range m.Items {
		if open(it) && mine(it.OwnerEmail, m.RecipientEmail) {
			out = append(out, it)
		}
	}
	return out
}

// Help returns the reply commands for the minutes: for the reader's own
// items when there are any, and a bare "done" when the reader owns exactly
// one open item (the engine reads it as that one).
func (m Minutes) Help() ReplyHelp {
	if m.mail != nil {
		return m.mail.help
	}
	return m.help()
}

func (m Minutes) help() ReplyHelp {
	if !m.CanReply {
		return ReplyHelp{}
	}
	item, bare := m.Example(), ""
	if yours := m.Yours(); len(yours) > 0 {
		item = yours[0].Ref
		if len(yours) == 1 {
			bare = item
		}
	} else if len(m.Items) > 0 && m.ExampleRef == "" {
		item = m.Items[0].Ref
	}
	risk := ""
	for _, r := range m.Risks {
		if mine(r.OwnerEmail, m.RecipientEmail) {
			risk = r.Ref
			break
		}
	}
	if risk == "" && len(m.Risks) > 0 {
		risk = m.Risks[0].Ref
	}
	return ReplyHelp{What: "items and risks", Commands: itemCommands(item, bare, risk), Notes: true}
}

// Only returns the digest's one item, or nil when it has several.
func (r Reminder) Only() *Item {
	all := r.All()
	if len(all) != 1 {
		return nil
	}
	return &all[0]
}

// All returns the digest's items, most urgent first.
func (r Reminder) All() []Item {
	all := make([]Item, 0, len(r.Overdue)+len(r.DueToday)+len(r.Upcoming))
	all = append(all, r.Overdue...)
	all = append(all, r.DueToday...)
	return append(all, r.Upcoming...)
}

// Help returns the reply commands for a digest; a bare "done" works when
// it holds a single item.
func (r Reminder) Help() ReplyHelp {
	if !r.CanReply {
		return ReplyHelp{}
	}
	item, bare, risk := r.Example(), "", ""
	if all := r.All(); len(all) > 0 {
		item = all[0].Ref
		if len(all) == 1 && len(r.Risks) == 0 {
			bare = item
		}
	}
	if len(r.Risks) > 0 {
		risk = r.Risks[0].Ref
		if len(r.All()) == 0 {
			return ReplyHelp{What: "your risks", Commands: riskCommands(risk), Notes: true}
		}
	}
	return ReplyHelp{What: "your items", Commands: itemCommands(item, bare, risk), Notes: true}
}

// riskCommands are the commands that give a risk what it lacks.
func riskCommands(risk string) []Command {
	return []Command{teach(mailflow.VerbMitigation, risk), teach(mailflow.VerbLikelihood, risk), teach(mailflow.VerbImpact, risk)}
}

// Intro says in one sentence what the digest is about.
func (r Reminder) Intro() string {
	var parts []string
	if r.Total > 0 {
		parts = append(parts, plural(r.Total, "action item", "action items"))
	}
	if len(r.Risks) > 0 {
		parts = append(parts, plural(len(r.Risks), "risk", "risks"))
	}
	verb := "needs"
	if r.Total+len(r.Risks) > 1 {
		verb = "need"
	}
	return fmt.Sprintf("%s on %s %s your attention today (%s).", strings.Join(parts, " and "), r.Project, verb, r.Date)
}

// exampleDue is the date phrase the help uses: always in the future, and
// read by mailflow's date parser.
const exampleDue = "next Friday"

// Help returns the commands for a reply to a confirmation, which is about
// the one item it changed: no ref is needed.
func (a Ack) Help() ReplyHelp {
	if !a.CanReply || a.ExampleRef == "" {
		return ReplyHelp{}
	}
	ref := a.ExampleRef
	cs := []Command{teach(mailflow.VerbReopen, ref), {"due " + exampleDue, "moves its due date"}, teach(mailflow.VerbNote, ref)}
	if strings.HasPrefix(ref, "R-") {
		cs = []Command{teach(mailflow.VerbMitigation, ref), teach(mailflow.VerbLikelihood, ref), teach(mailflow.VerbNote, ref)}
	}
	return ReplyHelp{What: ref, Commands: cs, Notes: true}
}

// Help returns the commands for another try after an error.
func (e Error) Help() ReplyHelp {
	if !e.CanReply || e.Refusal != "" {
		return ReplyHelp{}
	}
	item := e.Example()
	if len(e.Candidates) > 0 {
		item = e.Candidates[0]
	}
	return ReplyHelp{What: "items", Commands: itemCommands(item, "", ""), Notes: false}
}

// Help is empty: the status report is not answered by commands.
func (Status) Help() ReplyHelp { return ReplyHelp{} }

// Meta is the line under an item: owner, due date and how late it is.
func (i Item) Meta() string {
	var parts []string
	if i.Owner != "" {
		parts = append(parts, i.Owner)
	} else {
		parts = append(parts, "no owner")
	}
	if i.Due != "" {
		parts = append(parts, "due "+i.Due)
	} else {
		parts = append(parts, "no due date")
	}
	switch {
	case i.DaysOverdue > 0:
		parts = append(parts, plural(i.DaysOverdue, "day", "days")+" overdue")
	case i.Status == "done":
		parts = append(parts, "done")
	case i.Status == "cancelled":
		parts = append(parts, "cancelled")
	case i.Progress > 0:
		parts = append(parts, strconv.Itoa(i.Progress)+"% done")
	}
	return strings.Join(parts, " · ")
}

// Rating is a risk's likelihood and impact in words.
func (r Risk) Rating() string {
	l, i := r.Likelihood, r.Impact
	if l == "" {
		l = "?"
	}
	if i == "" {
		i = "?"
	}
	return "likelihood " + l + " × impact " + i
}

// Meta is the line under a risk: its rating, owner and status.
func (r Risk) Meta() string {
	parts := []string{r.Rating()}
	if r.Owner != "" {
		parts = append(parts, r.Owner)
	}
	if r.Status != "" {
		parts = append(parts, r.Status)
	}
	return strings.Join(parts, " · ")
}

// Help is empty for a confirmation request: its text says the one word a
// reply takes.
func (c Confirm) Help() ReplyHelp { return ReplyHelp{} }
