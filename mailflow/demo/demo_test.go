package demo_test

import (
	"bytes"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
