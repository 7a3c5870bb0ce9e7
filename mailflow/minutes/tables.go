package minutes

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"mailflow/mailflow"
)

// Limits on one table.
const (
	maxTableRows  = 2000
	maxTableCells = 64
)

// table is a Markdown pipe table (or an HTML table, which mailtext renders
// as one), a tab-separated table pasted from a spreadsheet, or a plain-text
// table whose columns line up under a recognisable header.
type table struct {
	header []string
	rows   []tableRow
}

type tableRow struct {
	n     int
	cells []string
}

// column is what a table column holds.
type column int

const (
	colNone column = iota
	colAction
	colOwner
	colDue
	colStatus
	colRisk
	colDescription // an action or a risk, depending on the table
	colLikelihood
	colImpact
	colMitigation
	colTrigger
	colDecision
	colTopic // "Discussion point", "Question": what a row is about
	colItem  // "Item", "What": the action when the table has an owner or due column
	colMixed // "Notes / Action items": discussion with the actions in it
	colNotes // "Notes", "Minutes", "Comments": discussion, read as prose
	colMilestone
	colDeliverable // a milestone in a table of dates, else the action
	colBaseline    // the date a milestone was first planned for
	colForecast    // the date it is now expected
	colActual      // the date it was met
	colIgnored     // "#", "Priority": known, not read
)

var columnNames = map[string]column{
	"action": colAction, "actions": colAction, "action item": colAction, "action items": colAction,
	"task": colAction, "tasks": colAction, "item": colItem, "items": colItem, "what": colItem,
	"to do": colAction, "todo": colAction, "activity": colItem, "deliverable": colDeliverable, "next step": colAction,
	"deliverables": colDeliverable, "milestone": colMilestone, "milestones": colMilestone, "key milestone": colMilestone,
	"phase": colMilestone, "stage": colMilestone, "baseline": colBaseline, "baseline date": colBaseline,
	"original date": colBaseline, "planned date": colBaseline, "original target": colBaseline,
	"forecast": colForecast, "forecast date": colForecast, "revised date": colForecast, "current forecast": colForecast,
	"expected date": colForecast, "revised target": colForecast, "revised forecast": colForecast, "actual": colActual,
	"actual date": colActual, "date achieved": colActual, "achieved": colActual, "date completed": colActual,
	"rag": colStatus, "rag status": colStatus, "health": colStatus, "date raised": colIgnored, "raised": colIgnored,
	"date opened": colIgnored, "opened": colIgnored, "date added": colIgnored, "date logged": colIgnored,
	"raised on": colIgnored, "meeting date": colIgnored,
	"next steps": colAction, "follow-up": colAction, "follow up": colAction, "action point": colAction,
	"owner": colOwner, "owners": colOwner, "who": colOwner, "responsible": colOwner, "responsible person": colOwner,
	"assigned to": colOwner, "assignee": colOwner, "assigned": colOwner, "action owner": colOwner, "lead": colOwner,
	"person": colOwner, "by whom": colOwner, "accountable": colOwner, "risk owner": colOwner, "name": colOwner,
	"due": colDue, "due date": colDue, "when": colDue, "deadline": colDue, "target": colDue, "target date": colDue,
	"date due": colDue, "by when": colDue, "due by": colDue, "eta": colDue, "completion date": colDue, "by": colDue,
	"date":   colDue,
	"status": colStatus, "state": colStatus, "done": colStatus, "progress": colStatus, "complete": colStatus,
	"risk": colRisk, "risks": colRisk, "risk description": colRisk, "threat": colRisk, "risk/issue": colRisk,
	"description": colDescription, "issue": colDescription, "details": colDescription,
	"likelihood": colLikelihood, "probability": colLikelihood, "prob": colLikelihood, "chance": colLikelihood,
	"p": colLikelihood, "l": colLikelihood,
	"impact": colImpact, "severity": colImpact, "consequence": colImpact, "i": colImpact, "s": colImpact,
	"mitigation": colMitigation, "mitigations": colMitigation, "response": colMitigation, "mitigation plan": colMitigation,
	"contingency": colMitigation, "treatment": colMitigation, "mitigation/response": colMitigation, "plan": colMitigation,
	"trigger": colTrigger, "triggers": colTrigger, "early warning": colTrigger,
	"decision": colDecision, "decisions": colDecision, "resolution": colDecision, "agreed": colDecision,
	"#": colIgnored, "no": colIgnored, "nr": colIgnored, "id": colIgnored, "ref": colIgnored, "number": colIgnored,
	"notes": colNotes, "note": colNotes, "comments": colNotes, "comment": colNotes, "remarks": colNotes,
	"update": colNotes, "updates": colNotes, "minutes": colNotes, "discussion": colNotes, "summary": colNotes,
	"priority": colIgnored, "score": colIgnored, "rating": colIgnored,
	"category": colIgnored, "type": colIgnored, "topic": colTopic, "area": colIgnored, "created": colIgnored,
	"discussion point": colTopic, "question": colTopic, "subject": colTopic, "agenda item": colTopic,
	"agenda": colTopic, "issue/topic": colTopic, "discussion item": colTopic,
}

