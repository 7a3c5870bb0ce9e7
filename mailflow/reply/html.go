package reply

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"mailflow/mailflow"
	"mailflow/mailflow/mailtext"
)

// Limits against hostile HTML.
const (
	// maxHTMLBytes is how much of an HTML reply is read. The new text is at
	// the top; a longer body is quoted history or a newsletter.
	maxHTMLBytes = 2 << 20
	// maxKeptDepth is how deep elements may nest in what is rendered. The
	// parser refuses more than 512; pruning well below that keeps the
	// rendered document within the limit when it is parsed again.
	maxKeptDepth = 256
	// maxMarkerChecks bounds how many <hr> and bordered blocks are looked
	// at for a quoted header block under them.
	maxMarkerChecks = 50
	// maxPeekNodes and maxPeekBytes bound the text read after a marker.
	maxPeekNodes = 500
	maxPeekBytes = 600
)

// StripHTML returns the new text of an HTML reply: the quote containers of
// Gmail, Apple Mail, Outlook, Thunderbird and Yahoo and the signature
// blocks removed from the document, the rest turned into text, and that
// text stripped like a plain-text reply.
func StripHTML(src string) string {
	return StripHTMLFrom(src, mailflow.Person{})
}

// StripHTMLFrom is StripHTML for a reply from a known sender (see
// StripFrom).
func StripHTMLFrom(src string, from mailflow.Person) string {
	return finish(dropSignature(dropQuotes(splitLines(htmlText(src, true))), from))
}

// StripQuotesHTML returns an HTML reply as text without its quoted and
// forwarded parts, keeping the signature.
func StripQuotesHTML(src string) string {
	return finish(dropQuotes(splitLines(htmlText(src, false))))
}

// htmlText renders an HTML reply as text without its quote containers, and
// without its signature blocks when dropSignatures is set. Blockquotes that
// no client marked as a quote are rendered as "> " lines, which the text
// stage drops with their attribution.
func htmlText(src string, dropSignatures bool) string {
	if len(src) > maxHTMLBytes {
		src = src[:maxHTMLBytes]
	}
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		// Nested deeper than the parser allows: read it token by token.
		return tokenText(src)
	}
	c := cleaner{dropSignatures: dropSignatures}
	c.clean(doc)
	var b strings.Builder
	if err := html.Render(&b, doc); err != nil {
		return tokenText(src)
	}
	rendered := b.String()
	text := mailtext.HTMLToText(rendered)
	if text == rendered {
		// HTMLToText hands back its input when the parser refuses it;
		// pruning makes that unlikely, and tokens are the way out.
		return tokenText(rendered)
	}
	return text
}

// blockKind is what an element is to a reply reader.
type blockKind int

const (
	blockText       blockKind = iota
	blockQuote                // a quoted message: remove it
	blockQuoteStart           // the start of an unmarked quote: remove it and all after
	blockSignature            // the sender's signature
)

// cleaner removes quotes and signatures from a parsed document.
type cleaner struct {
	dropSignatures bool
	markerChecks   int
}

// clean walks the document in order, collecting the quote and signature
// blocks to remove and stopping at the first unmarked quote, which is
// removed with everything after it.
func (c *cleaner) clean(doc *html.Node) {
	var remove []*html.Node
	var cut *html.Node
	var walk func(n *html.Node, depth int) bool
	walk = func(n *html.Node, depth int) bool {
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			if ch.Type != html.ElementNode {
				continue
			}
			if depth >= maxKeptDepth {
				remove = append(remove, ch)
				continue
			}
			switch c.kind(ch) {
			case blockQuote:
				remove = append(remove, ch)
				continue
			case blockSignature:
				if c.dropSignatures {
					remove = append(remove, ch)
					continue
				}
			case blockQuoteStart:
				cut = ch
				return false
			}
			if !walk(ch, depth+1) {
				return false
			}
		}
		return true
	}
	walk(doc, 0)
	for _, n := range remove {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	if cut != nil {
		truncateFrom(cut)
	}
}

