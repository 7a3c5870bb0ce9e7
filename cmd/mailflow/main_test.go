package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailflow/mailflow/demo"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := realMain(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestParseJSON(t *testing.T) {
	code, out, errOut := run(t, "parse", "--json", "../../mailflow/demo/minutes.eml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var u struct {
		Kind    string `json:"kind"`
		Meeting struct {
			Title     string `json:"title"`
			Date      string `json:"date"`
			Attendees []struct{ Name, Email string }
		} `json:"meeting"`
		ActionItems []struct {
			Text, Owner string
			Due         *string
		} `json:"action_items"`
		Risks []struct {
			Description, Likelihood, Impact, Mitigation, Owner string
		} `json:"risks"`
		Decisions []struct{ Text string } `json:"decisions"`
		Problems  []any                   `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if u.Kind != "minutes" || u.Meeting.Date != "2026-11-24" || len(u.Meeting.Attendees) != 5 {
		t.Errorf("kind %s date %s attendees %d", u.Kind, u.Meeting.Date, len(u.Meeting.Attendees))
	}
	if len(u.ActionItems) != 4 || len(u.Risks) != 2 || len(u.Decisions) != 2 {
		t.Fatalf("items %d risks %d decisions %d", len(u.ActionItems), len(u.Risks), len(u.Decisions))
	}
	// Owners resolve against To/Cc even without a config.
	if it := u.ActionItems[0]; it.Owner != "alice.moreau@stmarys-clinic.example" || it.Due == nil || *it.Due != "2026-12-01" {
		t.Errorf("first item %+v", it)
	}
	if r := u.Risks[0]; r.Likelihood != "high" || r.Impact != "high" || r.Mitigation != "weekly vendor call" {
		t.Errorf("first risk %+v", r)
	}
}

func TestParseReply(t *testing.T) {
	p := filepath.Join(t.TempDir(), "reply.eml")
	os.WriteFile(p, []byte("From: Bob <bob@x.example>\r\nSubject: Re: Minutes\r\nIn-Reply-To: <a@x>\r\n\r\nA-2 due Dec 9\r\nclose A-3\r\n\r\nOn Tue, Priya wrote:\r\n> ACTION: everything\r\n"), 0o600)
	code, out, errOut := run(t, "parse", p, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var u struct {
		Kind      string `json:"kind"`
		ReplyText string `json:"reply_text"`
		Commands  []struct{ Verb, Ref, Value string }
	}
	json.Unmarshal([]byte(out), &u)
	if u.Kind != "reply" || u.ReplyText != "A-2 due Dec 9\nclose A-3" || len(u.Commands) != 2 {
		t.Fatalf("%+v", u)
	}
	if c := u.Commands[0]; c.Verb != "due" || c.Ref != "A-2" || c.Value != "Dec 9" {
		t.Errorf("first command %+v", c)
	}
}

func TestItemsAndRisksFromDemoDatabase(t *testing.T) {
	dir := t.TempDir()
	if _, err := demo.Run(t.Context(), dir, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "mailflow.db")
	code, out, errOut := run(t, "items", "--db", db, "--json", "--status", "all")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var items []struct {
		Ref, Status, Owner string
		Due                *string
	}
	if err := json.Unmarshal([]byte(out), &items); err != nil || len(items) != 4 {
		t.Fatalf("items: %v %s", err, out)
	}
	if items[0].Ref != "A-1" || items[0].Status != "done" {
		t.Errorf("A-1 = %+v", items[0])
	}
	code, out, _ = run(t, "items", "--db", db)
	if code != 0 || strings.Contains(out, "A-1 ") || !strings.Contains(out, "A-2") {
		t.Errorf("open items table:\n%s", out)
	}
	code, out, _ = run(t, "risks", "--db", db)
	if code != 0 || !strings.Contains(out, "R-1") || !strings.Contains(out, "flat-file fallback") {
		t.Errorf("risks table:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, _ := run(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
	if code, _, errOut := run(t, "items"); code != 2 || !strings.Contains(errOut, "--config") {
		t.Errorf("items without a database: exit %d, %q", code, errOut)
	}
	p := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(p, []byte("[imap]\naddress = \"x\"\n"), 0o600)
	code, _, errOut := run(t, "run", "--config", p, "--once")
	if code != 1 || !strings.Contains(errOut, "imap.address") || !strings.Contains(errOut, "database.path") {
		t.Errorf("bad config: exit %d, %q", code, errOut)
	}
}