// columnOf reads a header cell: "Owner(s)", "**Due date**", "Likelihood
// (1-5)".
func columnOf(h string) column {
	h = strings.ToLower(strings.TrimSpace(plainText(h)))
	if i := strings.IndexAny(h, "(["); i > 0 {
		h = strings.TrimSpace(h[:i])
	}
	h = strings.Trim(h, " :*?.")
	if c, ok := columnNames[h]; ok {
		return c
	}
	return compoundColumn(h)
}

// compoundColumn reads a header that names more than one thing:
// "Actions: Responsible / Note" holds the actions; "Notes / Action
// Items" holds discussion with actions in it.
func compoundColumn(h string) column {
	action := strings.Contains(h, "action") || strings.Contains(h, "next step") || strings.Contains(h, "follow-up")
	notes := strings.Contains(h, "note") || strings.Contains(h, "discussion") || strings.Contains(h, "minutes") ||
		strings.Contains(h, "summary") || strings.Contains(h, "comment")
	switch {
	case action && (strings.HasPrefix(h, "action") || strings.HasPrefix(h, "next step") || strings.HasPrefix(h, "follow")):
		return colAction
	case action && notes:
		return colMixed
	}
	return colNone
}

var reSepCell = regexp.MustCompile(`^:?-{2,}:?$|^=+$|^\+?[-=+]+\+?$`)

// pipeCells splits "| a | b |" into its cells.
func pipeCells(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "|")
	s = strings.TrimSuffix(s, "|")
	parts := strings.Split(s, "|")
	if len(parts) > maxTableCells {
		parts = parts[:maxTableCells]
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(cellTags(parts[i]))
	}
	return parts
}

// cellTags turns the HTML line breaks and paragraphs that Markdown tables
// carry in their cells ("…as well.<br><br>CT: Break this down") into
// spaces.
func cellTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	return cellTagReplacer.Replace(s)
}

var cellTagReplacer = strings.NewReplacer("<br>", " ", "<br/>", " ", "<br />", " ", "<p>", " ", "</p>", " ",
	"<BR>", " ", "<ul>", " ", "</ul>", " ", "<li>", " ", "</li>", " ", "<ol>", " ", "</ol>", " ")

func isSeparatorRow(cells []string) bool {
	if len(cells) == 0 {
		return false
	}
	for _, c := range cells {
		if c != "" && !reSepCell.MatchString(c) {
			return false
		}
	}
	return true
}

// knownColumns counts the header cells mailflow can read.
func knownColumns(cells []string) int {
	n := 0
	for _, c := range cells {
		if columnOf(c) != colNone {
			n++
		}
	}
	return n
}

// readTable reads a table starting at lines[i]. It returns nil when there
// is none, else the table and the index of the first line after it.
func readTable(lines []line, i int) (*table, int) {
	l := lines[i]
	switch {
	case strings.IndexByte(l.text, '|') >= 0:
		return readPipeTable(lines, i)
	case strings.IndexByte(l.text, '\t') >= 0:
		return readSplitTable(lines, i, func(s string) []string { return strings.Split(s, "\t") })
	case strings.Contains(l.text, "  "):
		return readAlignedTable(lines, i)
	}
	return nil, i
}