// Class and id names (after Outlook's "x_" and Hotmail's "ecx" prefixes
// are taken off) that mark quotes and signatures.
var (
	quoteClasses = map[string]bool{
		"gmail_quote": true, "gmail_quote_container": true, "gmail_attr": true, "gmail_extra_quote": true,
		"yahoo_quoted": true, "moz-cite-prefix": true, "moz-forward-container": true,
		"protonmail_quote": true, "zmail_extra": true,
	}
	quoteStartClasses = map[string]bool{"OutlookMessageHeader": true}
	quoteStartIDs     = map[string]bool{"divRplyFwdMsg": true, "appendonsend": true, "OLK_SRC_BODY_SECTION": true}
	signatureClasses  = map[string]bool{"gmail_signature": true, "moz-signature": true, "yahoo-signature": true}
	signatureIDs      = map[string]bool{
		"Signature": true, "AppleMailSignature": true, "ms-outlook-mobile-signature": true,
		"ymail_android_signature": true,
	}
)

// kind classifies an element by the marks mail clients put on their quote
// and signature containers.
func (c *cleaner) kind(n *html.Node) blockKind {
	for _, a := range n.Attr {
		switch a.Key {
		case "class":
			for _, cl := range strings.Fields(a.Val) {
				cl = clientName(cl)
				switch {
				case quoteClasses[cl]:
					return blockQuote
				case quoteStartClasses[cl]:
					return blockQuoteStart
				case signatureClasses[cl]:
					return blockSignature
				}
			}
		case "id":
			id := clientName(a.Val)
			switch {
			case quoteStartIDs[id]:
				return blockQuoteStart
			case signatureIDs[id]:
				return blockSignature
			}
		case "type":
			if n.DataAtom == atom.Blockquote && strings.EqualFold(a.Val, "cite") {
				return blockQuote // Apple Mail, Thunderbird
			}
		case "data-smartmail":
			if a.Val == "gmail_signature" {
				return blockSignature
			}
		case "data-signatureblock":
			return blockSignature // Windows Mail
		}
	}
	switch {
	case n.DataAtom == atom.Hr:
		// Outlook 2003, Hotmail and Zimbra draw a rule above the header
		// block of the quoted message.
		if c.check() && headerAhead(peekText(n, false)) {
			return blockQuoteStart
		}
	case (n.DataAtom == atom.Div || n.DataAtom == atom.P) && strings.Contains(strings.ToLower(attr(n, "style")), "border-top"):
		// Outlook 2007 and later, and Windows Mail: the header block is
		// a box with a rule along its top.
		if c.check() && headerAhead(peekText(n, true)) {
			return blockQuoteStart
		}
	}
	return blockText
}

// check counts a marker check and reports whether it may be made.
func (c *cleaner) check() bool {
	c.markerChecks++
	return c.markerChecks <= maxMarkerChecks
}

// clientName takes off the prefixes Outlook ("x_") and Hotmail ("ecx")
// put on the classes and ids of the mail they quote.
func clientName(s string) string {
	s = strings.TrimPrefix(s, "x_")
	return strings.TrimPrefix(s, "ecx")
}

// headerAhead reports whether text starts with a quoted header block or a
// separator line.
func headerAhead(text string) bool {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(l); t != "" {
			lines = append(lines, t)
		}
	}
	if len(lines) == 0 {
		return false
	}
	return isSeparator(lines[0]) || headerBlockAt(lines, 0)
}

// peekText returns the start of the text inside n (inside) or after it in
// document order, with block elements and <br> as line breaks.
func peekText(n *html.Node, inside bool) string {
	p := peeker{budget: maxPeekNodes}
	if inside {
		p.add(n)
		return p.b.String()
	}
	for cur := n; cur != nil && !p.full(); cur = cur.Parent {
		for s := cur.NextSibling; s != nil && !p.full(); s = s.NextSibling {
			p.add(s)
		}
	}
	return p.b.String()
}

type peeker struct {
	b      strings.Builder
	budget int
}

func (p *peeker) full() bool { return p.budget <= 0 || p.b.Len() >= maxPeekBytes }

func (p *peeker) add(n *html.Node) {
	if p.full() {
		return
	}
	p.budget--
	switch n.Type {
	case html.TextNode:
		p.b.WriteString(strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == '\t' || r == '\u00a0' {
				return ' '
			}
			return r
		}, n.Data))
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head, atom.Title:
			return
		case atom.Br, atom.P, atom.Div, atom.Tr, atom.Li, atom.Blockquote, atom.Table, atom.Hr:
			p.b.WriteByte('\n')
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		p.add(c)
	}
}

// truncateFrom removes n and everything after it in document order.
func truncateFrom(n *html.Node) {
	for cur := n; cur.Parent != nil; cur = cur.Parent {
		for s := cur.NextSibling; s != nil; {
			next := s.NextSibling
			cur.Parent.RemoveChild(s)
			s = next
		}
	}
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
