package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// devSetTargets are issue 15's targets on the labelled development set of
// real minutes: action-item F1 overall and in every kind, owners right on
// matched items, due dates right (none invented), decision F1.
const (
	targetF1Overall  = 0.90
	targetF1PerStyle = 0.80
	targetOwner      = 0.90
	targetDue        = 0.95
	targetDecisionF1 = 0.75
)

// TestDevSetScores runs the person-labelled real minutes in
// ../shared/corpora/real_minutes_dev through "mailflow parse" with their
// own scorer (score.py), prints its table, and fails under the targets.
func TestDevSetScores(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpora", "real_minutes_dev"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "score.py")); err != nil {
		if os.Getenv("MAILFLOW_REQUIRE_CORPORA") != "" {
			t.Fatalf("MAILFLOW_REQUIRE_CORPORA is set but the labelled minutes are missing: %v", err)
		}
		t.Skipf("../shared/corpora/real_minutes_dev not present: %v", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed to run the corpus's scorer: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "mailflow")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(python, filepath.Join(dir, "score.py"), bin).CombinedOutput()
	if err != nil {
		t.Fatalf("score.py: %v\n%s", err, out)
	}
	t.Logf("real_minutes_dev, scored by its own score.py:\n%s", out)
	rows := scoreRows(t, string(out))
	overall, ok := rows["overall"]
	if !ok {
		t.Fatalf("no overall row in the scorer's output")
	}
	check := func(what string, got, want float64) {
		t.Helper()
		if got < want {
			t.Errorf("%s = %.2f, want at least %.2f", what, got, want)
		}
	}
	check("action-item F1 overall", overall["F1"], targetF1Overall)
	check("owners right on matched items", overall["owner"], targetOwner)
	check("due dates right on matched items", overall["due"], targetDue)
	check("decision F1", overall["dF1"], targetDecisionF1)
	for style, r := range rows {
		if style != "overall" {
			check("action-item F1 of "+style, r["F1"], targetF1PerStyle)
		}
	}
	if len(rows) < 8 {
		t.Errorf("%d rows in the scorer's table, want the 7 kinds and overall", len(rows))
	}
}

// scoreRows reads score.py's table: a header line naming the columns, then
// one row per style.
func scoreRows(t *testing.T, out string) map[string]map[string]float64 {
	t.Helper()
	rows := map[string]map[string]float64{}
	var cols []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 && f[0] == "style" {
			cols = f
			continue
		}
		if cols == nil || len(f) != len(cols) {
			continue
		}
		r := map[string]float64{}
		for i := 1; i < len(f); i++ {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				r[cols[i]] = v
			}
		}
		rows[f[0]] = r
	}
	return rows
}
