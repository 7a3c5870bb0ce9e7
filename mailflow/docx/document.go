package docx

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// maxFields bounds nested complex fields followed; deeper ones are
// treated as results.
const maxFields = 32

// element is an open element of the document.
type element struct {
	tag    tag
	opened bool // its start was handled, so its end must be
}

// field is an open complex field (w:fldChar begin … separate … end,
// ECMA-376 part 1, section 17.16.18): its instructions are hidden, its
// result is the text Word shows.
type field struct {
	result   bool
	checkbox bool // a legacy FORMCHECKBOX form field, drawn rather than written
	checked  bool
}

// contentControl is an open w:sdt.
type contentControl struct {
	placeholder bool // shows its placeholder prompt ("Click or tap here to enter text."), not content
}

// run is the formatting of the run being read that changes its text.
type run struct {
	hidden bool // w:vanish: hidden text is not shown
	strike bool
}

// docReader reads word/document.xml in one pass of xml.Decoder.Token.
type docReader struct {
	dec       *xml.Decoder
	styles    styleSheet
	numbering *numbering
	stack     []element
	skipFrom  int // depth of the subtree being dropped, 0 when none
	paras     []*paragraph
	tables    []*table
	fields    []field
	controls  []contentControl
	run       run
	text      int // text bytes read so far
	out       output
}

// readDocument renders the document part read from r.
func readDocument(r io.Reader, styles styleSheet, numbering *numbering) (string, error) {
	d := &docReader{dec: xml.NewDecoder(r), styles: styles, numbering: numbering}
	cut, err := d.read()
	if err != nil {
		return "", err
	}
	d.finish()
	text, over := d.out.text()
	if cut || over {
		return text, fmt.Errorf("docx: %w at %s", ErrTextCut, size(MaxTextBytes))
	}
	return text, nil
}

// read decodes tokens until the end of the part or until MaxTextBytes of
// text were read, which it reports.
func (d *docReader) read() (cut bool, err error) {
	for {
		tok, err := d.dec.Token()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, xmlError(documentPart, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(d.stack) >= MaxDepth {
				return false, errTooDeep(documentPart)
			}
			d.stack = append(d.stack, element{tag: tagOf(t.Name)})
			if d.skipFrom == 0 {
				d.start(t)
			}
		case xml.EndElement:
			d.end()
		case xml.CharData:
			if d.skipFrom == 0 && d.inText() {
				d.write(string(t))
			}
		}
		if d.text > MaxTextBytes || d.out.full() {
			return true, nil
		}
	}
}

// skip drops the subtree of the element just opened.
func (d *docReader) skip() { d.skipFrom = len(d.stack) }

// parentIs reports whether the elements around the current one are want,
// innermost last.
func (d *docReader) parentIs(want ...tag) bool {
	n := len(d.stack) - 1 // the current element
	if n < len(want) {
		return false
	}
	for i := range want {
		if d.stack[n-len(want)+i].tag != want[i] {
			return false
		}
	}
	return true
}

// dropped are the elements whose whole subtree is not shown text:
// deletions and moved-away text (tracked changes), the old properties of
// a change record, field instructions, section and table properties, and
// the fallback copy of content that mc:AlternateContent offers twice.
var dropped = map[tag]bool{
	w("del"): true, w("moveFrom"): true, w("delText"): true, w("instrText"): true, w("delInstrText"): true,
	w("pPrChange"): true, w("rPrChange"): true, w("tblPrChange"): true, w("trPrChange"): true, w("tcPrChange"): true,
	w("sectPrChange"): true, w("numberingChange"): true, w("sectPr"): true, w("tblPr"): true, w("tblGrid"): true,
	w("tblPrEx"): true, w("cnfStyle"): true, w("tabs"): true, w("rubyPr"): true,
	{nsCompat, "Fallback"}: true,
}

// start handles an element's start; the element is on the stack.
func (d *docReader) start(el xml.StartElement) {
	top := &d.stack[len(d.stack)-1]
	t := top.tag
	if dropped[t] {
		if tb := d.table(); tb != nil && t == w("del") && d.parentIs(w("trPr")) {
			tb.deleteRow() // a deleted table row (section 17.13.5.14)
		}
		d.skip()
		return
	}
	top.opened = true
	switch t.ns {
	case nsWord:
		d.startWord(el, t.local)
	case nsWord14:
		// The checkbox content control's box is already in its content
		// as a ☐ or ☒ character; nothing to add.
	case nsMathML:
		// m:t holds the text of an equation; handled by inText.
	}
}

