package docx

import (
	"archive/zip"
	"encoding/xml"
	"strconv"
	"strings"
)

// style is what a paragraph style says about structure.
type style struct {
	name    string // Word's built-in names are English in every language: "heading 1"
	basedOn string
	outline int    // outline level 0–8, or -1
	numID   string // list numbering, "" for none
	ilvl    int
	hasNum  bool
}

// styleSheet maps style ids to paragraph styles. The ids are localised
// ("Heading1", "berschrift1", "Titre1"), the names are not.
type styleSheet map[string]*style

// maxStyleChain bounds the basedOn chain followed (it may loop).
const maxStyleChain = 16

// readStyles reads word/styles.xml. A missing part is an empty sheet.
func readStyles(f *zip.File) (styleSheet, error) {
	sheet := styleSheet{}
	var cur *style
	err := walkPart(f, func(el xml.StartElement, parents []tag) {
		t := tagOf(el.Name)
		if t.ns != nsWord {
			return
		}
		if t.local == "style" {
			cur = nil
			if attr(el, "type") == "paragraph" || attr(el, "type") == "" {
				cur = &style{outline: -1}
				sheet[attr(el, "styleId")] = cur
			}
			return
		}
		if cur == nil || len(parents) < 2 || parents[1] != w("style") {
			return // only the style's own properties, not a change record inside them
		}
		switch {
		case parentIs(parents, w("style")) && t.local == "name":
			cur.name = strings.ToLower(attr(el, "val"))
		case parentIs(parents, w("style")) && t.local == "basedOn":
			cur.basedOn = attr(el, "val")
		case parentIs(parents, w("style"), w("pPr")) && t.local == "outlineLvl":
			cur.outline = intAttr(el, "val", -1)
		case parentIs(parents, w("style"), w("pPr"), w("numPr")) && t.local == "numId":
			cur.numID, cur.hasNum = attr(el, "val"), true
		case parentIs(parents, w("style"), w("pPr"), w("numPr")) && t.local == "ilvl":
			cur.ilvl = intAttr(el, "val", 0)
		}
	})
	return sheet, err
}

// headingLevel returns the heading level (1–6) a paragraph style gives,
// or 0. Title is a level-1 heading; outline levels count as headings;
// without a style sheet the English ids "Heading1" and "Title" are known.
func (s styleSheet) headingLevel(id string) int {
	for range maxStyleChain {
		st := s[id]
		if st == nil {
			return headingFromID(id)
		}
		if lvl := headingFromName(st.name); lvl > 0 {
			return lvl
		}
		if st.outline >= 0 && st.outline <= 8 {
			return min(st.outline+1, 6)
		}
		if st.basedOn == "" {
			return 0
		}
		id = st.basedOn
	}
	return 0
}

// list returns the numbering a paragraph style gives its paragraphs.
func (s styleSheet) list(id string) (numID string, ilvl int, ok bool) {
	for range maxStyleChain {
		st := s[id]
		if st == nil {
			return "", 0, false
		}
		if st.hasNum {
			return st.numID, st.ilvl, true
		}
		id = st.basedOn
	}
	return "", 0, false
}

func headingFromName(name string) int {
	if name == "title" {
		return 1
	}
	if rest, ok := strings.CutPrefix(name, "heading "); ok {
		if n, err := strconv.Atoi(rest); err == nil && n >= 1 && n <= 9 {
			return min(n, 6)
		}
	}
	return 0
}

func headingFromID(id string) int {
	id = strings.ToLower(id)
	if id == "title" {
		return 1
	}
	if rest, ok := strings.CutPrefix(id, "heading"); ok {
		return headingFromName("heading " + rest)
	}
	return 0
}
