package reply

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// tokenText turns HTML into text one token at a time, for documents the
// parser refuses (nested more than 512 deep). It knows no client's quote
// containers, only blockquotes, whose lines it marks with "> " so that the
// text stage drops them; the work is linear in the input.
func tokenText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	quoteDepth, skipDepth := 0, 0
	lineStart := true
	newline := func() {
		if !lineStart {
			b.WriteByte('\n')
			lineStart = true
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return b.String()
		case html.TextToken:
			if skipDepth > 0 {
				continue
			}
			text := strings.Join(strings.Fields(string(z.Text())), " ")
			if text == "" {
				continue
			}
			if lineStart {
				if quoteDepth > 0 {
					b.WriteString("> ")
				}
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(text)
			lineStart = false
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Script, atom.Style, atom.Title:
				// Their content is raw text, which the tokenizer
				// returns as one token before the end tag.
				if end && skipDepth > 0 {
					skipDepth--
				} else if !end {
					skipDepth++
				}
			case atom.Blockquote:
				newline()
				if end && quoteDepth > 0 {
					quoteDepth--
				} else if !end {
					quoteDepth++
				}
			case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.H1, atom.H2, atom.H3, atom.H4,
				atom.H5, atom.H6, atom.Table, atom.Ul, atom.Ol, atom.Pre:
				newline()
			case atom.Hr:
				newline()
				b.WriteString("----\n")
				lineStart = true
			}
		}
	}
}
