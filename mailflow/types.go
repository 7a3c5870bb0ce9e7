package mailflow

import (
	"fmt"
	"strings"
)

// Person is someone named in minutes or on the roster.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// String returns "Name <email>", or whichever half is known.
func (p Person) String() string {
	switch {
	case p.Name != "" && p.Email != "":
		return p.Name + " <" + p.Email + ">"
	case p.Email != "":
		return p.Email
	default:
		return p.Name
	}
}

// Role is what a roster member may do by email.
type Role string

const (
	// RoleChair may change any item or risk of the project.
	RoleChair Role = "chair"
	// RoleMember may change what they own and add notes to the rest.
	RoleMember Role = "member"
)

// Member is a person on a project's roster.
type Member struct {
	Person
	Role Role `json:"role"`
}

// Level grades a risk's likelihood or impact.
type Level string

const (
	LevelUnknown Level = ""
	LevelLow     Level = "low"
	LevelMedium  Level = "medium"
	LevelHigh    Level = "high"
)

// Score returns 1, 2 or 3 for low, medium and high, and 0 when unknown, so
// that likelihood × impact orders a risk register.
func (l Level) Score() int {
	switch l {
	case LevelLow:
		return 1
	case LevelMedium:
		return 2
	case LevelHigh:
		return 3
	}
	return 0
}

// ItemStatus is the state of an action item.
type ItemStatus string

const (
	ItemOpen      ItemStatus = "open"
	ItemDone      ItemStatus = "done"
	ItemCancelled ItemStatus = "cancelled"
)

// RiskStatus is the state of a risk.
type RiskStatus string

const (
	RiskOpen   RiskStatus = "open"
	RiskClosed RiskStatus = "closed"
)

// ActionItem is a task with an owner and usually a due date.
type ActionItem struct {
	Ref       string     `json:"ref,omitempty"`
	Text      string     `json:"text"`
	Owner     string     `json:"owner"`            // email when known, else the name as written
	Owners    []string   `json:"owners,omitempty"` // all owners when several were named
	OwnerText string     `json:"owner_text,omitempty"`
	Due       Date       `json:"due"`
	DueText   string     `json:"due_text,omitempty"`
	Status    ItemStatus `json:"status"`
	Line      int        `json:"line,omitempty"`
}

// Risk is an uncertain event that would hurt the project.
type Risk struct {
	Ref            string     `json:"ref,omitempty"`
	Description    string     `json:"description"`
	Likelihood     Level      `json:"likelihood"`
	LikelihoodText string     `json:"likelihood_text,omitempty"`
	Impact         Level      `json:"impact"`
	ImpactText     string     `json:"impact_text,omitempty"`
	Mitigation     string     `json:"mitigation"`
	Owner          string     `json:"owner"`
	OwnerText      string     `json:"owner_text,omitempty"`
	Trigger        string     `json:"trigger,omitempty"`
	Status         RiskStatus `json:"status"`
	Line           int        `json:"line,omitempty"`
}

// Severity is likelihood × impact (0 when either is unknown).
func (r Risk) Severity() int { return r.Likelihood.Score() * r.Impact.Score() }

// Decision is something the meeting agreed.
type Decision struct {
	Text string `json:"text"`
	Line int    `json:"line,omitempty"`
}

// Milestone is a milestone or go-live date the minutes record.
type Milestone struct {
	Name     string `json:"name"`
	Date     Date   `json:"date"`
	DateText string `json:"date_text,omitempty"`
	Done     bool   `json:"done,omitempty"`
	Line     int    `json:"line,omitempty"`
}

// ChangeKind says what a schedule or scope change touches.
type ChangeKind string

const (
	ChangeSchedule ChangeKind = "schedule"
	ChangeScope    ChangeKind = "scope"
	ChangeOther    ChangeKind = "change"
)

// Change is a schedule or scope change recorded in minutes.
type Change struct {
	Kind ChangeKind `json:"kind"`
	Text string     `json:"text"`
	Line int        `json:"line,omitempty"`
}

