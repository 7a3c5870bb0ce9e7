// Package docx reads the text of a Word .docx file — a zip holding
// word/document.xml — as plain text that keeps the structure minutes
// depend on: headings as "#" lines, list paragraphs as "- " or "1. "
// bullets, tables as Markdown pipe tables, paragraphs separated by blank
// lines. It is the Word counterpart of mailtext.HTMLToText.
//
// A .docx arrives from strangers by mail and is a zip, so every read is
// bounded: the file's size, the number of zip entries, the decompressed
// size of each XML part read, the XML nesting depth and the size of the
// text returned. Only the parts needed are opened: word/document.xml (or
// the main part _rels/.rels names), word/styles.xml and
// word/numbering.xml.
package docx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits against hostile files. A .docx of minutes is tens of kilobytes;
// one with photographs a few megabytes, of which the text is a small
// part.
const (
	// MaxFileBytes bounds the .docx itself. A mail of the default
	// imap.max_message_bytes (25 MB) carries at most ~19 MB decoded.
	MaxFileBytes = 32 << 20
	// MaxEntries bounds the zip's entries, each of which archive/zip
	// allocates for. A Word file has a dozen, a few hundred with many
	// pictures; ten thousand is an attack or not a Word file.
	MaxEntries = 1000
	// MaxDocumentBytes bounds word/document.xml decompressed: ~2,000
	// pages of Word's verbose XML. A zip bomb stops here.
	MaxDocumentBytes = 16 << 20
	// MaxPartBytes bounds the styles and numbering parts decompressed;
	// Word's own are 30–300 KB.
	MaxPartBytes = 4 << 20
	// MaxDepth bounds XML element nesting. Word nests body, table, row,
	// cell, paragraph, run and text a few times over (tables in tables,
	// text boxes, content controls): rarely 40 deep.
	MaxDepth = 256
	// MaxTextBytes bounds the text returned, as mailtext.MaxTextBytes
	// bounds a text part.
	MaxTextBytes = 4 << 20
)

// Errors callers branch on. Every error Read returns wraps one of them.
var (
	// ErrNotDocx: the data is not a Word .docx file.
	ErrNotDocx = errors.New("not a .docx file")
	// ErrLegacyDoc: a Word 97-2003 .doc (an OLE compound file), which is
	// also ErrNotDocx.
	ErrLegacyDoc = errors.New("a Word 97-2003 .doc file; save it as .docx to have it read")
	// ErrEncrypted: a password-protected Word file, whose text cannot be
	// read without the password.
	ErrEncrypted = errors.New("a password-protected Word file")
	// ErrTooLarge: a limit above was exceeded; nothing was read.
	ErrTooLarge = errors.New("too large")
	// ErrDamaged: the zip or its XML is broken.
	ErrDamaged = errors.New("damaged .docx file")
	// ErrTextCut comes with text: the document's text was longer than
	// MaxTextBytes and the text returned is its beginning.
	ErrTextCut = errors.New("text cut")
)

// Part names inside the package (ECMA-376 part 1, section 11.3).
const (
	documentPart  = "word/document.xml"
	stylesPart    = "word/styles.xml"
	numberingPart = "word/numbering.xml"
	rootRelsPart  = "_rels/.rels"
)

// oleSignature starts every OLE compound file: Word 97-2003 .doc files, and
// also password-protected .docx files, which Word wraps in one.
var oleSignature = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// encryptedPackage is the stream name, in the UTF-16LE of an OLE directory,
// that holds an encrypted .docx (MS-OFFCRYPTO section 2.3.4.4).
var encryptedPackage = utf16le("EncryptedPackage")

// centralHeader starts each entry of a zip's central directory (APPNOTE
// section 4.3.12).
var centralHeader = []byte("PK\x01\x02")

// Read returns the text of a .docx file. The error wraps ErrNotDocx,
// ErrLegacyDoc, ErrEncrypted, ErrTooLarge or ErrDamaged, and then no text
// is returned; or it wraps ErrTextCut, and the text is the document's
// beginning, cut at MaxTextBytes.
func Read(data []byte) (string, error) {
	zr, err := openZip(data)
	if err != nil {
		return "", err
	}
	main, err := mainPart(zr)
	if err != nil {
		return "", err
	}
	// Styles and numbering only refine the rendering (heading levels in
	// any language, "1." against "-"): a document whose styles are
	// missing or broken is still read, with Word's English style names.
	styles, _ := readStyles(findFile(zr, stylesPart))
	numbering, _ := readNumbering(findFile(zr, numberingPart))
	rc, err := main.Open()
	if err != nil {
		return "", fmt.Errorf("docx: open %s: %w: %v", main.Name, ErrDamaged, err)
	}
	defer rc.Close()
	return readDocument(limitPart(rc, main.Name, MaxDocumentBytes), styles, numbering)
}

