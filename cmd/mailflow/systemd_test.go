package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSystemdUnit checks the shipped unit with systemd's own tools: it
// verifies cleanly and "systemd-analyze security" rates it 2.0 or lower.
func TestSystemdUnit(t *testing.T) {
	unit, err := os.ReadFile("../../systemd/mailflow.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Type=notify", "StateDirectory=mailflow", "DynamicUser=yes", "LoadCredential=imap-password", "ProtectSystem=strict",
		"ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service", "WatchdogSec="} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("unit lacks %s", want)
		}
	}
	// The unit loads the secret files mailflow init writes in /etc/mailflow,
	// under the credential names the configuration looks for.
	for _, name := range []string{imapPasswordName, smtpPasswordName, replyKeyName} {
		if want := "\nLoadCredential=" + name + ":/etc/mailflow/" + name + "\n"; !strings.Contains(string(unit), want) {
			t.Errorf("unit lacks %q: the file init writes, under its credential name", strings.TrimSpace(want))
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	// verify wants ExecStart to exist: point it at this test binary.
	self, _ := os.Executable()
	text := strings.Replace(string(unit), "/usr/local/bin/mailflow run", self+" run", 1)
	path := filepath.Join(t.TempDir(), "mailflow.service")
	os.WriteFile(path, []byte(text), 0o644)
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := exec.Command(analyze, "security", "--offline=true", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for mailflow.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	score, _ := strconv.ParseFloat(string(m[1]), 64)
	t.Logf("systemd-analyze security: exposure %.1f", score)
	if score > 2.0 {
		t.Errorf("exposure %.1f, want ≤ 2.0", score)
	}
}
