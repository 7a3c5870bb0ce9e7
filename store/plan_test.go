package store

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// scanAllowed are the queries that may read a whole table (or index): each
// runs for a command or a report, not for each message, and reads what it
// returns or counts.
var scanAllowed = []string{
	"SELECT * FROM checkpoints ORDER BY mailbox",                     // a row per mailbox
	"SELECT * FROM action_items",                                     // export
	"SELECT * FROM risks",                                            // export
	"SELECT * FROM decisions WHERE project_id = ? AND created_at >=", // status report, weekly
	"SELECT * FROM changes WHERE project_id = ? AND created_at >=",   // status report, weekly
	"SELECT outcome, COUNT(*) FROM messages GROUP BY outcome",        // mailflow status
	"DELETE FROM messages WHERE id = ? AND outcome = 'failed'",       // reprocess: foreign keys checked by scan
	"SELECT * FROM outbox ORDER BY id DESC LIMIT ?",                  // mailflow outbox: newest first, stops at the limit
	"SELECT status, COUNT(*) FROM outbox GROUP BY status",            // mailflow status
	"SELECT * FROM mailbox_status ORDER BY mailbox",                  // a row per mailbox
	"SELECT id, name, address FROM projects ORDER BY name",           // a row per project
	"SELECT m.* FROM projects p CROSS JOIN messages m",               // one index lookup per project
}

// Every query the store runs, read from its source, is planned on a fresh
// database: none may scan a table unless listed above. A scan in a query
// run per message grows with the mailbox's history (the deletes behind
// corrected minutes did, until migration 0009).
func TestQueriesUseIndexes(t *testing.T) {
	s, _ := open(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sqlText := regexp.MustCompile("(?s)`((?:SELECT|UPDATE|DELETE)[^`]*)`")
	checked := 0
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
			if strings.HasSuffix(q, "IN (") {
				continue // completed at run time (CountRecentMail); its plan is BenchmarkCountRecentMail's business
			}
			plan, err := s.plan(q)
			if err != nil {
				t.Errorf("%s: %v\n  %s", f, err, q)
				continue
			}
			checked++
			// "SCAN CONSTANT ROW" is the one row a SELECT without FROM
			// reads, not a table.
			if strings.Contains(strings.ReplaceAll(plan, "SCAN CONSTANT ROW", ""), "SCAN ") && !allowedScan(q) {
				t.Errorf("%s: query scans a table:\n  %s\n  plan: %s", f, q, plan)
			}
		}
	}
	if checked < 40 {
		t.Errorf("planned %d queries; the store has more: is the extraction broken?", checked)
	}
}

func allowedScan(q string) bool {
	for _, a := range scanAllowed {
		if strings.HasPrefix(q, a) {
			return true
		}
	}
	return false
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
