package mailtext

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText renders HTML as plain text that keeps the structure minutes
// depend on: headings and paragraphs on their own lines, list items as
// "- " bullets, table rows as "| a | b |" pipe rows (with a separator after
// a header row) so that a Word table reads like a Markdown one, and
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

type renderer struct {
	b     strings.Builder
	depth int // list nesting
}

// maxHTMLDepth bounds recursion on hostile, deeply nested HTML.
const maxHTMLDepth = 200

func (r *renderer) newline() {
	s := r.b.String()
	if len(s) > 0 && !strings.HasSuffix(s, "\n") {
		r.b.WriteByte('\n')
	}
}

func (r *renderer) blank() {
	r.newline()
	s := r.b.String()
	if len(s) > 0 && !strings.HasSuffix(s, "\n\n") {
		r.b.WriteByte('\n')
	}
}

func (r *renderer) text(s string) {
	s = collapse(s)
	if s == "" {
		return
	}
	cur := r.b.String()
	if s == " " && (cur == "" || strings.HasSuffix(cur, "\n") || strings.HasSuffix(cur, " ")) {
		return
	}
	if strings.HasPrefix(s, " ") && (cur == "" || strings.HasSuffix(cur, "\n") || strings.HasSuffix(cur, " ")) {
		s = s[1:]
	}
	r.b.WriteString(s)
}

func collapse(s string) string {
	var b strings.Builder
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
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address, atom.Dl, atom.Center:
		r.newline()
		r.children(n, level)
		r.newline()
	case atom.Dt, atom.Dd:
		r.newline()
		r.children(n, level)
		r.newline()
	case atom.Ul, atom.Ol:
		r.newline()
		r.depth++
		num := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.Li {
				num++
				r.newline()
				r.b.WriteString(strings.Repeat("  ", r.depth-1))
				if n.DataAtom == atom.Ol {
					r.b.WriteString(strconv.Itoa(num) + ". ")
				} else {
					r.b.WriteString("- ")
				}
				r.listItem(c, level+1)
				r.newline()
			} else {
				r.walk(c, level+1)
			}
		}
		r.depth--
		r.newline()
	case atom.Li: // stray <li> outside a list
		r.newline()
		r.b.WriteString("- ")
		r.listItem(n, level)
		r.newline()
	case atom.Table:
		r.blank()
		r.table(n)
		r.blank()
	case atom.Blockquote:
		inner := &renderer{}
		inner.children(n, level)
		r.newline()
		for _, line := range strings.Split(strings.TrimSuffix(tidy(inner.b.String()), "\n"), "\n") {
			if line == "" {
				r.b.WriteString(">\n")
			} else {
				r.b.WriteString("> " + line + "\n")
			}
		}
	case atom.Pre:
		r.newline()
		r.b.WriteString(rawText(n))
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

// listItem renders an <li>'s content; a checkbox at its start becomes the
// Markdown task marker.
func (r *renderer) listItem(li *html.Node, level int) {
	r.children(li, level)
}

// table writes each row as a pipe row. Nested tables are flattened into
// their cell's text.
func (r *renderer) table(t *html.Node) {
	var rows [][]string
	var header []bool
	var visit func(n *html.Node, inHead bool)
	visit = func(n *html.Node, inHead bool) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Thead:
				visit(c, true)
			case atom.Tbody, atom.Tfoot:
				visit(c, false)
			case atom.Tr:
				var cells []string
				allTH := true
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.Type != html.ElementNode || (td.DataAtom != atom.Td && td.DataAtom != atom.Th) {
						continue
					}
					if td.DataAtom != atom.Th {
						allTH = false
					}
					inner := &renderer{}
					inner.children(td, 0)
					cell := strings.Join(strings.Fields(strings.ReplaceAll(inner.b.String(), "|", "/")), " ")
					cells = append(cells, cell)
					if span, err := strconv.Atoi(attr(td, "colspan")); err == nil && span > 1 && span < 50 {
						for i := 1; i < span; i++ {
							cells = append(cells, "")
						}
					}
				}
				if len(cells) > 0 {
					rows = append(rows, cells)
					header = append(header, inHead || allTH)
				}
			case atom.Caption:
				inner := &renderer{}
				inner.children(c, 0)
				if s := strings.TrimSpace(inner.b.String()); s != "" {
					r.b.WriteString(s + "\n")
				}
			}
		}
	}
	visit(t, false)
	for i, row := range rows {
		r.b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		if i == 0 && (header[0] || len(rows) > 1) {
			// Word tables rarely mark a header row with <th>; the first
			// row of a table is its header in practice.
			seps := make([]string, len(row))
			for j := range seps {
				seps[j] = "---"
			}
			r.b.WriteString("| " + strings.Join(seps, " | ") + " |\n")
		}
	}
}

func rawText(n *html.Node) string {
	var b strings.Builder
	var f func(*html.Node)
	f = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Br {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			f(c)
		}
	}
	f(n)
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
