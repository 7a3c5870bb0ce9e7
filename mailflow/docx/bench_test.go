package docx

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	dt "mailflow/mailflow/docx/docxtest"
)

// BenchmarkReadDocx reads ~50 KB of realistic Word minutes (an action log
// and a risk table per topic, Word's run markup). MB/s counts the .docx
// file's bytes; its document.xml is about ten times larger.
func BenchmarkReadDocx(b *testing.B) {
	data := dt.Minutes(50 << 10)
	text, err := Read(data)
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(text, "| Action | Owner | Due | Status |\n| --- | --- | --- | --- |\n") {
		b.Fatalf("no action log in:\n%s", text)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(findFile(zr, documentPart).UncompressedSize64)/1024, "xml-KB")
	b.ReportMetric(float64(len(text))/1024, "text-KB")
}
