package templates

import (
	"strconv"
	"strings"
)

// Common is in every mail's data.
type Common struct {
	Project        string // project name
	ProjectAddress string // where replies go
	RecipientName  string
	// RecipientEmail is the address the mail goes to; it picks out the
	// recipient's own items (Minutes.Yours) and the reply help's examples.
	RecipientEmail string
	// CanReply is true when a reply to this mail can act on it (it carries a
	// signed Reply-To), so the footer shows the reply commands.
	CanReply bool
	// ExampleRef is an item ref used in the reply help ("A-12 due Dec 9").
	ExampleRef string
}

// Example returns ExampleRef, or "A-1" when there is none.
func (c Common) Example() string {
	if c.ExampleRef == "" {
		return "A-1"
	}
	return c.ExampleRef
}

// Item is an action item as a mail shows it.
type Item struct {
	Ref         string
	Text        string
	Owner       string // display name or address
	OwnerEmail  string // the owner's address, "" when the owner is only a name
	Due         string // "Tue 1 Dec 2026", "" when none
	DueISO      string
	Status      string // open | done | cancelled | overdue
	DaysOverdue int
	DaysLeft    int
	Progress    int
	Note        string // latest note, if any
	Change      string // for corrected minutes: "new", "changed", "cancelled"
	By          string // in the status report: who closed it
	Was         string // in the status report: its due date before it slipped
}

// Risk is a risk as a mail shows it.
type Risk struct {
	Ref         string
	Description string
	Likelihood  string // low | medium | high | ""
	Impact      string
	Severity    int // likelihood × impact, 0-9
	Mitigation  string
	Owner       string
	OwnerEmail  string
	Status      string
	Escalated   bool
	Trigger     string
	Missing     string // in a reminder: what the risk still lacks ("a mitigation")
}

// Change is a schedule or scope change.
type Change struct {
	Kind string
	Text string
}

// Minutes is the data of the minutes mail.
type Minutes struct {
	Common
	Title     string
	Date      string
	Chair     string
	Attendees []string
	Regrets   []string
	Decisions []string
	Items     []Item
	Cancelled []Item // items dropped by corrected minutes
	Risks     []Risk
	Changes   []Change
	// Problems are shown only in the copy that goes to the sender.
	Problems  []string
	Corrected bool // these minutes replace an earlier version
	HasICS    bool
	// Notes is the rest of the minutes as written (summary, discussion),
	// so participants get the meeting, not only its lists; NextMeeting is
	// the minutes' "next meeting" line.
	Notes       string
	NextMeeting string
	// memo keeps the shared sections rendered for all the readers of the
	// same minutes (WithMemo); nil renders them for this mail alone.
	memo *Memo
	// mail, set while the mail is rendered (Render), holds what Yours and
	// Help return: the subject, text and HTML ask for them several times.
	mail *minutesMail
}

// minutesMail is what the methods of one reader's Minutes return.
type minutesMail struct {
	yours []Item
	help  ReplyHelp
}

// forMail returns m with Yours and Help worked out once for the parts of
// the mail to share.
func (m Minutes) forMail() Minutes {
	m.mail = nil
	mail := &minutesMail{yours: m.yours()}
	mail.help = m.help()
	m.mail = mail
	return m
}

// Reminder is the data of one owner's digest.
type Reminder struct {
	Common
	Date     string
	Overdue  []Item
	DueToday []Item
	Upcoming []Item
	Total    int
	HasICS   bool
	// Risks are the reader's risks that lack a mitigation, a likelihood or
	// an impact (Missing says which), asked for at most weekly until a
	// reply supplies them.
	Risks []Risk
}

// OwnerItems groups items under an owner.
type OwnerItems struct {
	Owner string
	Items []Item
}

