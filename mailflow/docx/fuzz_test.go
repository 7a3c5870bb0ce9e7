package docx

import (
	"errors"
	"testing"
	"unicode/utf8"

	dt "mailflow/mailflow/docx/docxtest"
)

// fuzzSeeds are document bodies with every construct the reader handles.
var fuzzSeeds = []string{
	dt.Heading(1, "Action items") + dt.Bullet("Alice to go") + dt.ListItem(1, 1, "sub") + dt.Numbered("one") + dt.ListItem(2, 1, "a"),
	dt.Table([]string{"Action", "Owner", "Due"}, []string{"Go", "Alice", "Fri"}),
	`<w:tbl><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val="2"/><w:vMerge w:val="restart"/></w:tcPr>` +
		dt.Para("a") + `</w:tc></w:tr><w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:tbl><w:tr><w:tc>` + dt.Para("n") + `</w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>`,
	`<w:p><w:sdt><w:sdtPr><w14:checkbox><w14:checked w14:val="1"/></w14:checkbox></w:sdtPr><w:sdtContent>` + dt.Run("☒") +
		`</w:sdtContent></w:sdt><w:r><w:sym w:font="Wingdings" w:char="F0FE"/><w:tab/><w:br/></w:r></w:p>`,
	`<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:checkBox><w:default w:val="1"/></w:checkBox></w:ffData></w:fldChar></w:r>` +
		`<w:r><w:instrText>FORMCHECKBOX</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>` + dt.Run("r") +
		`<w:r><w:fldChar w:fldCharType="end"/></w:r><w:hyperlink>` + dt.Run("link") + `</w:hyperlink></w:p>`,
	`<w:p><w:ins>` + dt.Run("in") + `</w:ins><w:del><w:r><w:delText>out</w:delText></w:r></w:del><w:r><w:rPr><w:strike/><w:vanish w:val="0"/></w:rPr><w:t>s</w:t></w:r></w:p>`,
	`<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent>` + dt.Para("box") + `</w:txbxContent></mc:Choice><mc:Fallback>` + dt.Para("box") +
		`</mc:Fallback></mc:AlternateContent></w:r></w:p>`,
}

// FuzzRead reads arbitrary bytes as a .docx, and as the document.xml of
// a well-formed .docx (which reaches the XML reader far more often than
// random zips do). Read must return text or an error wrapping one of its
// sentinels, never panic, and never return invalid or oversized text.
func FuzzRead(f *testing.F) {
	for _, body := range fuzzSeeds {
		f.Add(dt.Build(body))
		f.Add(dt.DocumentXML(body))
	}
	f.Add(dt.BuildBare(dt.Numbered("x")))
	f.Add(dt.OLE("WordDocument"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		check(t, dt.Zip(dt.Entry{Name: "word/document.xml", Data: data, Stored: true}, dt.Entry{Name: "word/numbering.xml", Data: []byte(dt.Numbering), Stored: true}))
	})
}

func check(t *testing.T, data []byte) {
	t.Helper()
	text, err := Read(data)
	switch {
	case err == nil, errors.Is(err, ErrTextCut):
	case errors.Is(err, ErrNotDocx), errors.Is(err, ErrEncrypted), errors.Is(err, ErrTooLarge), errors.Is(err, ErrDamaged):
		if text != "" {
			t.Fatalf("Read = %q with error %v", text, err)
		}
	default:
		t.Fatalf("Read error %v wraps none of the sentinels", err)
	}
	if !utf8.ValidString(text) || len(text) > MaxTextBytes+1 {
		t.Fatalf("Read gave %d bytes, valid UTF-8 %v", len(text), utf8.ValidString(text))
	}
}