func readPipeTable(lines []line, i int) (*table, int) {
	start := i
	if isRule(lines[i].text) || strings.HasPrefix(lines[i].text, "+") {
		i++ // a grid table's top border
		if i >= len(lines) {
			return nil, start
		}
	}
	header := pipeCells(lines[i].text)
	if len(header) < 2 || lines[i].quoted {
		return nil, start
	}
	next := i + 1
	hasSep := next < len(lines) && strings.ContainsAny(lines[next].text, "-=") && isSeparatorRow(pipeCells(lines[next].text))
	if !hasSep && knownColumns(header) < 2 {
		return nil, start
	}
	if hasSep {
		next++
	}
	t := &table{header: header}
	for ; next < len(lines); next++ {
		l := lines[next]
		if l.quoted || l.text == "" || (strings.IndexByte(l.text, '|') < 0 && !strings.HasPrefix(l.text, "+")) {
			break
		}
		cells := pipeCells(l.text)
		if isSeparatorRow(cells) || strings.HasPrefix(l.text, "+") {
			continue
		}
		if len(t.rows) < maxTableRows {
			t.rows = append(t.rows, tableRow{n: l.n, cells: cells})
		}
	}
	return t, next
}

// readSplitTable reads rows split by split (tabs), under a header whose
// cells mailflow recognises.
func readSplitTable(lines []line, i int, split func(string) []string) (*table, int) {
	header := trimCells(split(lines[i].text))
	if len(header) < 2 || knownColumns(header) < 2 {
		return nil, i
	}
	t := &table{header: header}
	next := i + 1
	for ; next < len(lines); next++ {
		l := lines[next]
		if l.quoted || l.text == "" {
			break
		}
		cells := trimCells(split(l.text))
		if len(cells) < 2 {
			break
		}
		if len(t.rows) < maxTableRows {
			t.rows = append(t.rows, tableRow{n: l.n, cells: cells})
		}
	}
	return t, next
}

