package mailtext

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits on the work HTMLToText does for hostile HTML. Past them the
// content is still rendered, only with less structure.
const (
	maxHTMLDepth  = 200  // element nesting followed
	maxNestedBox  = 16   // tables, list items and quotes inside each other
	maxTableRows  = 2000 // rows kept per table
	maxTableCells = 64   // cells kept per row
)

// HTMLToText renders HTML as plain text that keeps the structure minutes
// depend on: headings as "# " lines, paragraphs on their own lines, list
// items as "- " or "1. " bullets indented by nesting, table rows as
// "| a | b |" pipe rows with a separator after the first row (so that a
// Word table reads like a Markdown one), checkboxes as "[ ]"/"[x]", and
// blockquotes prefixed with "> ".
func HTMLToText(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		// html.Parse only fails on reader errors; a strings.Reader has none.
		return src
	}
	r := &renderer{}
	r.walk(doc, 0)
	return tidy(r.b.String())
}

// renderer writes text for one box: the document, a list item, a table
// cell or a blockquote. Nested boxes render into their own renderer and
// are then indented or prefixed by the parent.
type renderer struct {
	b     strings.Builder
	boxes int // how many boxes this one is nested in
}

func (r *renderer) inner() *renderer { return &renderer{boxes: r.boxes + 1} }

func (r *renderer) atLineStart() bool {
	s := r.b.String()
	return s == "" || s[len(s)-1] == '\n'
}

func (r *renderer) newline() {
	if !r.atLineStart() {
		r.b.WriteByte('\n')
	}
}

func (r *renderer) blank() {
	r.newline()
	s := r.b.String()
	if s != "" && !strings.HasSuffix(s, "\n\n") {
		r.b.WriteByte('\n')
	}
}

func (r *renderer) text(s string) {
	s = collapse(s)
	if s == "" {
		return
	}
	cur := r.b.String()
	if s[0] == ' ' && (cur == "" || cur[len(cur)-1] == '\n' || cur[len(cur)-1] == ' ') {
		s = s[1:]
	}
	r.b.WriteString(s)
}

// collapse folds runs of HTML white space (and no-break spaces, which mail
// clients use for indentation) into single spaces.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, c := range s {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u00a0' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(c)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

func (r *renderer) children(n *html.Node, level int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c, level+1)
	}
}

func (r *renderer) walk(n *html.Node, level int) {
	if level > maxHTMLDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.DocumentNode:
		r.children(n, level)
		return
	case html.ElementNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
		return
	case atom.Br:
		r.b.WriteByte('\n')
	case atom.Hr:
		r.blank()
		r.b.WriteString("----\n")
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		r.blank()
		r.b.WriteString(strings.Repeat("#", int(n.Data[1]-'0')) + " ")
		r.children(n, level)
		r.blank()
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address,
		atom.Dl, atom.Dt, atom.Dd, atom.Center, atom.Main, atom.Aside, atom.Nav, atom.Figure:
		r.newline()
		r.children(n, level)
		r.newline()
	case atom.Ul, atom.Ol, atom.Menu:
		r.list(n, level)
	case atom.Li: // stray <li> outside a list
		r.item(n, "- ", level)
	case atom.Table:
		r.blank()
		if r.boxes >= maxNestedBox {
			r.children(n, level)
		} else {
			r.table(n, level)
		}
		r.blank()
	case atom.Blockquote:
		r.boxed(n, "> ", "> ", level)
	case atom.Pre:
		r.newline()
		r.b.WriteString(rawText(n, level))
		r.newline()
	case atom.Img:
		if alt := attr(n, "alt"); alt != "" {
			r.text(alt)
		}
	case atom.Input:
		// Word and Outlook checklists: <input type=checkbox checked>.
		if strings.EqualFold(attr(n, "type"), "checkbox") {
			if hasAttr(n, "checked") {
				r.b.WriteString("[x] ")
			} else {
				r.b.WriteString("[ ] ")
			}
		}
	default:
		r.children(n, level)
	}
}

