// Package historytest builds a database as years of use leave it: an
// office of projects with their weekly meetings, action items, risks,
// audit trail, the mail they read and the mail they sent (sent mail older
// than the retention period pruned to its headers, as the daemon's
// PruneSentMail leaves it). Benchmarks run the engine's paths on it
// beside an empty store, to show which of them grow with history.
//
// The rows are written straight into the tables in one transaction, with
// the schema's own indexes dropped during the load and re-created from
// their stored definitions after it: the whole office (about twelve
// million rows) takes minutes, not the days the engine would take. The
// package cannot import the store (both sit at the bottom layer), so the
// caller creates the schema first with store.Open.
package historytest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Version changes whenever Build writes different rows for the same
// Office: a database kept between runs is built again when it differs.
const Version = 2

// Person is a member of a project's roster.
type Person struct{ Name, Email string }

// Project is the project a benchmark's engine is configured with. Build
// gives it as deep a history as every other project, with its roster as
// the owners, and closes all of its work before End, so that its open
// work is only what the benchmark itself creates: the paths then do the
// same work on the history as on an empty store, plus whatever the
// history costs them.
type Project struct {
	Name       string
	Address    string
	Members    []Person // the first is the chair
	Leadership []string
}

// Office is the history Build writes. The totals are for the whole
// office; Build spreads them evenly over projects and weeks and lands
// within a few percent of each.
type Office struct {
	Projects int            // how many projects, Focus among them
	Weeks    int            // how long the history runs, up to End
	End      time.Time      // when the history stops: the benchmark's "now" follows it
	Location *time.Location // the office's time zone: meeting days and due dates
	Domain   string         // the office's mail domain

	Items, Risks, Audit, Messages, Outbox int

	// KeepSentBodyDays is smtp.keep_sent_body_days: sent mail older
	// than this keeps its header block only (PruneSentMail).
	KeepSentBodyDays int

	Focus Project
	Seed  uint64
}

// Full-office figures: a 300-project office after five years.
const (
	fullProjects = 300
	fullItems    = 1_000_000
	fullRisks    = 100_000
	fullAudit    = 5_000_000
	fullMessages = 2_000_000
	fullOutbox   = 3_000_000
	fiveYears    = 261 // weeks
	keepSentDays = 30  // the default smtp.keep_sent_body_days
)

// FiveYears is a 300-project office's five years, scaled: scale 1 is the
// whole office, 0.01 three projects. Each project has the same depth
// whatever the scale, so a path that reads one project's history costs
// the same at any scale; a path that reads every project's grows with it.
func FiveYears(scale float64, focus Project, end time.Time, loc *time.Location) Office {
	n := max(1, int(math.Round(fullProjects*scale)))
	f := float64(n) / fullProjects
	_, domain, _ := strings.Cut(focus.Address, "@")
	return Office{
		Projects: n, Weeks: fiveYears, End: end, Location: loc, Domain: domain,
		Items: int(fullItems * f), Risks: int(fullRisks * f), Audit: int(fullAudit * f),
		Messages: int(fullMessages * f), Outbox: int(fullOutbox * f),
		KeepSentBodyDays: keepSentDays, Focus: focus, Seed: 1,
	}
}

// Stats is what Build wrote.
type Stats struct {
	Rows  map[string]int // per table
	Bytes int64          // the database file's size
	Took  time.Duration
}

func (s Stats) String() string {
	return fmt.Sprintf("%d items, %d risks, %d audit entries, %d messages, %d outbox rows (%d whole), %d meetings; %.0f MB in %s",
		s.Rows["action_items"], s.Rows["risks"], s.Rows["audit_log"], s.Rows["messages"], s.Rows["outbox"],
		s.Rows["outbox whole"], s.Rows["meetings"], float64(s.Bytes)/1e6, s.Took.Round(time.Second))
}

