package templates

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
}

// OwnerItems groups items under an owner.
type OwnerItems struct {
	Owner string
	Items []Item
}

// Activity is one line of what changed since the last report.
type Activity struct {
	When string
	Who  string
	What string
}

// Status is the data of the leadership report.
type Status struct {
	Common
	PeriodFrom      string
	PeriodTo        string
	Open            int
	ClosedSince     int
	Overdue         int
	OnTimePercent   int
	OnTimeKnown     bool
	Activity        []Activity
	OverdueByOwner  []OwnerItems
	Upcoming        []Item
	Decisions       []string
	Changes         []Change
	Risks           []Risk
	ChartCID        string // Content-ID of the inline PNG chart, "" for none
	ChartAlt        string
	ActivityOmitted int
	// OpenedSince counts items created in the period (0 hides the figure).
	OpenedSince int
	// Weeks are the chart's numbers, shown as a table in the text part.
	Weeks []Week
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
	Items      []Item
	Risks      []Risk
	Decisions  []string
}
