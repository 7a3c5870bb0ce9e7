package store

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// scanAllowed lists the statements that may read a whole table (or
// index), each as the store writes it (white space made single spaces)
// with the reason: each runs for a command or a report, not for each
// message, and reads what it returns or counts. A statement is matched
// whole, so allowing "SELECT * FROM action_items" (the export) does not
// allow a lookup that merely starts the same way.
var scanAllowed = map[string]string{
	"SELECT * FROM checkpoints ORDER BY mailbox": "a row per mailbox",
	"SELECT * FROM action_items":                 "export: every item",
	"SELECT * FROM risks":                        "export: every risk",
	"SELECT * FROM decisions WHERE project_id = ? AND created_at >= ? ORDER BY id":                               "status report, weekly",
	"SELECT * FROM changes WHERE project_id = ? AND created_at >= ? ORDER BY id":                                 "status report, weekly",
	"SELECT outcome, COUNT(*) FROM messages GROUP BY outcome":                                                    "mailflow status",
	"DELETE FROM messages WHERE id = ? AND outcome = 'failed'":                                                   "reprocess, by hand: the foreign keys into messages are checked by scan",
	"SELECT * FROM outbox ORDER BY id DESC LIMIT ?":                                                              "mailflow outbox: newest first, stops at the limit",
	"SELECT status, COUNT(*) FROM outbox GROUP BY status":                                                        "mailflow status",
	"SELECT * FROM mailbox_status ORDER BY mailbox":                                                              "a row per mailbox",
	"SELECT id, name, address FROM projects ORDER BY name":                                                       "a row per project",
	"SELECT m.* FROM projects p CROSS JOIN messages m ON m.project_id = p.id AND m.message_id = ? ORDER BY m.id": "scans the projects, one index lookup in messages per project",
}

// completedAtRunTime are statements the store finishes in code, by what
// their code appends for a typical call, so they are planned too.
var completedAtRunTime = map[string]string{
	// CountRecentMail: one placeholder per kind and key prefix, then the limit.
	"SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE project_id = ? AND rcpt = ? AND created_at >= ? AND kind IN (": "?,?) AND (idem_key LIKE ? OR idem_key LIKE ?) LIMIT 5)",
}

// Every statement the store runs, read from its source, is planned on a
// fresh database: none may scan a table unless listed in scanAllowed. A
// scan in a query run per message grows with the mailbox's history (the
// deletes behind corrected minutes did, until migration 0009).
func TestQueriesUseIndexes(t *testing.T) {
	s, _ := open(t)
	statements := storeStatements(t)
	scanning := map[string]bool{}
	for _, st := range statements {
		plan, err := s.plan(st.sql)
		if err != nil {
			t.Errorf("%s: %v\n  %s", st.file, err, st.sql)
			continue
		}
		if !scansTable(plan) {
			continue
		}
		scanning[st.sql] = true
		if _, ok := scanAllowed[st.sql]; !ok {
			t.Errorf("%s: query scans a table:\n  %s\n  plan: %s", st.file, st.sql, plan)
		}
	}
	if len(statements) < 80 {
		t.Errorf("planned %d statements; the store has more: is the extraction broken?", len(statements))
	}
	// The list stays honest: an entry whose statement changed or no
	// longer scans would allow nothing today and something tomorrow.
	for q, why := range scanAllowed {
		if !scanning[q] {
			t.Errorf("scanAllowed has %q (%s), which the store no longer runs or which no longer scans: remove it", q, why)
		}
	}
}

// reScan finds a plan's full scans of a table or index. "SCAN CONSTANT
// ROW" (the one row of a SELECT without FROM) and "SCAN (subquery-1)" (the
// rows a subquery already found) read no table.
var reScan = regexp.MustCompile(`(?:^|\| )SCAN (\w+)`)

func scansTable(plan string) bool {
	for _, m := range reScan.FindAllStringSubmatch(plan, -1) {
		if m[1] != "CONSTANT" {
			return true
		}
	}
	return false
}

func TestScansTable(t *testing.T) {
	for plan, want := range map[string]bool{
		"SCAN action_items": true,
		"SEARCH messages USING INTEGER PRIMARY KEY (rowid=?) | SCAN audit_log":                            true,
		"SCAN p USING COVERING INDEX sqlite_autoindex_projects_1 | SEARCH m USING INDEX x (project_id=?)": true,
		"SEARCH action_items USING INDEX items_by_ref (project_id=? AND num=?)":                           false,
		"SCAN CONSTANT ROW": false,
		"CO-ROUTINE (subquery-1) | SEARCH outbox USING COVERING INDEX outbox_by_rcpt_kind (project_id=?) | SCAN (subquery-1)": false,
	} {
		if got := scansTable(plan); got != want {
			t.Errorf("scansTable(%q) = %v, want %v", plan, got, want)
		}
	}
}

// A lookup by reference must not pass as the export it starts like: the
// prefix rule this test used to have let any statement starting with an
// allowed one scan.
func TestScanAllowedMatchesWholeStatements(t *testing.T) {
	for _, q := range []string{
		"SELECT * FROM action_items WHERE project_id = ? AND num = ?",
		"SELECT * FROM risks WHERE meeting_id = ?",
		"SELECT * FROM decisions WHERE project_id = ? AND created_at >= ? ORDER BY id LIMIT 1",
	} {
		if _, ok := scanAllowed[q]; ok {
			t.Errorf("scanAllowed allows %q", q)
		}
	}
}

// statement is one SQL statement of the store's source.
type statement struct{ file, sql string }

// sqlText finds the SQL in the store's Go source: every raw string that
// starts a statement.
var sqlText = regexp.MustCompile("(?s)`((?:SELECT|UPDATE|DELETE|INSERT|WITH)[^`]*)`")

// storeStatements returns the statements in the store's non-test source,
// white space made single spaces, completed where the code completes them.
func storeStatements(t *testing.T) []statement {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []statement
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sqlText.FindAllStringSubmatch(string(src), -1) {
			q := strings.Join(strings.Fields(m[1]), " ")
			if rest, ok := completedAtRunTime[q]; ok {
				q += rest
			}
			out = append(out, statement{file: f, sql: q})
		}
	}
	return out
}

// plan returns SQLite's query plan for q, its parameters unbound.
func (s *Store) plan(q string) (string, error) {
	rows, err := s.db.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, make([]any, strings.Count(q, "?"))...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		steps = append(steps, detail)
	}
	return strings.Join(steps, " | "), rows.Err()
}
