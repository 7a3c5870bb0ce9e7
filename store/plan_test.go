package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// scanAllowed lists the statements that may read a whole table (or
// index), each as the store writes it (white space made single spaces)
// with the reason: each runs for a command or a report, not for each
// message, and reads what it returns or counts. A statement is matched
// whole, so allowing "SELECT * FROM action_items" (the export) does not
// allow a lookup that merely starts the same way.
var scanAllowed = map[string]string{
	"SELECT * FROM checkpoints ORDER BY mailbox": "a row per mailbox",
	"SELECT version, name FROM schema_version":   "a row per migration, at start",
	"SELECT m.* FROM projects p CROSS JOIN LATERAL (SELECT * FROM messages WHERE project_id = p.id AND message_id = ? OFFSET 0) m ORDER BY m.id": "PostgreSQL: scans the projects, one index lookup in messages per project",
	"SELECT * FROM action_items":                               "export: every item",
	"SELECT * FROM risks":                                      "export: every risk",
	"SELECT outcome, COUNT(*) FROM messages GROUP BY outcome":  "mailflow status",
	"DELETE FROM messages WHERE id = ? AND outcome = 'failed'": "reprocess, by hand: the foreign keys into messages are checked by scan",
	"SELECT * FROM outbox ORDER BY id DESC LIMIT ?":            "OutboxList: newest first, stops at the limit",
	"SELECT id, project_id, idem_key, kind, envelope_from, recipients, subject, message_id, about, status, attempts, next_attempt_at, created_at, sent_at, smtp_response, last_error, interrupted, rcpt, pruned_at FROM outbox ORDER BY id DESC LIMIT ?": "mailflow outbox: newest first, stops at the limit",
	"SELECT status, COUNT(*) FROM outbox GROUP BY status":                                                        "mailflow status",
	"SELECT * FROM mailbox_status ORDER BY mailbox":                                                              "a row per mailbox",
	"SELECT id, name, address FROM projects ORDER BY name":                                                       "a row per project",
	"SELECT host, mode, pid, started_at, updated_at, state, step, error, last_ok_at FROM last_run ORDER BY host": "mailflow status: a row per host",
}

// completedAtRunTime are statements the store finishes in code, by what
// their code appends for a typical call, so they are planned too.
var completedAtRunTime = map[string]string{
	// CountRecentMail: one placeholder per kind and key prefix, then the limit.
	"SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE project_id = ? AND rcpt = ? AND created_at >= ? AND kind IN (": "?,?) AND (substr(idem_key, 1, ?) = ? OR substr(idem_key, 1, ?) = ?) LIMIT 5) AS recent",
	// UpdateItem: the columns that changed (here a reply's progress).
	"UPDATE action_items SET": " progress = ?, updated_at = ? WHERE id = ?",
	// insertRows: a chunk of rows a statement.
	"INSERT INTO audit_log (project_id, at, actor, source, message_id, ref, action, old_value, new_value) VALUES": " (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO attendees (meeting_id, name, email, present, seq) VALUES":                                        " (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)",
	"INSERT INTO decisions (project_id, meeting_id, text, created_at, kind) VALUES":                               " (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)",
	"INSERT INTO changes (project_id, meeting_id, kind, text, created_at) VALUES":                                 " (?, ?, ?, ?, ?), (?, ?, ?, ?, ?)",
}

// onlyOn lists the statements that run on one database alone, with it:
// the others are planned on both.
var onlyOn = map[string]string{
	"SELECT pg_advisory_xact_lock(?)": onPostgres,
	"SELECT * FROM messages WHERE project_id IN (SELECT id FROM projects) AND message_id = ? ORDER BY id":                                        onSQLite,
	"SELECT m.* FROM projects p CROSS JOIN LATERAL (SELECT * FROM messages WHERE project_id = p.id AND message_id = ? OFFSET 0) m ORDER BY m.id": onPostgres,
}

