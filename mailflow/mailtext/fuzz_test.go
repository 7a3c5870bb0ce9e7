package mailtext

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead reads arbitrary bytes as a message and as HTML: Read must
// return a message or an error wrapping ErrMalformed, and neither may
// panic or hang.
func FuzzRead(f *testing.F) {
	for _, dir := range []string{"testdata", filepath.Join("..", "minutes", "testdata")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		for _, name := range files {
			raw, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(raw)
		}
	}
	f.Add([]byte(mixedMail(outer, textPart("Minutes attached."), docxPart("minutes.docx", actionLog))))
	f.Add([]byte(mixedMail(outer, textPart("FYI"), messagePart(forwardedMinutes))))
	f.Add([]byte("<table><tr><td><ul><li><table><tr><td>x</td></tr></table></li></ul></td></tr></table>"))
	f.Add([]byte("Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--a--\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Read(data)
		switch {
		case err != nil && !errors.Is(err, ErrMalformed):
			t.Fatalf("Read error %v does not wrap ErrMalformed", err)
		case err == nil && m == nil:
			t.Fatal("Read returned neither a message nor an error")
		case err == nil && m.HTML != "":
			HTMLToText(m.HTML)
		}
		HTMLToText(string(data))
	})
}
