package docx

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	dt "mailflow/mailflow/docx/docxtest"
)

// manyEntries returns a .docx with n media entries besides its document.
func manyEntries(n int) []byte {
	entries := []dt.Entry{{Name: "word/document.xml", Data: dt.DocumentXML(dt.Para("x"))}}
	for i := range n {
		entries = append(entries, dt.Entry{Name: fmt.Sprintf("word/media/image%d.png", i), Data: []byte("p"), Stored: true})
	}
	return dt.Zip(entries...)
}

// TestReadRefuses: what is not a readable .docx is refused with an error
// that names the problem and wraps the sentinel callers branch on.
func TestReadRefuses(t *testing.T) {
	deep := strings.Repeat("<w:sdt><w:sdtContent>", 5000) + dt.Para("deep")
	for _, c := range []struct {
		name string
		data []byte
		is   []error
		says string
	}{
		{"plain text", []byte("Minutes of the meeting"), []error{ErrNotDocx}, "not a zip"},
		{"empty", nil, []error{ErrNotDocx}, "empty"},
		{"a PDF", []byte("%PDF-1.7\n..."), []error{ErrNotDocx}, "PDF"},
		{"a Word 97 .doc", dt.OLE("WordDocument", "1Table"), []error{ErrNotDocx, ErrLegacyDoc}, "Word 97-2003 .doc"},
		{"a password-protected .docx", dt.OLE("EncryptionInfo", "EncryptedPackage"), []error{ErrEncrypted}, "password"},
		{"an Excel workbook", dt.Zip(dt.Entry{Name: "xl/workbook.xml", Data: []byte("<workbook/>")}), []error{ErrNotDocx}, "Excel"},
		{"a zip of other files", dt.Zip(dt.Entry{Name: "notes.txt", Data: []byte("x")}), []error{ErrNotDocx}, "without word/document.xml"},
		{"a truncated zip", dt.Build(dt.Para("x"))[:200], []error{ErrDamaged}, "damaged"},
		{"broken XML", dt.Zip(dt.Entry{Name: "word/document.xml", Data: []byte("<w:document><w:body><w:p>")}), []error{ErrDamaged}, "word/document.xml"},
		{"a zip bomb", dt.Bomb(128 << 20), []error{ErrTooLarge}, "document.xml is larger than 16 MB when decompressed"},
		{"10,000 entries", manyEntries(10000), []error{ErrTooLarge}, "more than 1000 entries"},
		{"XML nested too deep", dt.Build(deep), []error{ErrTooLarge}, "more than 256 deep"},
		{"a file over the size limit", make([]byte, MaxFileBytes+1), []error{ErrTooLarge}, "over the 32 MB limit"},
	} {
		t.Run(c.name, func(t *testing.T) {
			text, err := Read(c.data)
			if err == nil {
				t.Fatalf("Read = %q, nil; want an error", text)
			}
			for _, want := range c.is {
				if !errors.Is(err, want) {
					t.Errorf("Read error %q does not wrap %q", err, want)
				}
			}
			if !strings.Contains(err.Error(), c.says) || !strings.HasPrefix(err.Error(), "docx: ") {
				t.Errorf("Read error %q, want it to start with docx: and say %q", err, c.says)
			}
			if text != "" {
				t.Errorf("Read = %q with error %v, want no text", text, err)
			}
		})
	}
}

// TestReadBombIsCheap: a zip bomb is refused after reading at most the
// limit. The decoder holds one text token at a time, so memory stays
// within a small multiple of MaxDocumentBytes, not the bomb's size.
func TestReadBombIsCheap(t *testing.T) {
	data := dt.Bomb(128 << 20)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Read error = %v, want ErrTooLarge", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*MaxDocumentBytes {
		t.Errorf("Read allocated %d MB for a %d KB bomb of 128 MB, want under %d MB", alloc>>20, len(data)>>10, 3*MaxDocumentBytes>>20)
	}
}

// TestReadLimitsAllowRealFiles: the limits leave room for what Word
// writes — a few hundred pictures, a document just under the size limit.
func TestReadLimitsAllowRealFiles(t *testing.T) {
	if _, err := Read(manyEntries(MaxEntries - 1)); err != nil {
		t.Errorf("Read of %d entries: %v", MaxEntries, err)
	}
	text, err := Read(dt.Bomb(MaxDocumentBytes - (1 << 20)))
	if err != nil || text != "tiny\n" {
		t.Errorf("Read of a document just under the limit = %q, %v; want tiny", text, err)
	}
}

