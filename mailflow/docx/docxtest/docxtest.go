// Package docxtest builds small .docx files for tests, so that no Word
// binaries need to be checked in: a test writes the body XML it means
// and gets the bytes of a file Word would open.
package docxtest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Entry is one file of a zip.
type Entry struct {
	Name string
	Data []byte
	// Stored writes it uncompressed, as some writers do.
	Stored bool
}

// Zip returns a zip holding entries in order. It panics on an error,
// which writing to memory never gives.
func Zip(entries ...Entry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		method := zip.Deflate
		if e.Stored {
			method = zip.Store
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: method})
		if err != nil {
			panic(err)
		}
		if _, err := f.Write(e.Data); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Namespace declarations of a Word document element.
const namespaces = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" ` +
	`xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" ` +
	`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ` +
	`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
	`xmlns:v="urn:schemas-microsoft-com:vml" ` +
	`xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" mc:Ignorable="w14"`

// DocumentXML wraps body (the children of w:body) in a document element.
func DocumentXML(body string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<w:document ` + namespaces + `><w:body>` + body +
		`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`)
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/></Types>`

// RootRels returns _rels/.rels naming target as the main document.
func RootRels(target string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + target + `"/></Relationships>`)
}

// Styles is a styles.xml with Word's built-in Title, headings 1–3, List
// Paragraph and List Bullet, and a heading style with a localised id
// ("berschrift4", as German Word writes Heading 4).
const Styles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:pPrDefault><w:pPr><w:spacing w:after="160"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="1"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading3"><w:name w:val="heading 3"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="berschrift4"><w:name w:val="heading 4"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="MeetingHeading"><w:name w:val="Meeting Heading"/><w:basedOn w:val="Heading2"/></w:style>
<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:left="720"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>
</w:styles>`

// Numbering is a numbering.xml with list 1 a bullet list (nested levels
// bullets too), list 2 a decimal list with lowercase-letter sub-items, and
// list 3 the same decimal list restarted at 1.
const Numbering = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val=""/><w:rPr><w:rFonts w:ascii="Symbol" w:hAnsi="Symbol"/></w:rPr></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="o"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%2."/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>`

// Build returns a .docx whose body is body, with the Styles and
// Numbering parts.
func Build(body string) []byte {
	return Zip(
		Entry{Name: "[Content_Types].xml", Data: []byte(contentTypes)},
		Entry{Name: "_rels/.rels", Data: RootRels("word/document.xml")},
		Entry{Name: "word/document.xml", Data: DocumentXML(body)},
		Entry{Name: "word/styles.xml", Data: []byte(Styles)},
		Entry{Name: "word/numbering.xml", Data: []byte(Numbering)},
	)
}

// BuildBare returns a .docx with only a document part: no styles, no
// numbering, as minimal writers produce.
func BuildBare(body string) []byte {
	return Zip(
		Entry{Name: "[Content_Types].xml", Data: []byte(contentTypes)},
		Entry{Name: "_rels/.rels", Data: RootRels("word/document.xml")},
		Entry{Name: "word/document.xml", Data: DocumentXML(body)},
	)
}

// Escape escapes text for XML.
func Escape(s string) string {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		panic(err) // a strings.Builder does not fail
	}
	return b.String()
}

// Run is a run of text, spaces kept.
func Run(text string) string {
	return `<w:r><w:t xml:space="preserve">` + Escape(text) + `</w:t></w:r>`
}

// Para is a paragraph of one run.
func Para(text string) string { return `<w:p>` + Run(text) + `</w:p>` }

// Styled is a paragraph of one run in a paragraph style.
func Styled(styleID, text string) string {
	return `<w:p><w:pPr><w:pStyle w:val="` + styleID + `"/></w:pPr>` + Run(text) + `</w:p>`
}

// Heading is a paragraph in style HeadingN.
func Heading(level int, text string) string { return Styled(fmt.Sprintf("Heading%d", level), text) }

// ListItem is a List Paragraph in list numID at level ilvl.
func ListItem(numID, ilvl int, text string) string {
	return fmt.Sprintf(`<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="%d"/><w:numId w:val="%d"/></w:numPr></w:pPr>`, ilvl, numID) +
		Run(text) + `</w:p>`
}

// Bullet is an item of the bullet list 1.
func Bullet(text string) string { return ListItem(1, 0, text) }

// Numbered is an item of the decimal list 2.
func Numbered(text string) string { return ListItem(2, 0, text) }

// Table is a table whose cells each hold one paragraph of text.
func Table(rows ...[]string) string {
	var b strings.Builder
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>`)
	if len(rows) > 0 {
		for range rows[0] {
			b.WriteString(`<w:gridCol w:w="3000"/>`)
		}
	}
	b.WriteString(`</w:tblGrid>`)
	for _, r := range rows {
		b.WriteString(`<w:tr>`)
		for _, c := range r {
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>` + Para(c) + `</w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	return b.String()
}

// Bomb returns a .docx whose document.xml decompresses to about n bytes:
// one paragraph padded with spaces, a few hundred KB compressed.
func Bomb(n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("word/document.xml")
	if err != nil {
		panic(err)
	}
	head, tail, _ := bytes.Cut(DocumentXML(Para("tiny")+"SPACES"), []byte("SPACES"))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	must(f.Write(head))
	for written := 0; written < n; written += len(chunk) {
		must(f.Write(chunk))
	}
	must(f.Write(tail))
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// OLE returns the start of an OLE compound file whose directory names
// streams: "WordDocument" for a Word 97-2003 .doc, "EncryptedPackage"
// for a password-protected .docx.
func OLE(streams ...string) []byte {
	b := append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 504)...)
	for _, s := range streams {
		for _, c := range []byte(s) {
			b = append(b, c, 0)
		}
	}
	return b
}

func must(_ int, err error) {
	if err != nil {
		panic(err)
	}
}
