package docx

import (
	"strconv"
	"strings"
)

// Limits on one table, the same as the minutes parser's and
// mailtext.HTMLToText's: rows and cells past them are not kept.
const (
	maxTableRows  = 2000
	maxTableCells = 64
)

// blockKind is what a rendered block is.
type blockKind uint8

const (
	blockParagraph blockKind = iota
	blockHeading
	blockItem
	blockTable
)

// block is one paragraph, heading, list item or table, ready to be
// written as text.
type block struct {
	kind   blockKind
	level  int    // heading level 1–6, or list level 0–8
	marker string // a list item's "- " or "3. "
	text   string // lines joined by "\n"
	rows   [][]string
}

// paragraph collects the text and properties of an open w:p.
type paragraph struct {
	style    string
	numID    string
	hasNum   bool // the paragraph's own w:numPr names a list (or none, with numId 0)
	ilvl     int  // -1 when the paragraph does not set it
	outline  int  // -1 when the paragraph does not set it
	b        strings.Builder
	striking bool
}

// write adds text; struck-through text is marked "~~…~~" as in Markdown,
// since struck items in minutes are items done or withdrawn.
func (p *paragraph) write(s string, strike bool) {
	if s == "\n" && p.striking {
		p.b.WriteString("~~")
		p.striking = false
	}
	if strike != p.striking && strings.TrimSpace(s) != "" {
		p.b.WriteString("~~")
		p.striking = strike
	}
	p.b.WriteString(s)
}