// Build writes o's history into the database at path, which store.Open
// must have created (it holds the schema and nothing else yet).
func Build(ctx context.Context, path string, o Office) (Stats, error) {
	started := time.Now()
	if err := o.check(); err != nil {
		return Stats{}, err
	}
	db, err := openBulk(path)
	if err != nil {
		return Stats{}, err
	}
	defer db.Close()
	if err := requireFreshSchema(ctx, db); err != nil {
		return Stats{}, fmt.Errorf("build history in %s: %w", path, err)
	}
	if err := bulkPragmas(ctx, db); err != nil {
		return Stats{}, err
	}
	indexes, err := dropIndexes(ctx, db)
	if err != nil {
		return Stats{}, err
	}
	rows, err := load(ctx, db, o)
	if err != nil {
		return Stats{}, err
	}
	if err := createIndexes(ctx, db, indexes); err != nil {
		return Stats{}, err
	}
	// WAL, as store.Open leaves every database it opens.
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		return Stats{}, fmt.Errorf("back to WAL: %w", err)
	}
	if err := db.Close(); err != nil {
		return Stats{}, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return Stats{}, err
	}
	return Stats{Rows: rows, Bytes: fi.Size(), Took: time.Since(started)}, nil
}

func (o Office) check() error {
	switch {
	case o.Projects < 1 || o.Weeks < 2:
		return errors.New("history: want at least one project and two weeks")
	case o.Location == nil || o.End.IsZero():
		return errors.New("history: End and Location must be set")
	case o.Focus.Name == "" || len(o.Focus.Members) == 0:
		return errors.New("history: the focus project needs a name and a roster")
	case o.Domain == "":
		return errors.New("history: Domain must be set")
	}
	return nil
}

// openBulk opens one connection for the load: the pragmas below hold for
// a connection, and the load is one transaction.
func openBulk(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Set("_foreign_keys", "off") // rows refer to rows written later (an item to the reply that closes it)
	db, err := sql.Open("sqlite3", "file:"+strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// requireFreshSchema refuses a database without the schema (store.Open was
// not run) or with rows already in it.
func requireFreshSchema(ctx context.Context, db *sql.DB) error {
	// pruned_at (migration 0013) and ref_counters (0014) are the newest
	// parts of the schema the load writes.
	if _, err := db.ExecContext(ctx, `SELECT pruned_at FROM outbox LIMIT 0`); err != nil {
		return fmt.Errorf("no outbox.pruned_at: create the database with store.Open first: %w", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM ref_counters) + (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM projects)`).Scan(&n); err != nil {
		return fmt.Errorf("no ref_counters: create the database with store.Open first: %w", err)
	}
	if n != 0 {
		return errors.New("the database has rows already: build into a new one")
	}
	return nil
}

// bulkPragmas trade safety for speed: a load that fails leaves a database
// to delete, never one to keep.
func bulkPragmas(ctx context.Context, db *sql.DB) error {
	for _, p := range []string{
		`PRAGMA journal_mode = OFF`,
		`PRAGMA synchronous = OFF`,
		`PRAGMA locking_mode = EXCLUSIVE`,
		`PRAGMA cache_size = -262144`, // 256 MiB
		`PRAGMA temp_store = MEMORY`,
	} {
		if _, err := db.ExecContext(ctx, p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	return nil
}

type index struct{ name, sql string }

// dropIndexes drops the schema's own indexes (not the ones UNIQUE
// constraints make, which cannot be dropped) and returns their
// definitions: building an index once over loaded rows is a sort, while
// keeping it through the load is a B-tree insert per row.
func dropIndexes(ctx context.Context, db *sql.DB) ([]index, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("list indexes: %w", err)
	}
	var ixs []index
	for rows.Next() {
		var ix index
		if err := rows.Scan(&ix.name, &ix.sql); err != nil {
			rows.Close()
			return nil, err
		}
		ixs = append(ixs, ix)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, ix := range ixs {
		if _, err := db.ExecContext(ctx, `DROP INDEX `+ix.name); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", ix.name, err)
		}
	}
	return ixs, nil
}

func createIndexes(ctx context.Context, db *sql.DB, ixs []index) error {
	for _, ix := range ixs {
		if _, err := db.ExecContext(ctx, ix.sql); err != nil {
			return fmt.Errorf("re-create index %s: %w", ix.name, err)
		}
	}
	return nil
}

// load writes the history in one transaction.
func load(ctx context.Context, db *sql.DB, o Office) (map[string]int, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	w, err := newWriter(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer w.close()
	g := newGenerator(o, w)
	if err := g.run(ctx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit history: %w", err)
	}
	return w.rows, nil
}