func (d *docReader) startWord(el xml.StartElement, local string) {
	switch local {
	case "p":
		d.paras = append(d.paras, &paragraph{ilvl: -1, outline: -1})
	case "pStyle":
		if p := d.para(); p != nil && d.parentIs(w("p"), w("pPr")) {
			p.style = attr(el, "val")
		}
	case "numId":
		if p := d.para(); p != nil && d.parentIs(w("p"), w("pPr"), w("numPr")) {
			p.numID, p.hasNum = attr(el, "val"), true
		}
	case "ilvl":
		if p := d.para(); p != nil && d.parentIs(w("p"), w("pPr"), w("numPr")) {
			p.ilvl = intAttr(el, "val", 0)
		}
	case "outlineLvl":
		if p := d.para(); p != nil && d.parentIs(w("p"), w("pPr")) {
			p.outline = intAttr(el, "val", -1)
		}
	case "r":
		d.run = run{}
	case "vanish", "webHidden", "specVanish":
		if d.parentIs(w("r"), w("rPr")) {
			d.run.hidden = on(el)
		}
	case "strike", "dstrike":
		if d.parentIs(w("r"), w("rPr")) {
			d.run.strike = on(el)
		}
	case "tab", "ptab":
		if d.inRun() {
			d.write("\t")
		}
	case "br", "cr":
		if d.inRun() {
			d.write("\n")
		}
	case "noBreakHyphen":
		if d.inRun() {
			d.write("-")
		}
	case "sym":
		if d.inRun() {
			d.write(symbol(attr(el, "font"), attr(el, "char")))
		}
	case "fldChar":
		d.fieldChar(attr(el, "fldCharType"))
	case "checkBox":
		if n := len(d.fields); n > 0 && d.parentIs(w("fldChar"), w("ffData")) {
			d.fields[n-1].checkbox = true
		}
	case "default", "checked":
		if n := len(d.fields); n > 0 && d.parentIs(w("ffData"), w("checkBox")) && d.fields[n-1].checkbox {
			// w:checked, when present, overrides w:default.
			d.fields[n-1].checked = on(el)
		}
	case "sdt":
		d.controls = append(d.controls, contentControl{})
	case "showingPlcHdr":
		if n := len(d.controls); n > 0 && d.parentIs(w("sdt"), w("sdtPr")) {
			d.controls[n-1].placeholder = on(el)
		}
	case "tbl":
		d.tables = append(d.tables, &table{})
	case "tr":
		if tb := d.table(); tb != nil {
			tb.startRow()
		}
	case "gridBefore":
		if tb := d.table(); tb != nil && tb.row != nil && d.parentIs(w("tr"), w("trPr")) {
			tb.row.before = intAttr(el, "val", 0)
		}
	case "tc":
		if tb := d.table(); tb != nil {
			tb.startCell()
		}
	case "gridSpan":
		if c := d.cell(); c != nil && d.parentIs(w("tc"), w("tcPr")) {
			c.span = intAttr(el, "val", 1)
		}
	case "vMerge":
		if c := d.cell(); c != nil && d.parentIs(w("tc"), w("tcPr")) {
			c.merge = mergeContinue
			if attr(el, "val") == "restart" {
				c.merge = mergeRestart
			}
		}
	}
}

// end handles an element's end and pops it.
func (d *docReader) end() {
	if len(d.stack) == 0 {
		return // the decoder reports mismatched ends itself
	}
	top := d.stack[len(d.stack)-1]
	if d.skipFrom == len(d.stack) {
		d.skipFrom = 0
	}
	if top.opened && top.tag.ns == nsWord {
		d.endWord(top.tag.local)
	}
	d.stack = d.stack[:len(d.stack)-1]
}

func (d *docReader) endWord(local string) {
	switch local {
	case "p":
		d.endParagraph()
	case "tc":
		if tb := d.table(); tb != nil {
			tb.endCell()
		}
	case "tr":
		if tb := d.table(); tb != nil {
			tb.endRow()
		}
	case "tbl":
		d.endTable()
	case "sdt":
		if n := len(d.controls); n > 0 {
			d.controls = d.controls[:n-1]
		}
	}
}