// finish returns the paragraph's lines, trimmed, without empty ones at
// either end or more than one in a row.
func (p *paragraph) finish() string {
	if p.striking {
		p.b.WriteString("~~")
		p.striking = false
	}
	lines := strings.Split(strings.ReplaceAll(p.b.String(), "\u00a0", " "), "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}

// mergeKind is a cell's part in a vertical merge (w:vMerge).
type mergeKind uint8

const (
	mergeNone mergeKind = iota
	mergeRestart
	mergeContinue
)

// cell is an open w:tc.
type cell struct {
	blocks []block
	span   int
	merge  mergeKind
}

// row is an open w:tr.
type row struct {
	before  int // grid columns skipped before the first cell (w:gridBefore)
	cell    *cell
	cells   []string
	blocks  [][]block // per cell, for a table of one column
	deleted bool
}

// table is an open w:tbl.
type table struct {
	row    *row
	rows   []*row
	merged [maxTableCells]string // text of the cell each column's vertical merge started with
}

func (t *table) startRow() {
	if t.row != nil {
		t.endRow()
	}
	t.row = &row{}
}

func (t *table) deleteRow() {
	if t.row != nil {
		t.row.deleted = true
	}
}

func (t *table) startCell() {
	if t.row == nil {
		t.startRow()
	}
	if t.row.cell != nil {
		t.endCell()
	}
	t.row.cell = &cell{span: 1}
}

// endCell writes the open cell's text into its row. A cell that continues
// a vertical merge shows the text of the cell the merge started with: an
// owner merged over three actions owns all three.
func (t *table) endCell() {
	r := t.row
	if r == nil || r.cell == nil {
		return
	}
	c := r.cell
	r.cell = nil
	if len(r.cells) == 0 {
		for range min(max(r.before, 0), maxTableCells-1) {
			r.add("", nil)
		}
	}
	col := len(r.cells)
	if col >= maxTableCells {
		return
	}
	text := cellText(c.blocks)
	switch c.merge {
	case mergeContinue:
		text = t.merged[col]
	case mergeRestart:
		t.merged[col] = text
	default:
		t.merged[col] = ""
	}
	r.add(text, c.blocks)
	for i := 1; i < c.span && len(r.cells) < maxTableCells; i++ {
		r.add("", nil)
	}
}

func (r *row) add(text string, blocks []block) {
	r.cells = append(r.cells, text)
	r.blocks = append(r.blocks, blocks)
}

func (t *table) endRow() {
	r := t.row
	if r == nil {
		return
	}
	t.endCell()
	t.row = nil
	if r.deleted || len(t.rows) >= maxTableRows || strings.Join(r.cells, "") == "" {
		return
	}
	t.rows = append(t.rows, r)
}

// blocks renders a finished table: a table of one column is a frame
// around paragraphs and gives them back as they are; any other is one
// table block, its rows as wide as its widest.
func (t *table) blocks() []block {
	width := 0
	for _, r := range t.rows {
		width = max(width, len(r.cells))
	}
	if width == 0 {
		return nil
	}
	if width == 1 {
		var out []block
		for _, r := range t.rows {
			out = append(out, r.blocks[0]...)
		}
		return out
	}
	rows := make([][]string, len(t.rows))
	for i, r := range t.rows {
		rows[i] = r.cells
		for len(rows[i]) < width {
			rows[i] = append(rows[i], "")
		}
	}
	return []block{{kind: blockTable, rows: rows}}
}

// cellText joins a cell's paragraphs into the one line a pipe-table cell
// is: "; " between them (an owner cell "Alice\nBob" means two people), a
// space after one that ends in punctuation or a line break within one,
// and "|", which would split the cell, written as "/" — the minutes
// parser splits on every "|" and mailtext.HTMLToText writes "/" too.
func cellText(blocks []block) string {
	var b strings.Builder
	for _, bl := range blocks {
		text := flatten(bl)
		if text == "" {
			continue
		}
		if b.Len() > 0 {
			if strings.ContainsAny(b.String()[b.Len()-1:], ".;:,!?") {
				b.WriteByte(' ')
			} else {
				b.WriteString("; ")
			}
		}
		b.WriteString(text)
	}
	return strings.ReplaceAll(b.String(), "|", "/")
}

// flatten writes a block as one line: a nested table's rows as "a, b"
// joined by "; ".
func flatten(bl block) string {
	if bl.kind != blockTable {
		return strings.Join(strings.Fields(bl.text), " ")
	}
	var rows []string
	for _, r := range bl.rows {
		var cells []string
		for _, c := range r {
			if c != "" {
				cells = append(cells, c)
			}
		}
		rows = append(rows, strings.Join(cells, ", "))
	}
	return strings.Join(rows, "; ")
}

// output is the document's text, written block by block.
type output struct {
	b    strings.Builder
	last blockKind
}

// add writes a block after a blank line, or after a line break when it
// continues a list.
func (o *output) add(bl block) {
	if o.b.Len() > 0 {
		if bl.kind == blockItem && o.last == blockItem {
			o.b.WriteByte('\n')
		} else {
			o.b.WriteString("\n\n")
		}
	}
	o.last = bl.kind
	switch bl.kind {
	case blockHeading:
		o.b.WriteString(strings.Repeat("#", bl.level) + " " + strings.Join(strings.Fields(bl.text), " "))
	case blockItem:
		indent := strings.Repeat("  ", bl.level)
		for i, line := range strings.Split(bl.text, "\n") {
			switch {
			case i == 0:
				o.b.WriteString(indent + bl.marker + line)
			case line == "":
				o.b.WriteString("\n")
			default:
				o.b.WriteString("\n" + indent + strings.Repeat(" ", len(bl.marker)) + line)
			}
		}
	case blockTable:
		o.table(bl.rows)
	default:
		o.b.WriteString(bl.text)
	}
}

// table writes rows as a Markdown pipe table. Word tables rarely mark a
// header row; the first row is the header in practice, so the separator
// follows it.
func (o *output) table(rows [][]string) {
	for i, r := range rows {
		if i > 0 {
			o.b.WriteByte('\n')
		}
		o.b.WriteString("| " + strings.Join(r, " | ") + " |")
		if i == 0 && len(rows) > 1 {
			o.b.WriteString("\n|" + strings.Repeat(" --- |", len(r)))
		}
	}
}

// full reports whether the text has passed MaxTextBytes.
func (o *output) full() bool { return o.b.Len() > MaxTextBytes }

// text returns the text, ending in a newline, and whether it had to be
// cut at MaxTextBytes (then on a line boundary).
func (o *output) text() (string, bool) {
	s := o.b.String()
	cut := false
	if len(s) > MaxTextBytes {
		s, cut = s[:MaxTextBytes], true
		if i := strings.LastIndexByte(s, '\n'); i > 0 {
			s = strings.TrimRight(s[:i], "\n")
		} else {
			s = strings.ToValidUTF8(s, "")
		}
	}
	if s == "" {
		return "", cut
	}
	return s + "\n", cut
}

// symbol returns the character a w:sym shows. Symbol fonts put their
// glyphs in the private-use area (U+F0xx); the check boxes of forms and
// checklists are mapped to ☐, ☑ and ☒, other symbol-font glyphs (fancy
// bullets, arrows) dropped, and a character of an ordinary font kept.
func symbol(font, char string) string {
	code, err := strconv.ParseUint(char, 16, 32)
	if err != nil {
		return ""
	}
	if code >= 0xf000 && code <= 0xf0ff {
		code -= 0xf000
	}
	switch strings.ToLower(font) {
	case "wingdings":
		return wingdings[code]
	case "wingdings 2":
		return wingdings2[code]
	case "symbol", "webdings", "wingdings 3":
		return ""
	}
	if code < 0x20 || code > 0x10ffff || (code >= 0xd800 && code < 0xe000) {
		return ""
	}
	return string(rune(code))
}

var wingdings = map[uint64]string{
	0x6f: "☐", 0xa8: "☐", 0x71: "☐", 0x72: "☐", 0x78: "☒", 0xfd: "☒", 0xfe: "☑", 0xfb: "✗", 0xfc: "✓",
}

var wingdings2 = map[uint64]string{
	0xa3: "☐", 0x2a: "☐", 0x4f: "☒", 0x53: "☒", 0x54: "☒", 0x50: "✓", 0x52: "☑",
}

// box is the character for a form check box.
func box(checked bool) string {
	if checked {
		return "☒"
	}
	return "☐"
}