func trimCells(cells []string) []string {
	if len(cells) > maxTableCells {
		cells = cells[:maxTableCells]
	}
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

var reWideGap = regexp.MustCompile(`\S(?:\s{2,})\S`)

// readAlignedTable reads a plain-text table whose header cells are
// separated by two or more spaces and all name known columns ("Action
// Owner   Due"); rows are cut at the header's column positions.
func readAlignedTable(lines []line, i int) (*table, int) {
	l := lines[i]
	var starts []int
	starts = append(starts, 0)
	for _, m := range reWideGap.FindAllStringIndex(l.text, maxTableCells) {
		starts = append(starts, m[1]-1)
	}
	if len(starts) < 2 {
		return nil, i
	}
	header := cutColumns(l.text, starts)
	if knownColumns(header) != len(header) {
		return nil, i
	}
	t := &table{header: header}
	next := i + 1
	if next < len(lines) && isRule(lines[next].text) {
		next++
	}
	for ; next < len(lines); next++ {
		r := lines[next]
		if r.quoted || r.text == "" {
			break
		}
		// Columns are positions in the original line: re-indent the row
		// relative to the header.
		text := strings.Repeat(" ", max(0, r.indent-l.indent)) + r.text
		cells := cutColumns(text, starts)
		if filled(cells) == 1 && len(t.rows) > 0 {
			// A wrapped row: one cell's text goes on under it.
			prev := t.rows[len(t.rows)-1].cells
			for j := range cells {
				if cells[j] != "" && j < len(prev) {
					prev[j] = strings.TrimSpace(prev[j] + " " + cells[j])
				}
			}
			continue
		}
		if len(t.rows) < maxTableRows {
			t.rows = append(t.rows, tableRow{n: r.n, cells: cells})
		}
	}
	return t, next
}

func filled(cells []string) int {
	n := 0
	for _, c := range cells {
		if c != "" {
			n++
		}
	}
	return n
}

func cutColumns(s string, starts []int) []string {
	cells := make([]string, len(starts))
	for j, st := range starts {
		if st >= len(s) {
			break
		}
		end := len(s)
		if j+1 < len(starts) && starts[j+1] < len(s) {
			end = starts[j+1]
		}
		cells[j] = strings.TrimSpace(s[st:end])
	}
	return cells
}

// tableKind says what a table's rows are.
type tableKind int

const (
	tableNone tableKind = iota
	tableActions
	tableRisks
	tableDecisions
	tableMilestones
)

// layout maps a table's columns, deciding from the header (and the
// section it is in) whether its rows are actions, risks or decisions.
func layout(header []string, sec section) (tableKind, []column) {
	cols := make([]column, len(header))
	var has [colIgnored + 1]bool
	for i, h := range header {
		cols[i] = columnOf(h)
		has[cols[i]] = true
	}
	dropRaisedDate(header, cols)
	risks := has[colLikelihood] || has[colImpact] || has[colRisk] || (sec == secRisks && (has[colDescription] || has[colMitigation]))
	if !risks && milestoneTable(&has, sec) {
		return tableMilestones, milestoneColumns(cols, &has)
	}
	// Outside a table of dates, a deliverable is what is to be done and a
	// phase what the row is about.
	for i, c := range cols {
		switch c {
		case colDeliverable:
			cols[i], has[colItem] = colItem, true
		case colMilestone:
			cols[i], has[colTopic] = colTopic, true
		case colForecast:
			if !has[colDue] {
				cols[i], has[colDue] = colDue, true
				continue
			}
			cols[i] = colIgnored
		case colBaseline, colActual:
			cols[i] = colIgnored
		}
	}
	kind := tableNone
	switch {
	case risks:
		kind = tableRisks
	case has[colDecision] && !has[colOwner] && !has[colAction]:
		kind = tableDecisions // a date beside a decision is the day it was taken
	case has[colAction] || (has[colOwner] && has[colDue]) || (has[colDescription] && (has[colOwner] || has[colDue])):
		kind = tableActions
	case (has[colItem] || has[colMixed]) && (has[colOwner] || has[colDue]):
		kind = tableActions
	case sec == secActions && (has[colOwner] || has[colDue] || has[colItem]):
		kind = tableActions
	}
	for i, c := range cols {
		switch {
		case c == colItem && kind == tableActions && !has[colAction]:
			cols[i] = colAction
			has[colAction] = true
		case c == colItem:
			cols[i] = colTopic
		case c == colMixed && kind == tableActions && !has[colAction]:
			// The actions are among the notes: read there, with the owner
			// column's name for those that name nobody.
		case c == colMixed:
			cols[i] = colNotes
		case kind == tableRisks && (c == colDescription || (c == colNone && i == 0 && !has[colRisk])):
			cols[i] = colRisk
		case kind == tableRisks && c == colAction:
			cols[i] = colMitigation // "Action" in a risk register is the response
		case kind == tableActions && (c == colDescription || (c == colNone && !has[colAction] && !has[colDescription] && !has[colMixed])):
			cols[i] = colAction
			has[colAction] = true
		}
	}
	return kind, cols
}

// dropRaisedDate ignores a column headed only "Date" when another column
// gives the due date: in an action log, "| Date | Action | Owner | Due |",
// it is the day the action was raised.
func dropRaisedDate(header []string, cols []column) {
	due := 0
	for _, c := range cols {
		if c == colDue {
			due++
		}
	}
	if due < 2 {
		return
	}
	for i, h := range header {
		if cols[i] == colDue && strings.EqualFold(strings.Trim(plainText(h), " :*"), "date") {
			cols[i] = colIgnored
			return
		}
	}
}

// milestoneTable reports whether a table's columns make it a table of
// milestones: a milestone, deliverable or phase with its dates — planned,
// forecast, achieved — and no action or owner of an action.
func milestoneTable(has *[colIgnored + 1]bool, sec section) bool {
	dated := has[colDue] || has[colBaseline] || has[colForecast] || has[colActual]
	switch {
	case !dated || has[colAction]:
		return false
	case has[colMilestone] || sec == secMilestones:
		return true
	case has[colDeliverable]:
		return !has[colOwner] || has[colBaseline] || has[colForecast]
	}
	return false
}

// milestoneColumns names the milestone column of a table of milestones:
// the milestone or deliverable column, or else the first column of text.
func milestoneColumns(cols []column, has *[colIgnored + 1]bool) []column {
	if has[colMilestone] {
		return cols
	}
	for _, want := range []column{colDeliverable, colItem, colTopic, colDescription, colNone, colOwner} {
		for i, c := range cols {
			if c == want {
				cols[i] = colMilestone
				return cols
			}
		}
	}
	return cols
}

// addTable stores the rows of a table as items, risks or decisions. The
// cells of discussion — a notes column, or every cell of a table that is
// none of those — are read as prose.
func (p *parser) addTable(t *table, sec section) {
	kind, cols := layout(t.header, sec)
	for _, row := range t.rows {
		if len(row.cells) == len(t.header) && strings.EqualFold(strings.Join(row.cells, "|"), strings.Join(t.header, "|")) {
			continue // the header repeated on a new page
		}
		get := func(c column) string {
			for i, col := range cols {
				if col == c && i < len(row.cells) {
					return strings.TrimSpace(plainText(row.cells[i]))
				}
			}
			return ""
		}
		raw := "| " + strings.Join(row.cells, " | ") + " |"
		p.line = raw
		switch kind {
		case tableActions:
			p.tableAction(row.n, raw, get)
			if has(cols, colDecision) {
				p.tableDecision(row.n, get) // "| Topic | Decision | Action | Owner |"
			}
		case tableRisks:
			p.tableRisk(row.n, raw, get)
		case tableDecisions:
			p.tableDecision(row.n, get)
		case tableMilestones:
			p.tableMilestone(row.n, raw, get)
		}
		for i, cell := range row.cells {
			if i < len(cols) && (cols[i] == colNotes || kind == tableNone && cols[i] != colIgnored) {
				p.cellProse(row.n, raw, cell)
			}
		}
	}
}

func has(cols []column, c column) bool {
	for _, col := range cols {
		if col == c {
			return true
		}
	}
	return false
}

// cellProse reads a cell of discussion as prose.
func (p *parser) cellProse(n int, raw, cell string) {
	if wordCount(cell) < 4 {
		return
	}
	parts := inlineList(cell)
	if parts == nil {
		parts = []string{cell}
	}
	for _, part := range parts {
		e := entry{n: n, text: part, first: raw, parent: -1}
		p.prose(&e)
	}
	p.line = raw
}

// tableDecision stores a row of a decisions table; the question or topic
// it answers goes before it ("Meeting Schedule: Once per month").
func (p *parser) tableDecision(n int, get func(column) string) {
	text := tidyText(strings.TrimLeftFunc(get(colDecision), isMark))
	if text == "" || isNothing(text) {
		return
	}
	if topic := tidyText(get(colTopic)); topic != "" && !strings.HasPrefix(text, "(") {
		text = strings.TrimRight(topic, " ?") + ": " + text
	} else if topic != "" {
		text = topic + " " + text
	}
	p.addDecision(text, n)
}

// isMark reports whether r is a symbol people put before a cell's text:
// ✅, ℹ️, 🚨, •.
func isMark(r rune) bool {
	return r > 0x2000 && !unicode.IsLetter(r) && !unicode.IsDigit(r) || r == ' ' || r == '\ufe0f'
}

func (p *parser) tableAction(n int, raw string, get func(column) string) {
	text, owner, due, status := get(colAction), get(colOwner), get(colDue), get(colStatus)
	if text == "" {
		if mixed := get(colMixed); mixed != "" {
			p.mixedActions(n, raw, mixed, owner, due)
			return
		}
	}
	if isNothing(text) && owner == "" && due == "" {
		return // an empty row
	}
	if isNothing(text) {
		p.problem(n, raw, "table row has no action")
		return
	}
	if noAction(text) {
		return
	}
	var st mailflow.ItemStatus
	if s, ok := statusTags[strings.ToLower(firstWord(status))]; ok && status != "" {
		st = s
	} else if isDoneMark(status) {
		st = mailflow.ItemDone
	}
	for _, one := range cellItems(text) {
		p.addAction(action{n: n, raw: raw, text: one, owner: owner, due: due, column: true, status: st})
	}
}

// mixedActions reads the actions among the notes of a "Notes / Action
// items" cell: sentences that give someone a task, start with a verb
// ("Find out which …", "CT: Break this down …") or set a date. The
// owner column names whoever the sentence does not.
func (p *parser) mixedActions(n int, raw, cell, owner, due string) {
	for _, s := range sentences(cell) {
		a, assigns := p.assignmentIn(s)
		assigns = assigns && (a.kind == subjectPerson || a.kind == subjectGroup) && !conditional(a.task)
		if decisionIn(s) && !(assigns && isAgree(a.via) && a.kind == subjectPerson && !isAcronym(a.owner)) {
			p.addDecision(decisionText(s), n) // "Marcin agreed to test …" is Marcin's action only
		}
		if assigns {
			p.addAction(action{n: n, raw: raw, text: a.task, owner: a.owner, fixed: true})
			continue
		}
		if speaker, remark, ok := p.speakerRemark(s); ok && verbs[strings.ToLower(firstField(remark))] {
			p.addAction(action{n: n, raw: raw, text: remark, owner: speaker, fixed: true})
			continue
		}
		if verbs[strings.ToLower(firstField(s))] && startsUpper(s) || p.datedNote(s) {
			p.addAction(action{n: n, raw: raw, text: s, owner: owner, due: due, column: true})
		}
	}
}

// datedNote reports whether a note sets a date for something: "close
// initial PRs by next week", "for review next week".
func (p *parser) datedNote(s string) bool {
	lower := strings.ToLower(s)
	if strings.Contains(lower, "next week") || strings.Contains(lower, "next session") {
		return true
	}
	return p.hasDue(strings.TrimRight(s, ". "))
}

// noAction reports whether an action cell says there is none: "Agenda
// skipped", "Not discussed", "Deferred".
func noAction(text string) bool {
	lower := strings.ToLower(text)
	for _, w := range []string{"skipped", "not discussed", "deferred", "no action", "none required", "nothing to do"} {
		if strings.Contains(lower, w) && wordCount(text) <= 10 {
			return true
		}
	}
	return false
}

// cellItems splits an action cell that holds several items: a list the
// HTML table flattened ("1. Hwang to share … 2. Eystein to …"), or
// sentences that each end with their owner ("Initiate … (Christian
// Taylor). Resolve … (Adam Dean).").
func cellItems(text string) []string {
	if parts := inlineList(text); len(parts) > 0 {
		return parts
	}
	ss := sentences(text)
	if len(ss) < 2 {
		return []string{text}
	}
	var out []string
	for _, s := range ss {
		if isAside(strings.TrimRight(s, ". ")) && len(out) > 0 {
			out[len(out)-1] += " " + s // "… continue building. (Christian Taylor)."
			continue
		}
		out = append(out, s)
	}
	for _, s := range out {
		if !strings.HasSuffix(strings.TrimRight(s, ". "), ")") {
			return []string{text}
		}
	}
	return out
}

// inlineList splits "1. a 2. b 3. c" into its items, and "Agreed on 1.
// Glossary 2. Comms plan" into the text before the list and its items.
// It returns nil when the text holds no such list.
func inlineList(text string) []string {
	var out []string
	rest := text
	if r, num, ok := listMarker(text); ok && num == 1 {
		rest = r
	} else if i := strings.Index(text, " 1. "); i > 0 {
		out = append(out, strings.TrimSpace(text[:i]))
		rest = text[i+4:]
	} else {
		return nil
	}
	for n := 2; n < 100; n++ {
		mark := " " + strconv.Itoa(n) + ". "
		i := strings.Index(rest, mark)
		if i < 0 {
			break
		}
		out = append(out, strings.TrimSpace(rest[:i]))
		rest = rest[i+len(mark):]
	}
	return append(out, strings.TrimSpace(rest))
}

// isDoneMark reads the ticks people put in a Done column.
func isDoneMark(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "✓", "✔", "✅", "☑", "☒", "yes", "y", "x", "100%", "complete", "completed", "done", "closed":
		return true
	}
	return false
}

func (p *parser) tableRisk(n int, raw string, get func(column) string) {
	desc := tidyText(get(colRisk))
	if isNothing(desc) || !hasLetter(desc) {
		if get(colLikelihood) != "" || get(colImpact) != "" || get(colMitigation) != "" {
			p.problem(n, raw, "risk table row has no description")
		}
		return
	}
	r := mailflow.Risk{Description: tidyText(desc), Status: mailflow.RiskOpen, Line: n}
	if v := get(colLikelihood); v != "" {
		r.LikelihoodText, r.Likelihood = v, ParseLevel(v)
	}
	if v := get(colImpact); v != "" {
		r.ImpactText, r.Impact = v, ParseLevel(v)
	}
	r.Mitigation = tidyText(get(colMitigation))
	r.Trigger = tidyText(get(colTrigger))
	if owner := get(colOwner); owner != "" && !isNothing(owner) {
		p.setRiskField(&r, "owner", owner, n)
	}
	if st := strings.ToLower(get(colStatus)); st != "" {
		p.setRiskField(&r, "status", st, n)
	}
	p.checkLevels(&r, n)
	p.out.Risks = append(p.out.Risks, r)
}
