package demo_test

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailflow/mailflow/config"
	"mailflow/mailflow/demo"
)

// TestDemo runs the whole demo and checks what a person would check: the
// mail files, the stored items and the mailbox folders.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	sum, err := demo.Run(t.Context(), dir, &out)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) < 4 {
		t.Fatalf("%d .eml files, want at least 4", len(files))
	}
	kinds := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s does not parse: %v", f, err)
		}
		kinds[m.Header.Get("X-Mailflow-Kind")]++
		if m.Header.Get("Auto-Submitted") != "auto-generated" || m.Header.Get("Message-Id") == "" {
			t.Errorf("%s lacks Auto-Submitted or Message-ID", filepath.Base(f))
		}
	}
	for _, k := range []string{"minutes", "reminder", "status", "ack"} {
		if kinds[k] == 0 {
			t.Errorf("no %s mail among %v", k, kinds)
		}
	}
	if len(sum.Items) != 4 || len(sum.Risks) != 2 {
		t.Errorf("stored %d items and %d risks, want 4 and 2", len(sum.Items), len(sum.Risks))
	}
	status := map[string]string{}
	for _, it := range sum.Items {
		status[it.Ref()] = it.Status + " " + it.Due
	}
	want := map[string]string{"A-1": "done 2026-12-01", "A-2": "open 2026-12-09", "A-3": "open 2026-12-02", "A-4": "open 2026-11-27"}
	for ref, w := range want {
		if status[ref] != w {
			t.Errorf("%s = %q, want %q", ref, status[ref], w)
		}
	}
	// The minutes, Priya's "confirm", and three replies.
	if sum.Processed != 5 || sum.Failed != 0 {
		t.Errorf("folders: %d processed, %d failed; want 5 and 0", sum.Processed, sum.Failed)
	}
	if !strings.Contains(out.String(), "A-1 closed") {
		t.Errorf("narration does not report the close:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "mailflow.db")); err != nil {
		t.Errorf("no database: %v", err)
	}
}

// TestDemoTwice checks that a second run starts afresh instead of mixing
// in the first run's mail and database.
func TestDemoTwice(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	first, err := demo.Run(t.Context(), dir, &out)
	if err != nil {
		t.Fatal(err)
	}
	second, err := demo.Run(t.Context(), dir, &out)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != len(second.Mails) || len(first.Mails) != len(second.Mails) || len(second.Items) != 4 {
		t.Errorf("second run: %d files, %d mails (first %d), %d items", len(files), len(second.Mails), len(first.Mails), len(second.Items))
	}
}

// TestDemoLeavesAConfig: the demo leaves a configuration beside its
// database that loads, reads the demo's database, has the demo's project
// and roster, keeps its secrets 0600 and points at nothing live.
func TestDemoLeavesAConfig(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Run(t.Context(), dir, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, demo.ConfigFile)
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the demo's configuration does not load: %v", err)
	}
	inMemory, err := demo.Config(dir, "127.0.0.1:1", "127.0.0.1:1", []byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.Path != filepath.Join(dir, demo.DatabaseFile) || cfg.Database.Path != inMemory.Database.Path {
		t.Errorf("database %s, want %s", cfg.Database.Path, filepath.Join(dir, demo.DatabaseFile))
	}
	p, q := cfg.Projects[0], inMemory.Projects[0]
	if p.Name != q.Name || p.Address != q.Address || p.Timezone != q.Timezone || len(p.Members) != 5 || len(p.Members) != len(q.Members) {
		t.Errorf("project %+v, want the demo's %+v", p, q)
	}
	if cfg.IMAP.Address != "127.0.0.1:1" || cfg.SMTP.Address != "127.0.0.1:1" || cfg.IMAP.Password != "demo" || len(cfg.Security.ReplyKey) < 16 {
		t.Errorf("servers %s and %s (want nothing live), password %q, key of %d bytes", cfg.IMAP.Address, cfg.SMTP.Address, cfg.IMAP.Password, len(cfg.Security.ReplyKey))
	}
	text, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(text), "# The demo's configuration") {
		t.Errorf("the configuration does not say it is the demo's:\n%.200s", text)
	}
	for _, name := range []string{"imap-password", "reply-key", demo.DatabaseFile} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, want mode 0600", name, err)
		}
	}
}

// TestDemoKeepsARealConfig: the demo clears its directory, so it refuses
// one holding a configuration that is not its own.
func TestDemoKeepsARealConfig(t *testing.T) {
	dir := t.TempDir()
	real := []byte("# mailflow configuration of EHR Rollout, written by mailflow init\n")
	os.WriteFile(filepath.Join(dir, demo.ConfigFile), real, 0o644)
	os.WriteFile(filepath.Join(dir, demo.DatabaseFile), []byte("precious"), 0o600)
	if _, err := demo.Run(t.Context(), dir, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "not the demo's") {
		t.Fatalf("demo in a real installation's directory: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, demo.DatabaseFile)); string(b) != "precious" {
		t.Error("the demo removed the database of a real installation")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, demo.ConfigFile)); string(b) != string(real) {
		t.Error("the demo replaced a real configuration")
	}
}