// openZip checks what data is and opens it as a zip, after bounding its
// size and entry count.
func openZip(data []byte) (*zip.Reader, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("docx: %w: the file is %s, over the %s limit", ErrTooLarge, size(len(data)), size(MaxFileBytes))
	}
	switch {
	case bytes.HasPrefix(data, oleSignature) && bytes.Contains(data, encryptedPackage):
		return nil, fmt.Errorf("docx: %w", ErrEncrypted)
	case bytes.HasPrefix(data, oleSignature):
		return nil, fmt.Errorf("docx: %w: %w", ErrNotDocx, ErrLegacyDoc)
	case !bytes.HasPrefix(data, []byte("PK")):
		return nil, fmt.Errorf("docx: %w: %s", ErrNotDocx, whatItIs(data))
	}
	// archive/zip reads every central directory header before it returns,
	// whatever count the zip claims; each starts with the signature, so
	// counting signatures bounds the work beforehand.
	if n := bytes.Count(data, centralHeader); n > MaxEntries {
		return nil, fmt.Errorf("docx: %w: the zip holds more than %d entries", ErrTooLarge, MaxEntries)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// An insecure path ("../x") harms only code that extracts files;
		// this reads named parts in memory.
		return nil, fmt.Errorf("docx: %w: %v", ErrDamaged, err)
	}
	return zr, nil
}

// whatItIs names common files that are sent where a .docx was expected.
func whatItIs(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("{\\rtf")):
		return "an RTF file"
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "a PDF file"
	case len(data) == 0:
		return "the file is empty"
	}
	return "not a zip file"
}

// mainPart finds the main document part: word/document.xml in every file
// Word and its imitators write, else the part the package relationships
// name as the office document (ECMA-376 part 2, section 9.3).
func mainPart(zr *zip.Reader) (*zip.File, error) {
	if f := findFile(zr, documentPart); f != nil {
		return f, nil
	}
	if name := officeDocumentTarget(findFile(zr, rootRelsPart)); name != "" {
		if f := findFile(zr, name); f != nil && strings.HasPrefix(strings.ToLower(name), "word/") {
			return f, nil
		}
	}
	return nil, fmt.Errorf("docx: %w: %s", ErrNotDocx, zipKind(zr))
}

// zipKind names what a zip without a Word document is.
func zipKind(zr *zip.Reader) string {
	for _, f := range zr.File {
		switch name := strings.ToLower(f.Name); {
		case name == "xl/workbook.xml":
			return "an Excel workbook"
		case name == "ppt/presentation.xml":
			return "a PowerPoint presentation"
		case name == "mimetype" || name == "content.xml":
			return "an OpenDocument file"
		}
	}
	return "a zip without " + documentPart
}

// findFile returns the entry named name, or nil. Part names are
// compared without case (ECMA-376 part 2, section 9.1.1.1).
func findFile(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if strings.EqualFold(strings.TrimPrefix(f.Name, "/"), name) {
			return f
		}
	}
	return nil
}

// limitPart reads at most limit decompressed bytes of a part and then
// fails with an error that says so, instead of a silent end of file that
// would read as truncated XML.
func limitPart(r io.Reader, name string, limit int64) io.Reader {
	return &partLimit{r: r, name: name, left: limit, limit: limit}
}

type partLimit struct {
	r     io.Reader
	name  string
	left  int64
	limit int64
}

func (p *partLimit) Read(b []byte) (int, error) {
	if p.left <= 0 {
		// One byte more tells a part of exactly limit bytes from a bigger one.
		var one [1]byte
		n, err := io.ReadAtLeast(p.r, one[:], 1)
		if n > 0 {
			return 0, p.tooLarge()
		}
		return 0, err
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	n, err := p.r.Read(b)
	p.left -= int64(n)
	return n, err
}

func (p *partLimit) tooLarge() error {
	return fmt.Errorf("docx: %w: %s is larger than %s when decompressed", ErrTooLarge, p.name, size(int(p.limit)))
}

// size writes a byte count as people read it.
func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return b
}
