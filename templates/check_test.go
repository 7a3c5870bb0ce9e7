package templates

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckEmbedded(t *testing.T) {
	if err := Check(""); err != nil {
		t.Fatalf("Check(\"\") = %v", err)
	}
}

func overrideDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCheckOverrides(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error; none for success
	}{
		{"good subject", map[string]string{"status.subject.tmpl": "Weekly report for {{.Project}}\n"}, nil},
		{"parse error", map[string]string{"minutes.txt.tmpl": "{{.Title}}\n\n{{range .Items}}\n"},
			[]string{"minutes.txt.tmpl:4", "unexpected EOF"}},
		{"unknown field", map[string]string{"reminder.html.tmpl": "{{template \"top\" .}}\n<p>{{.Nope}}</p>\n{{template \"bottom\" .}}"},
			[]string{"reminder.html.tmpl:2", "Nope"}},
		{"misspelt name", map[string]string{"reminders.txt.tmpl": "x"},
			[]string{"reminders.txt.tmpl: not a template mailflow uses"}},
		{"external image", map[string]string{"ack.html.tmpl": `{{template "top" .}}<img src="https://cdn.example/logo.png">{{template "bottom" .}}`},
			[]string{"ack.html.tmpl", "https://cdn.example/logo.png"}},
		{"style block", map[string]string{"_layout.html.tmpl": strings.Replace(mustRead(t, "_layout.html.tmpl"), "<title>", "<style>p{color:red}</style><title>", 1)},
			[]string{"<style>"}},
		{"empty subject", map[string]string{"error.subject.tmpl": "{{if false}}x{{end}}"}, []string{"error.subject.tmpl", "empty subject"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := overrideDir(t, tc.files)
			err := Check(dir)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Check = nil, want an error with %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check = %v\nwant it to say %q", err, w)
				}
			}
		})
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := embedded.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadOverridesFileByFile(t *testing.T) {
	dir := overrideDir(t, map[string]string{"ack.subject.tmpl": "Confirmed: {{.Subject}}"})
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := set.Render("ack", Sample("ack"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Subject, "Confirmed: ") || !strings.Contains(r.Text, "Done.") {
		t.Errorf("override not applied or other parts lost: %q / %q", r.Subject, r.Text)
	}
}
