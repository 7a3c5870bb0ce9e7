package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

var update = flag.Bool("update", false, "rewrite ../../mailflow.example.toml from the template")

// TestRenderedExampleIsShipped: the shipped mailflow.example.toml is the
// template rendered with ExampleSetup, so it says what init writes.
// Regenerate it with: go test ./mailflow/config -run RenderedExample -update
func TestRenderedExampleIsShipped(t *testing.T) {
	const shipped = "../../mailflow.example.toml"
	got := Render(ExampleSetup())
	if *update {
		if err := os.WriteFile(shipped, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(shipped)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is not the rendered template; run: go test ./mailflow/config -run RenderedExample -update", shipped)
	}
}

// TestRenderLoads renders setups whose values need TOML escaping, and one
// without roster or leadership (init's), and loads each back.
func TestRenderLoads(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Setup)
	}{
		{"the example", func(*Setup) {}},
		{"init's: no roster, no leadership", func(s *Setup) { s.Members, s.Leadership = nil, nil }},
		{"quotes, backslashes, unicode", func(s *Setup) {
			s.ProjectName = `Ré "EHR" \ Rollout`
			s.SMTPFrom = `"Rollout, EHR" <ehr-project@example.org>`
			s.Members[0].Name = "Zoë \"Z\" O'Neil\\"
		}},
		{"a control character", func(s *Setup) { s.ProjectName = "EHR\tRollout\x7f" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := ExampleSetup()
			s.SecretDir = dir
			s.IMAPPasswordFile, s.SMTPPasswordFile, s.ReplyKeyFile = filepath.Join(dir, "imap"), filepath.Join(dir, "smtp"), filepath.Join(dir, "key")
			s.Database = filepath.Join(dir, "mailflow.db")
			tc.change(&s)
			for _, f := range []string{s.IMAPPasswordFile, s.SMTPPasswordFile, s.ReplyKeyFile} {
				if err := os.WriteFile(f, []byte("0123456789abcdef0123\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, "mailflow.toml")
			if err := os.WriteFile(path, Render(s), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if err != nil {
				t.Fatalf("Load(rendered) = %v", err)
			}
			p := c.Projects[0]
			if p.Name != s.ProjectName || len(p.Members) != len(s.Members) || len(p.Leadership) != len(s.Leadership) {
				t.Errorf("loaded project %q, %d members, leadership %v; want %q, %d, %v", p.Name, len(p.Members), p.Leadership, s.ProjectName, len(s.Members), s.Leadership)
			}
			for i, m := range s.Members {
				if p.Members[i].Name != m.Name {
					t.Errorf("member %d name %q, want %q", i, p.Members[i].Name, m.Name)
				}
			}
		})
	}
}

func TestQuoteString(t *testing.T) {
	for _, s := range []string{"", "plain", `a"b`, `back\slash`, "tab\there", "nul\x00", "del\x7f", "é ☃ 😀", "line\nbreak"} {
		var v struct{ V string }
		if _, err := toml.Decode("V = "+QuoteString(s), &v); err != nil || v.V != s {
			t.Errorf("decode(QuoteString(%q)) = %q, %v; want the same string", s, v.V, err)
		}
	}
}

// TestUnknownKeySuggestions: a misspelt key is answered with the key it
// most probably meant, a key under the wrong table with the table where it
// belongs, and a key near nothing with the keys its table has.
func TestUnknownKeySuggestions(t *testing.T) {
	text, _ := example(t)
	tests := []struct {
		name, from, to, want string
	}{
		{"one letter missing", `address = "imap.example.org:993"`, `adress = "imap.example.org:993"`, "imap.adress: unknown key: did you mean imap.address?"},
		{"one letter doubled", `poll_interval = "60s"`, `poll_intervall = "60s"`, "imap.poll_intervall: unknown key: did you mean imap.poll_interval?"},
		{"two letters swapped", `reminder_hour = 8`, `reminder_huor = 8`, "project.reminder_huor: unknown key: did you mean project.reminder_hour?"},
		{"in a member", `role = "chair"`, `rol = "chair"`, "project.member.rol: unknown key: did you mean project.member.role?"},
		{"under the wrong table", `idle = true`, `idle = true` + "\ntimezone = \"UTC\"", "imap.timezone: unknown key here: timezone belongs in [[project]]"},
		{"near nothing", `idle = true`, "idle = true\ncolour = \"blue\"", "imap.colour: unknown key (misspelt?); [imap] has address, security"},
		{"a misspelt table", "[templates]", "[template]", "template: unknown key: did you mean templates?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, mustReplace(t, text, tc.from, tc.to))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
			if tc.name == "a misspelt table" && strings.Contains(err.Error(), "template.dir") {
				t.Errorf("error %v reports the keys under the unknown table too", err)
			}
		})
	}
}

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"address", "adress", 1}, {"kitten", "sitting", 3},
		{"timezone", "timeout", 3}, {"héllo", "hello", 1}, {"flaw", "lawn", 2},
	} {
		if got := levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestErrorsNameFileOnceAndTheFix: the file is named once, each problem
// names its key, and a missing or empty secret file comes with the
// command that writes it.
func TestErrorsNameFileOnceAndTheFix(t *testing.T) {
	text, dir := example(t)
	os.Remove(filepath.Join(dir, "imap-password"))
	os.WriteFile(filepath.Join(dir, "smtp-password"), nil, 0o600)
	p := filepath.Join(t.TempDir(), "mailflow.toml")
	os.WriteFile(p, []byte(text), 0o644)
	_, err := Load(p)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load = %v, want a *config.Error", err)
	}
	msg := err.Error()
	if strings.Count(msg, p) != 1 {
		t.Errorf("the file is named %d times, want once:\n%s", strings.Count(msg, p), msg)
	}
	want := []Problem{
		{Key: "imap.password_file", What: filepath.Join(dir, "imap-password") + " does not exist",
			Fix: "(umask 077 && printf '%s\\n' 'THE IMAP PASSWORD' > " + filepath.Join(dir, "imap-password") + ") (or run mailflow init)"},
		{Key: "smtp.password_file", What: filepath.Join(dir, "smtp-password") + " is empty",
			Fix: "(umask 077 && printf '%s\\n' 'THE SMTP PASSWORD' > " + filepath.Join(dir, "smtp-password") + ")"},
	}
	if len(ce.Problems) != len(want) {
		t.Fatalf("problems %+v, want %+v", ce.Problems, want)
	}
	for i, w := range want {
		if ce.Problems[i] != w {
			t.Errorf("problem %d = %+v, want %+v", i, ce.Problems[i], w)
		}
	}

	_, err = Load(filepath.Join(dir, "nowhere.toml"))
	if err == nil || strings.Count(err.Error(), "nowhere.toml") != 1 || !strings.Contains(err.Error(), "mailflow init "+dir) {
		t.Errorf("a missing file: %v; want it named once and mailflow init offered", err)
	}
}

// TestCredentialBeforeFile: under systemd the credential of a secret wins
// over its file, which the service's own user may not be able to open.
func TestCredentialBeforeFile(t *testing.T) {
	text, dir := example(t)
	// The file is there but unreadable to the service: simulate with a
	// file that would be refused.
	chmod(t, filepath.Join(dir, "imap-password"), 0o644)
	creds := t.TempDir()
	os.WriteFile(filepath.Join(creds, "imap-password"), []byte("from-credential\n"), 0o400)
	c, err := finish(t, text, map[string]string{"CREDENTIALS_DIRECTORY": creds})
	if err != nil {
		t.Fatalf("with the credential: %v", err)
	}
	if c.IMAP.Password != "from-credential" || c.SMTP.Password != "smtp-secret" {
		t.Errorf("imap password %q (want the credential's), smtp %q (want the file's)", c.IMAP.Password, c.SMTP.Password)
	}
}