// list writes the items of a <ul> or <ol> as bullets; an <ol> numbers them
// from its start attribute.
func (r *renderer) list(n *html.Node, level int) {
	r.newline()
	num := 0
	if s, err := strconv.Atoi(attr(n, "start")); err == nil && s > 0 && s < 1e6 {
		num = s - 1
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom != atom.Li {
			r.walk(c, level+1)
			continue
		}
		marker := "- "
		if n.DataAtom == atom.Ol {
			num++
			marker = strconv.Itoa(num) + ". "
		}
		r.item(c, marker, level+1)
	}
	r.newline()
}

// item writes one list item: its first line after the marker, and the
// rest (wrapped paragraphs, nested lists) indented under it.
func (r *renderer) item(li *html.Node, marker string, level int) {
	r.boxed(li, marker, strings.Repeat(" ", len(marker)), level)
}

// boxed renders n on its own, then writes its lines with first before the
// first line and rest before the others.
func (r *renderer) boxed(n *html.Node, first, rest string, level int) {
	r.newline()
	if r.boxes >= maxNestedBox {
		r.children(n, level)
		r.newline()
		return
	}
	in := r.inner()
	in.children(n, level)
	text := strings.Trim(tidy(in.b.String()), "\n")
	for i, line := range strings.Split(text, "\n") {
		prefix := rest
		if i == 0 {
			prefix = first
		}
		if line == "" {
			r.b.WriteString(strings.TrimRight(prefix, " ") + "\n")
			continue
		}
		r.b.WriteString(prefix + line + "\n")
	}
}

// table writes each row as a pipe row. Tables inside a cell are flattened
// into the cell's text.
func (r *renderer) table(t *html.Node, level int) {
	var rows [][]string
	var visit func(n *html.Node, depth int)
	visit = func(n *html.Node, depth int) {
		if depth > 4 {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || len(rows) >= maxTableRows {
				continue
			}
			switch c.DataAtom {
			case atom.Thead, atom.Tbody, atom.Tfoot:
				visit(c, depth+1)
			case atom.Tr:
				if cells := r.row(c, level); len(cells) > 0 {
					rows = append(rows, cells)
				}
			case atom.Caption:
				in := r.inner()
				in.children(c, level)
				if s := strings.Join(strings.Fields(in.b.String()), " "); s != "" {
					r.b.WriteString(s + "\n")
				}
			}
		}
	}
	visit(t, 0)
	for i, row := range rows {
		r.b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		if i == 0 && len(rows) > 1 {
			// Word tables rarely mark a header row with <th>; the first
			// row of a table is its header in practice.
			r.b.WriteString("|" + strings.Repeat(" --- |", len(row)) + "\n")
		}
	}
}

// row returns the text of a <tr>'s cells, one line each, with "|" (which
// would split the cell) written as "/". A colspan repeats nothing but
// keeps the columns of later cells in place.
func (r *renderer) row(tr *html.Node, level int) []string {
	var cells []string
	for td := tr.FirstChild; td != nil && len(cells) < maxTableCells; td = td.NextSibling {
		if td.Type != html.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
			continue
		}
		in := r.inner()
		in.children(td, level+1)
		cell := strings.Join(strings.Fields(strings.ReplaceAll(in.b.String(), "|", "/")), " ")
		cells = append(cells, cell)
		if span, err := strconv.Atoi(attr(td, "colspan")); err == nil && span > 1 {
			for i := 1; i < span && len(cells) < maxTableCells; i++ {
				cells = append(cells, "")
			}
		}
	}
	return cells
}

func rawText(n *html.Node, level int) string {
	var b strings.Builder
	var f func(*html.Node, int)
	f = func(n *html.Node, level int) {
		if level > maxHTMLDepth {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Br {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c, level+1)
		}
	}
	f(n, level)
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// tidy trims trailing spaces and collapses runs of blank lines.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n")) + "\n"
}