// fieldChar follows a complex field's begin, separate and end marks.
func (d *docReader) fieldChar(kind string) {
	n := len(d.fields)
	switch kind {
	case "begin":
		if n < maxFields {
			d.fields = append(d.fields, field{})
		}
	case "separate":
		if n > 0 {
			d.fields[n-1].result = true
		}
	case "end":
		if n == 0 {
			return
		}
		f := d.fields[n-1]
		d.fields = d.fields[:n-1]
		if f.checkbox {
			d.write(box(f.checked))
		}
	}
}

// finish closes what a cut or truncated document left open.
func (d *docReader) finish() {
	for len(d.paras) > 0 || len(d.tables) > 0 {
		if len(d.paras) > 0 {
			d.endParagraph()
			continue
		}
		tb := d.table()
		tb.endCell()
		tb.endRow()
		d.endTable()
	}
}

// inText reports whether character data now is document text: the
// content of a w:t (or an equation's m:t) in a run.
func (d *docReader) inText() bool {
	if len(d.stack) == 0 {
		return false
	}
	top := d.stack[len(d.stack)-1].tag
	return top == w("t") || top == tag{nsMathML, "t"}
}

// inRun reports whether the current element is directly in a run.
func (d *docReader) inRun() bool { return d.parentIs(w("r")) }

// shown reports whether text now is shown: not hidden, not a field's
// instructions, not a content control's placeholder prompt.
func (d *docReader) shown() bool {
	if d.run.hidden {
		return false
	}
	for _, f := range d.fields {
		if !f.result {
			return false
		}
	}
	for _, c := range d.controls {
		if c.placeholder {
			return false
		}
	}
	return true
}

// write adds shown text to the open paragraph.
func (d *docReader) write(s string) {
	p := d.para()
	if p == nil || s == "" || !d.shown() {
		return
	}
	d.text += len(s)
	p.write(s, d.run.strike)
}

func (d *docReader) para() *paragraph {
	if len(d.paras) == 0 {
		return nil
	}
	return d.paras[len(d.paras)-1]
}

func (d *docReader) table() *table {
	if len(d.tables) == 0 {
		return nil
	}
	return d.tables[len(d.tables)-1]
}

func (d *docReader) cell() *cell {
	if tb := d.table(); tb != nil && tb.row != nil {
		return tb.row.cell
	}
	return nil
}

// endParagraph renders the innermost paragraph and hands it to the cell
// it is in, or to the document.
func (d *docReader) endParagraph() {
	p := d.para()
	d.paras = d.paras[:len(d.paras)-1]
	b, ok := d.block(p)
	if !ok {
		return
	}
	if c := d.cell(); c != nil {
		c.blocks = append(c.blocks, b)
		return
	}
	d.out.add(b)
}

// block turns a paragraph into a heading, list item or paragraph block.
func (d *docReader) block(p *paragraph) (block, bool) {
	text := p.finish()
	if strings.TrimSpace(text) == "" {
		return block{}, false
	}
	level := d.styles.headingLevel(p.style)
	if p.outline >= 0 && p.outline <= 8 {
		level = min(p.outline+1, 6)
	}
	if level > 0 {
		return block{kind: blockHeading, level: level, text: text}, true
	}
	numID, ilvl, listed := p.numID, p.ilvl, p.hasNum
	if !listed {
		numID, ilvl, listed = d.styles.list(p.style)
	}
	if p.ilvl >= 0 {
		ilvl = p.ilvl
	}
	// numId 0 removes the numbering a style would give (section 17.9.18).
	if listed && numID != "0" && numID != "" {
		ilvl = min(max(ilvl, 0), maxLevels-1)
		if marker := d.numbering.marker(numID, ilvl); marker != "" {
			return block{kind: blockItem, level: ilvl, marker: marker, text: text}, true
		}
	}
	return block{kind: blockParagraph, text: text}, true
}

// endTable renders the innermost table into the cell it is nested in, or
// into the document.
func (d *docReader) endTable() {
	tb := d.table()
	d.tables = d.tables[:len(d.tables)-1]
	blocks := tb.blocks()
	if c := d.cell(); c != nil {
		c.blocks = append(c.blocks, blocks...)
		return
	}
	for _, b := range blocks {
		d.out.add(b)
	}
}