// Problem is something in a message that mailflow could not understand and
// that the sender should hear about. The item it concerns is still stored.
type Problem struct {
	Line   int    `json:"line,omitempty"`
	Text   string `json:"text,omitempty"`
	Reason string `json:"reason"`
}

// String reads "line 4: no owner (ACTION: draft the plan)".
func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	b.WriteString(p.Reason)
	if p.Text != "" {
		fmt.Fprintf(&b, " (%s)", p.Text)
	}
	return b.String()
}

// Meeting is the meeting that minutes describe.
type Meeting struct {
	Title     string   `json:"title"`
	Date      Date     `json:"date"`
	Chair     string   `json:"chair,omitempty"`
	Attendees []Person `json:"attendees"`
	Regrets   []Person `json:"regrets,omitempty"`
}

// Minutes is everything understood from one minutes message.
type Minutes struct {
	Meeting     Meeting      `json:"meeting"`
	ActionItems []ActionItem `json:"action_items"`
	Risks       []Risk       `json:"risks"`
	Decisions   []Decision   `json:"decisions"`
	Changes     []Change     `json:"changes"`
	Milestones  []Milestone  `json:"milestones"`
	Asks        []Decision   `json:"asks"` // decisions and help the minutes ask of leadership
	Problems    []Problem    `json:"problems"`
	// Notes is the rest of the minutes as written — summary, discussion —
	// without the lists mailflow renders itself (action items, risks,
	// decisions, attendees), so that the distributed minutes keep the
	// meeting. It is cut at MaxNotes bytes, with a marker saying so.
	Notes string `json:"notes,omitempty"`
	// NextMeeting is the text of the minutes' "Next meeting: …" line.
	NextMeeting string `json:"next_meeting,omitempty"`
}

// MaxNotes bounds Minutes.Notes.
const MaxNotes = 32 << 10

// MessageKind classifies an incoming message.
type MessageKind string

const (
	KindMinutes MessageKind = "minutes"
	KindReply   MessageKind = "reply"
	KindOther   MessageKind = "other"
)

// MailKind names a kind of mail mailflow sends; it is the value of the
// X-Mailflow-Kind header and selects the template.
type MailKind string

const (
	MailMinutes  MailKind = "minutes"
	MailReminder MailKind = "reminder"
	MailStatus   MailKind = "status"
	MailAck      MailKind = "ack"
	MailError    MailKind = "error"
	// MailConfirm asks the sender of minutes that could not be
	// authenticated to confirm them before anything is recorded.
	MailConfirm MailKind = "confirm"
)

// Command is one instruction understood from a reply line, such as
// "close A-12" or "R-3 mitigation: weekly vendor call".
type Command struct {
	Verb  Verb   `json:"verb"`
	Ref   string `json:"ref,omitempty"`
	Value string `json:"value,omitempty"`
	// Note is a reason or comment that came with the command ("reopen A-5
	// - the vendor sent the wrong file"); the engine records it as a note
	// on the thing after applying the command.
	Note string `json:"note,omitempty"`
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Verb is what a command does.
type Verb string

const (
	VerbDone       Verb = "done"
	VerbReopen     Verb = "reopen"
	VerbCancel     Verb = "cancel"
	VerbDue        Verb = "due"
	VerbReassign   Verb = "reassign"
	VerbNote       Verb = "note"
	VerbProgress   Verb = "progress"
	VerbMitigation Verb = "mitigation"
	VerbLikelihood Verb = "likelihood"
	VerbImpact     Verb = "impact"
	VerbEscalate   Verb = "escalate"
)

// RefKind reports whether ref names an action item ("A-12") or a risk
// ("R-3"), or neither.
func RefKind(ref string) string {
	switch {
	case strings.HasPrefix(ref, "A-"):
		return "item"
	case strings.HasPrefix(ref, "R-"):
		return "risk"
	}
	return ""
}
