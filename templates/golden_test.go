package templates

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ from the templates")

// TestGolden renders every kind with every sample variant and compares the
// subject, text and HTML with testdata/<kind>.<variant>.{txt,html}. Run
// "go test ./templates -update" after changing a template, and read the
// diff: it is the mail people will get.
func TestGolden(t *testing.T) {
	set := MustDefault()
	for _, kind := range Kinds {
		for _, v := range Variants(kind) {
			r, err := set.Render(kind, v.Data)
			if err != nil {
				t.Fatalf("Render(%s, %s): %v", kind, v.Name, err)
			}
			base := filepath.Join("testdata", kind+"."+v.Name)
			golden(t, base+".txt", "Subject: "+r.Subject+"\n\n"+r.Text)
			golden(t, base+".html", r.HTML)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the rendered mail (run go test -update and review the diff):\n%s", path, diff(string(want), got))
	}
}