// TestReadCutsLongText: text past MaxTextBytes is cut on a line boundary
// and said to be.
func TestReadCutsLongText(t *testing.T) {
	para := dt.Para(strings.Repeat("Alice to send the plan. ", 4000)) // ~96 KB of text
	text, err := Read(dt.Build(strings.Repeat(para, 60)))
	if !errors.Is(err, ErrTextCut) {
		t.Fatalf("Read error = %v, want ErrTextCut", err)
	}
	if len(text) > MaxTextBytes+1 || len(text) < MaxTextBytes/2 || !strings.HasSuffix(text, "plan.\n") {
		t.Errorf("Read gave %d bytes ending %q, want about %d ending at a line", len(text), text[max(0, len(text)-20):], MaxTextBytes)
	}
}

// TestReadFindsTheMainPart: a main document not at word/document.xml is
// found through the package relationships; broken or oversized styles
// and numbering parts do not stop the text being read.
func TestReadFindsTheMainPart(t *testing.T) {
	for name, data := range map[string][]byte{
		"main part named by _rels/.rels": dt.Zip(
			dt.Entry{Name: "_rels/.rels", Data: dt.RootRels("/word/document2.xml")},
			dt.Entry{Name: "word/document2.xml", Data: dt.DocumentXML(dt.Heading(1, "Actions") + dt.Bullet("Alice to go"))}),
		"part names in another case": dt.Zip(dt.Entry{Name: "Word/Document.xml", Data: dt.DocumentXML(dt.Heading(1, "Actions") + dt.Bullet("Alice to go"))}),
		"broken styles and numbering": dt.Zip(
			dt.Entry{Name: "word/document.xml", Data: dt.DocumentXML(dt.Heading(1, "Actions") + dt.Bullet("Alice to go"))},
			dt.Entry{Name: "word/styles.xml", Data: []byte("<w:styles><w:style")},
			dt.Entry{Name: "word/numbering.xml", Data: append([]byte("<w:numbering>"), bytes.Repeat([]byte(" "), MaxPartBytes+1)...)}),
	} {
		got, err := Read(data)
		if want := "# Actions\n\n- Alice to go\n"; err != nil || got != want {
			t.Errorf("%s: Read = %q, %v; want %q", name, got, err, want)
		}
	}
}

// TestReadHostileStructure: shapes no writer makes still give bounded,
// valid text.
func TestReadHostileStructure(t *testing.T) {
	for name, body := range map[string]string{
		"huge span":          `<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2000000000"/></w:tcPr>` + dt.Para("a") + `</w:tc><w:tc>` + dt.Para("b") + `</w:tc></w:tr></w:tbl>`,
		"huge grid before":   `<w:tbl><w:tr><w:trPr><w:gridBefore w:val="99999999"/></w:trPr><w:tc>` + dt.Para("a") + `</w:tc></w:tr></w:tbl>`,
		"wide row":           `<w:tbl><w:tr>` + strings.Repeat(`<w:tc>`+dt.Para("c")+`</w:tc>`, 10000) + `</w:tr></w:tbl>`,
		"long table":         `<w:tbl>` + strings.Repeat(`<w:tr><w:tc>`+dt.Para("a")+`</w:tc><w:tc>`+dt.Para("b")+`</w:tc></w:tr>`, 5000) + `</w:tbl>`,
		"cells outside rows": `<w:tbl><w:tc>` + dt.Para("a") + `</w:tc><w:tc>` + dt.Para("b") + `</w:tc></w:tbl>`,
		"unbalanced fields": `<w:p><w:r><w:fldChar w:fldCharType="end"/><w:fldChar w:fldCharType="separate"/></w:r>` + dt.Run("shown") + `</w:p>` +
			strings.Repeat(`<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r></w:p>`, 100),
		"row properties outside a table": `<w:trPr><w:del w:id="1"/><w:gridBefore w:val="2"/></w:trPr><w:tcPr><w:gridSpan w:val="2"/><w:vMerge/></w:tcPr>` + dt.Para("x"),
		"huge list start":                `<w:p><w:pPr><w:numPr><w:ilvl w:val="99"/><w:numId w:val="2"/></w:numPr></w:pPr>` + dt.Run("x") + `</w:p>`,
		"bad symbol":                     `<w:p><w:r><w:sym w:font="Arial" w:char="D800"/><w:sym w:font="Arial" w:char="zz"/><w:sym w:char="110000"/></w:r></w:p>`,
		"many nested boxes":              strings.Repeat(`<w:p><w:r><w:pict><v:textbox><w:txbxContent>`, 40) + dt.Para("x"),
	} {
		text, err := Read(dt.Build(body))
		if err != nil && !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: Read error %v", name, err)
		}
		if !utf8.ValidString(text) || len(text) > 200000 {
			t.Errorf("%s: Read gave %d bytes (valid UTF-8: %v)", name, len(text), utf8.ValidString(text))
		}
	}
}