// Status is the data of the leadership status report: the headline, what
// needs leadership, the schedule, the period's progress and the risk
// register, in the order a CIO reads them.
type Status struct {
	Common
	PeriodFrom string
	PeriodTo   string
	Health     Health
	// Attention is what needs leadership, worst first: escalated and
	// unmitigated high risks, items long overdue, questions the minutes put
	// to leadership.
	Attention  []Attention
	Milestones []Milestone
	// ScopeAdded and ScopeRemoved are scope changes read as such; Changes
	// the other schedule and scope changes, as the minutes put them.
	ScopeAdded   []string
	ScopeRemoved []string
	Changes      []Change
	Open         int
	OpenedSince  int // items created in the period
	Overdue      int
	ClosedSince  int
	// OnTimePercent is the share of items closed in the period that were
	// closed by their due date; OnTimeKnown is false when none had one.
	OnTimePercent  int
	OnTimeKnown    bool
	Closed         []Item // closed in the period; By says who closed each
	New            []Item
	Slipped        []Item // due date moved later in the period; Was says from when
	OverdueByOwner []OwnerItems
	Upcoming       []Item
	Decisions      []string
	Groups         []Group
	// Risks is the top of the register; the whole of it is in the
	// attached spreadsheet (Register names the file, "" for none).
	Risks             []Risk
	RiskTotal         int
	RisksNoMitigation int
	Register          string
	ChartCID          string // Content-ID of the inline PNG chart, "" for none
	ChartAlt          string
	Weeks             []Week // the chart's numbers, a table in the text part
}

// Health is the report's headline: the project's health as a chair set it
// for the period, else as the rules compute it.
type Health struct {
	Level  string // green | amber | red
	Reason string
	// SetBy and SetAt are set when a chair gave the level ("status amber:
	// …"); Computed and ComputedReason are then what the rules say.
	SetBy          string
	SetAt          string
	Computed       string
	ComputedReason string
}

// Headline is the reason's first clause, for the subject line.
func (h Health) Headline() string {
	first, _, _ := strings.Cut(h.Reason, "; ")
	return first
}

// Attention is one thing leadership should act on.
type Attention struct {
	Ref  string // or "" for a question from the minutes
	Text string
	Why  string // "escalated", "high risk, no mitigation", "18 days overdue (Carol Nguyen)", "decision needed"
}

// Milestone is a milestone or go-live date with its countdown.
type Milestone struct {
	Name     string
	Date     string // "Mon 1 Feb 2027", "" when undated
	DaysLeft int    // negative once passed
	Done     bool
	Was      string // the date it had before it last moved later, if it did this period
	SlipDays int
}

// Group is a clinical group of the roster (Nursing, Pharmacy, …) as the
// report shows it: its open work and when its people were last at a
// meeting.
type Group struct {
	Name     string
	Members  int
	Open     int
	Overdue  int
	LastSeen string // the last meeting one of them attended, "" for never
	Absent   bool   // not seen for the configured number of weeks
}

// OverdueText is ", 2 overdue", or "" when nothing is.
func (g Group) OverdueText() string {
	if g.Overdue == 0 {
		return ""
	}
	return ", " + strconv.Itoa(g.Overdue) + " overdue"
}

// SeenText says when the group was last at a meeting.
func (g Group) SeenText() string {
	if g.LastSeen == "" {
		return "not at a meeting yet"
	}
	return "last at a meeting " + g.LastSeen
}

// Week is one week of the status chart.
type Week struct {
	Label  string // "23 Nov", the week's first day
	Open   int    // items open at the end of the week
	Closed int    // items closed during the week
}

// Ack is the data of a confirmation of changes made by a reply.
type Ack struct {
	Common
	Changes []string
	Notes   []string
	Subject string // subject of the reply being answered
}

// CommandError is a reply line that could not be carried out.
type CommandError struct {
	Line    int
	Text    string
	Reason  string
	Example string
}

// Error is the data of a reply explaining what went wrong.
type Error struct {
	Common
	Subject    string
	Errors     []CommandError
	Applied    []string // changes that did go through from the same reply
	Refusal    string   // set when nothing may change (unknown sender, no authentication)
	Candidates []string // refs a bare command could have meant
}

// Confirm asks the member named in the From of minutes that could not be
// authenticated to confirm them: it shows what would be recorded, and
// nothing is until they reply "confirm".
type Confirm struct {
	Common
	Ref        string // "H-12": the held minutes, for a chair's "confirm H-12"
	Subject    string // the minutes' subject
	Received   string // when they arrived, in the project's time zone
	Reason     string // why they could not be authenticated
	Expires    string // the day they expire unpublished
	Recipients int    // how many people they would be mailed to
	Title      string
	Date       string
	// Replaces names the meeting already recorded that these minutes
	// would correct ("EHR steering, Tue 1 Dec"), if they would.
	Replaces  string
	Items     []Item
	Risks     []Risk
	Decisions []string
	// Others are the other minutes in the member's name awaiting their
	// word: a request is sent for only a few a day.
	Others []Held
}

// Held names minutes awaiting confirmation.
type Held struct {
	Ref      string // "H-12"
	Subject  string
	Received string
}