// Every statement the store runs, read from its source, is planned on a
// fresh database of each kind: none may scan a table unless listed in
// scanAllowed. A scan in a query run per message grows with the mailbox's
// history (the deletes behind corrected minutes did, until migration
// 0009).
func TestQueriesUseIndexes(t *testing.T) {
	statements := storeStatements(t)
	if len(statements) < 80 {
		t.Errorf("found %d statements; the store has more: is the extraction broken?", len(statements))
	}
	scanning := map[string]bool{}
	eachDB(t, func(t *testing.T, s *Store) {
		db := onSQLite
		if s.Postgres() {
			db = onPostgres
		}
		planner, err := s.planner(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer planner.close()
		for _, st := range statements {
			if only, ok := onlyOn[st.sql]; ok && only != db {
				continue
			}
			plan, scans, err := planner.plan(st.sql)
			if err != nil {
				t.Errorf("%s: %v\n  %s", st.file, err, st.sql)
				continue
			}
			if !scans {
				continue
			}
			scanning[st.sql] = true
			if _, ok := scanAllowed[st.sql]; !ok {
				t.Errorf("%s: query scans a table:\n  %s\n  plan: %s", st.file, st.sql, plan)
			}
		}
	})
	// The list stays honest: an entry whose statement changed or no
	// longer scans (on either database) would allow nothing today and
	// something tomorrow.
	for q, why := range scanAllowed {
		if !scanning[q] {
			t.Errorf("scanAllowed has %q (%s), which the store no longer runs or which no longer scans: remove it", q, why)
		}
	}
}

// reScan finds a plan's full scans of a table or index. "SCAN CONSTANT
// ROW" (the one row of a SELECT without FROM), "SCAN (subquery-1)" and the
// scan of a named co-routine ("CO-ROUTINE recent | … | SCAN recent": the
// rows a subquery already found) read no table.
var (
	reScan      = regexp.MustCompile(`(?:^|\| )SCAN (\w+)`)
	reCoroutine = regexp.MustCompile(`(?:^|\| )CO-ROUTINE (\w+)`)
	reValues    = regexp.MustCompile(`SCAN \d+-ROW VALUES CLAUSE`)
)

func scansTable(plan string) bool {
	found := map[string]bool{"CONSTANT": true}
	for _, m := range reCoroutine.FindAllStringSubmatch(plan, -1) {
		found[m[1]] = true
	}
	// "SCAN 2-ROW VALUES CLAUSE" reads the rows of a multi-row INSERT.
	plan = reValues.ReplaceAllString(plan, "")
	for _, m := range reScan.FindAllStringSubmatch(plan, -1) {
		if !found[m[1]] {
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
		"SCAN CONSTANT ROW":                         false,
		"SCAN 2-ROW VALUES CLAUSE":                  false,
		"SCAN 2-ROW VALUES CLAUSE | SCAN audit_log": true,
		"CO-ROUTINE recent | SEARCH outbox USING INDEX outbox_by_rcpt_kind (project_id=?) | SCAN recent":                      false,
		"CO-ROUTINE recent | SEARCH outbox USING INDEX outbox_by_rcpt_kind (project_id=?) | SCAN outbox":                      true,
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

// planner explains statements on one connection of a store.
type planner struct {
	conn     *sqlx.Conn
	postgres bool
	// leading is each PostgreSQL index's first column, by index name.
	leading map[string]string
}

// planner takes a connection of s to plan on. On PostgreSQL it turns
// sequential scans off, so that a plan still holding one has no index to
// use (an empty table is otherwise cheapest to scan), and plans generic,
// so that the NULL each parameter is given is not folded into the plan.
func (s *Store) planner(ctx context.Context) (*planner, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return nil, err
	}
	p := &planner{conn: conn, postgres: s.postgres()}
	if p.postgres {
		if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off; SET plan_cache_mode = force_generic_plan`); err != nil {
			conn.Close()
			return nil, err
		}
		var cols []struct {
			Index  string `db:"index"`
			Column string `db:"column"`
		}
		if err := conn.SelectContext(ctx, &cols, `SELECT c.relname AS index, a.attname AS column
			FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()`); err != nil {
			conn.Close()
			return nil, err
		}
		p.leading = map[string]string{}
		for _, c := range cols {
			p.leading[c.Index] = c.Column
		}
	}
	return p, nil
}

func (p *planner) close() { p.conn.Close() }

// plan returns the database's plan for q, its parameters unbound, and
// whether it reads a whole table or index.
func (p *planner) plan(q string) (string, bool, error) {
	if p.postgres {
		return p.planPostgres(q)
	}
	plan, err := p.planSQLite(q)
	return plan, scansTable(plan), err
}

// planSQLite returns SQLite's query plan for q.
func (p *planner) planSQLite(q string) (string, error) {
	rows, err := p.conn.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, make([]any, strings.Count(q, "?"))...)
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

// planPostgres prepares q and explains its generic plan, each parameter
// NULL, in JSON.
func (p *planner) planPostgres(q string) (string, bool, error) {
	ctx := context.Background()
	q = sqlx.Rebind(sqlx.DOLLAR, q)
	if _, err := p.conn.ExecContext(ctx, "PREPARE planned AS "+q); err != nil {
		return "", false, err
	}
	defer p.conn.ExecContext(ctx, "DEALLOCATE planned") //nolint:errcheck // the next PREPARE fails loudly if it stayed
	explain := "EXPLAIN (FORMAT JSON) EXECUTE planned"
	if n := strings.Count(q, "$"); n > 0 {
		explain += "(" + strings.TrimSuffix(strings.Repeat("NULL, ", n), ", ") + ")"
	}
	var js string
	if err := p.conn.GetContext(ctx, &js, explain); err != nil {
		return "", false, err
	}
	return postgresScans(js, p.leading)
}

// pgPlanNode is a node of PostgreSQL's EXPLAIN (FORMAT JSON).
type pgPlanNode struct {
	NodeType  string       `json:"Node Type"`
	Relation  string       `json:"Relation Name"`
	Index     string       `json:"Index Name"`
	IndexCond string       `json:"Index Cond"`
	Plans     []pgPlanNode `json:"Plans"`
}

// postgresScans summarizes a JSON plan ("Seq Scan on outbox | Index Scan
// using outbox_due on outbox") and reports whether it reads a whole table:
// a Seq Scan, or an index scan whose condition leaves the index's first
// column (leading, by index name) free, as SQLite's SCAN. That index scan
// reads the whole index, testing each entry: it is what enable_seqscan =
// off leaves where no index serves the query.
func postgresScans(js string, leading map[string]string) (string, bool, error) {
	var top []struct {
		Plan pgPlanNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(js), &top); err != nil || len(top) != 1 {
		return "", false, fmt.Errorf("plan %s: %v", js, err)
	}
	var steps []string
	scans := false
	var walk func(n pgPlanNode)
	walk = func(n pgPlanNode) {
		step := n.NodeType
		if n.Index != "" {
			step += " using " + n.Index
		}
		if n.Relation != "" {
			step += " on " + n.Relation
		}
		switch n.NodeType {
		case "Seq Scan":
			scans = true
		case "Index Scan", "Index Only Scan", "Bitmap Index Scan":
			if !constrains(n.IndexCond, leading[n.Index]) {
				scans, step = true, step+" (whole index: "+or(n.IndexCond, "no condition")+")"
			}
		}
		steps = append(steps, step)
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(top[0].Plan)
	return strings.Join(steps, " | "), scans, nil
}

// constrains reports whether an index condition ("((project_id = $1) AND
// (message_id = $2))") bounds column. "(version IS NOT NULL)" is MAX or
// MIN read from the index's end: one entry, under a Limit.
func constrains(cond, column string) bool {
	return column != "" && regexp.MustCompile(`\(`+regexp.QuoteMeta(column)+` (=|<|>|<=|>=|IS NOT NULL)`).MatchString(cond)
}

func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func TestPostgresScans(t *testing.T) {
	leading := map[string]string{"outbox_pkey": "id", "outbox_due": "status", "x": "project_id",
		"messages_project_id_message_id_key": "project_id"}
	for js, want := range map[string]bool{
		`[{"Plan": {"Node Type": "Index Scan", "Index Name": "messages_project_id_message_id_key", "Relation Name": "messages", "Index Cond": "(message_id = $1)"}}]`:                           true,
		`[{"Plan": {"Node Type": "Index Scan", "Index Name": "messages_project_id_message_id_key", "Relation Name": "messages", "Index Cond": "((project_id = p.id) AND (message_id = $1))"}}]`: false,
		`[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "checkpoints"}}]`:                                                                                                                 true,
		`[{"Plan": {"Node Type": "Limit", "Plans": [{"Node Type": "Index Scan", "Index Name": "outbox_pkey", "Relation Name": "outbox"}]}}]`:                                                    true,
		`[{"Plan": {"Node Type": "Index Scan", "Index Name": "outbox_due", "Relation Name": "outbox", "Index Cond": "(status = 'queued')"}}]`:                                                   false,
		`[{"Plan": {"Node Type": "ModifyTable", "Plans": [{"Node Type": "Result"}]}}]`:                                                                                                          false,
		`[{"Plan": {"Node Type": "Bitmap Heap Scan", "Relation Name": "m", "Plans": [{"Node Type": "Bitmap Index Scan", "Index Name": "x", "Index Cond": "(project_id = $1)"}]}}]`:              false,
	} {
		if _, got, err := postgresScans(js, leading); err != nil || got != want {
			t.Errorf("postgresScans(%s) = %v, %v; want %v", js, got, err, want)
		}
	}
}
