package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Item is a row of the action_items table.
type Item struct {
	ID               int64     `db:"id"`
	ProjectID        int64     `db:"project_id"`
	Num              int       `db:"num"`
	Text             string    `db:"text"`
	Owner            string    `db:"owner"`
	OwnerName        string    `db:"owner_name"`
	Due              string    `db:"due"`
	Status           string    `db:"status"`
	Progress         int       `db:"progress"`
	MeetingID        int64     `db:"meeting_id"`         // 0: none
	CreatedByMessage int64     `db:"created_by_message"` // the messages row; 0: none
	ClosedByMessage  int64     `db:"closed_by_message"`  // 0: none
	CreatedAt        time.Time `db:"created_at"`
	UpdatedAt        time.Time `db:"updated_at"`
	ClosedAt         time.Time `db:"closed_at"` // zero while open
	LastReminded     string    `db:"last_reminded"`
}

// Ref returns the item's short id, such as "A-12".
func (i Item) Ref() string { return "A-" + strconv.Itoa(i.Num) }

// Risk is a row of the risks table.
type Risk struct {
	ID               int64     `db:"id"`
	ProjectID        int64     `db:"project_id"`
	Num              int       `db:"num"`
	Description      string    `db:"description"`
	Likelihood       string    `db:"likelihood"`
	LikelihoodText   string    `db:"likelihood_text"`
	Impact           string    `db:"impact"`
	ImpactText       string    `db:"impact_text"`
	Mitigation       string    `db:"mitigation"`
	Owner            string    `db:"owner"`
	OwnerName        string    `db:"owner_name"`
	Trigger          string    `db:"trigger_text"`
	Status           string    `db:"status"`
	Escalated        bool      `db:"escalated"`
	MeetingID        int64     `db:"meeting_id"`         // 0: none
	CreatedByMessage int64     `db:"created_by_message"` // 0: none
	CreatedAt        time.Time `db:"created_at"`
	UpdatedAt        time.Time `db:"updated_at"`
	LastNudged       string    `db:"last_nudged"` // YYYY-MM-DD its owner was last asked for what it lacks
}

// Ref returns the risk's short id, such as "R-3".
func (r Risk) Ref() string { return "R-" + strconv.Itoa(r.Num) }

// ParseRef splits "A-12" into ("A", 12).
func ParseRef(ref string) (prefix string, num int, err error) {
	p, n, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(ref)), "-")
	if !ok || (p != "A" && p != "R") {
		return "", 0, fmt.Errorf("ref %q: want A-<number> or R-<number>", ref)
	}
	num, err = strconv.Atoi(n)
	if err != nil || num <= 0 {
		return "", 0, fmt.Errorf("ref %q: want A-<number> or R-<number>", ref)
	}
	return p, num, nil
}

// ItemFilter narrows Items.
type ItemFilter struct {
	ProjectID int64  // 0: every project
	Status    string // "" or "all": every status
	Owner     string
	MeetingID int64
	// OpenOrChangedSince, when set, keeps only the items open now or
	// changed at or after it (as AuditSince reads the audit): what a
	// report of recent weeks needs, without the years of closed items
	// behind a long project.
	OpenOrChangedSince time.Time
}

func (f ItemFilter) where() (string, []any) {
	var conds []string
	var args []any
	if f.ProjectID != 0 {
		conds = append(conds, "project_id = ?")
		args = append(args, f.ProjectID)
	}
	if f.Status != "" && f.Status != "all" {
		conds = append(conds, "status = ?")
		args = append(args, f.Status)
	}
	if f.Owner != "" {
		conds = append(conds, "owner = ?")
		args = append(args, f.Owner)
	}
	if f.MeetingID != 0 {
		conds = append(conds, "meeting_id = ?")
		args = append(args, f.MeetingID)
	}
	if !f.OpenOrChangedSince.IsZero() {
		conds = append(conds, "(status = 'open' OR updated_at >= ?)")
		args = append(args, utc(f.OpenOrChangedSince))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Items lists action items in ref order.
func (s *Store) Items(ctx context.Context, f ItemFilter) ([]Item, error) {
	where, args := f.where()
	var rows []itemRow
	err := s.sel(ctx, &rows, `SELECT * FROM action_items`+where+` ORDER BY project_id, num`, args...)
	return values(rows), err
}

// Risks lists risks in ref order; status "" or "all" lists every status.
func (s *Store) Risks(ctx context.Context, projectID int64, status string) ([]Risk, error) {
	f := ItemFilter{ProjectID: projectID, Status: status}
	where, args := f.where()
	var rows []riskRow
	err := s.sel(ctx, &rows, `SELECT * FROM risks`+where+` ORDER BY project_id, num`, args...)
	return values(rows), err
}

// ItemByRef returns the item with ref ("A-12") in a project, locked until
// the transaction ends (see forUpdate).
func (tx *Tx) ItemByRef(projectID int64, ref string) (Item, error) {
	return byRef[itemRow](tx, "A", "an action item", `SELECT * FROM action_items WHERE project_id = ? AND num = ?`, projectID, ref)
}

// RiskByRef returns the risk with ref ("R-3") in a project, locked until
// the transaction ends (see forUpdate).
func (tx *Tx) RiskByRef(projectID int64, ref string) (Risk, error) {
	return byRef[riskRow](tx, "R", "a risk", `SELECT * FROM risks WHERE project_id = ? AND num = ?`, projectID, ref)
}

// byRef reads the row a ref names with query, which selects by project
// and number; prefix is the refs' letter and noun what they name.
func byRef[R row[T], T any](tx *Tx, prefix, noun, query string, projectID int64, ref string) (T, error) {
	var r R
	p, num, err := ParseRef(ref)
	if err != nil {
		return r.value(), err
	}
	if p != prefix {
		return r.value(), fmt.Errorf("%s is not %s", ref, noun)
	}
	err = tx.get(&r, tx.forUpdate(query), projectID, num)
	if errors.Is(err, sql.ErrNoRows) {
		return r.value(), fmt.Errorf("%s: %w", strings.ToUpper(ref), ErrNotFound)
	}
	return r.value(), err
}

// ItemsOfMeeting lists the items created by a meeting, locked until the
// transaction ends (see forUpdate).
func (tx *Tx) ItemsOfMeeting(meetingID int64) ([]Item, error) {
	var rows []itemRow
	err := tx.sel(&rows, tx.forUpdate(`SELECT * FROM action_items WHERE meeting_id = ? ORDER BY num`), meetingID)
	return values(rows), err
}

// RisksOfMeeting lists the risks created by a meeting, locked until the
// transaction ends (see forUpdate).
func (tx *Tx) RisksOfMeeting(meetingID int64) ([]Risk, error) {
	var rows []riskRow
	err := tx.sel(&rows, tx.forUpdate(`SELECT * FROM risks WHERE meeting_id = ? ORDER BY num`), meetingID)
	return values(rows), err
}

// RefsOfMeeting lists the refs of the items a meeting created, then of its
// risks, each in number order: what a reply about the meeting that names
// no ref is about. It reads the numbers only, and locks nothing: the
// reply reads each item it changes again (ItemByRef), and reading whole
// rows for the refs was a tenth of handling such a reply.
func (tx *Tx) RefsOfMeeting(meetingID int64) ([]string, error) {
	var items, risks []int
	if err := tx.sel(&items, `SELECT num FROM action_items WHERE meeting_id = ? ORDER BY num`, meetingID); err != nil {
		return nil, err
	}
	if err := tx.sel(&risks, `SELECT num FROM risks WHERE meeting_id = ? ORDER BY num`, meetingID); err != nil {
		return nil, err
	}
	refs := make([]string, 0, len(items)+len(risks))
	for _, n := range items {
		refs = append(refs, Item{Num: n}.Ref())
	}
	for _, n := range risks {
		refs = append(refs, Risk{Num: n}.Ref())
	}
	return refs, nil
}

// nextRef takes the project's next item ("A") or risk ("R") number from its
// counter row, which the transaction holds locked until it ends: two
// writers never get the same number, on either database. The first number
// a transaction takes is taken from the row; the row then stays locked to
// it, so the numbers after are counted here and the row is written once,
// before the commit (writeCounters): minutes with many items took one
// statement per item.
func (tx *Tx) nextRef(projectID int64, kind string) (int, error) {
	k := counterKey{projectID, kind}
	if c, ok := tx.counters[k]; ok {
		c.last++
		tx.counters[k] = c
		return c.last, nil
	}
	var n int
	err := tx.get(&n, `INSERT INTO ref_counters (project_id, kind, last) VALUES (?, ?, 1)
		ON CONFLICT (project_id, kind) DO UPDATE SET last = ref_counters.last + 1 RETURNING last`, projectID, kind)
	if err != nil {
		return 0, fmt.Errorf("next %s- number: %w", kind, err)
	}
	if tx.counters == nil {
		tx.counters = map[counterKey]counter{}
	}
	tx.counters[k] = counter{stored: n, last: n}
	return n, nil
}

// counterKey names a ref counter row.
type counterKey struct {
	project int64
	kind    string
}

// counter is a ref counter a transaction took numbers from: the value its
// row holds and the last number taken.
type counter struct{ stored, last int }

// writeCounters writes back the numbers nextRef took past the first.
func (tx *Tx) writeCounters() error {
	for k, c := range tx.counters {
		if c.last == c.stored {
			continue
		}
		if _, err := tx.exec(`UPDATE ref_counters SET last = ? WHERE project_id = ? AND kind = ?`, c.last, k.project, k.kind); err != nil {
			return fmt.Errorf("store the %s- counter: %w", k.kind, err)
		}
	}
	clear(tx.counters)
	return nil
}

// InsertItem stores a new item with the project's next number and returns
// it with ID and Num set.
func (tx *Tx) InsertItem(it Item) (Item, error) {
	num, err := tx.nextRef(it.ProjectID, "A")
	if err != nil {
		return it, err
	}
	it.Num = num
	it.ID, err = tx.insert(`INSERT INTO action_items
		(project_id, num, text, owner, owner_name, due, status, progress, meeting_id, created_by_message, closed_by_message, created_at, updated_at, closed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		it.ProjectID, it.Num, it.Text, it.Owner, it.OwnerName, it.Due, it.Status, it.Progress,
		nullID(it.MeetingID), nullID(it.CreatedByMessage), nullID(it.ClosedByMessage), utc(it.CreatedAt), utc(it.UpdatedAt), nullTime(it.ClosedAt))
	if err != nil {
		return it, fmt.Errorf("insert item: %w", err)
	}
	return it, nil
}

// UpdateItem writes the mutable fields of it that differ from was, and
// nothing when none does. was must be the row as the database holds it
// now: read in this transaction after any earlier write to the row. A
// field set back to its value in a stale was would not be written. A
// reply changes one or two fields of an item; writing every column made
// SQLite check each foreign key and rewrite each index the columns are
// in, twice the cost of the statement (a tenth of handling a reply).
func (tx *Tx) UpdateItem(was, it Item) error {
	if was.ID != it.ID {
		return fmt.Errorf("update %s: compared with item %d, not itself (%d)", it.Ref(), was.ID, it.ID)
	}
	var set []string
	var args []any
	field := func(column string, changed bool, value any) {
		if changed {
			set = append(set, column+" = ?")
			args = append(args, value)
		}
	}
	field("text", it.Text != was.Text, it.Text)
	field("owner", it.Owner != was.Owner, it.Owner)
	field("owner_name", it.OwnerName != was.OwnerName, it.OwnerName)
	field("due", it.Due != was.Due, it.Due)
	field("status", it.Status != was.Status, it.Status)
	field("progress", it.Progress != was.Progress, it.Progress)
	field("meeting_id", it.MeetingID != was.MeetingID, nullID(it.MeetingID))
	field("closed_by_message", it.ClosedByMessage != was.ClosedByMessage, nullID(it.ClosedByMessage))
	field("updated_at", !it.UpdatedAt.Equal(was.UpdatedAt), utc(it.UpdatedAt))
	field("closed_at", !it.ClosedAt.Equal(was.ClosedAt), nullTime(it.ClosedAt))
	field("last_reminded", it.LastReminded != was.LastReminded, it.LastReminded)
	if len(set) == 0 {
		return nil
	}
	// The statement's start is a raw string so that the plan test finds it
	// (see completedAtRunTime).
	_, err := tx.exec(`UPDATE action_items SET`+" "+strings.Join(set, ", ")+" WHERE id = ?", append(args, it.ID)...)
	if err != nil {
		return fmt.Errorf("update %s: %w", it.Ref(), err)
	}
	return nil
}

// InsertRisk stores a new risk with the project's next number.
func (tx *Tx) InsertRisk(r Risk) (Risk, error) {
	num, err := tx.nextRef(r.ProjectID, "R")
	if err != nil {
		return r, err
	}
	r.Num = num
	r.ID, err = tx.insert(`INSERT INTO risks
		(project_id, num, description, likelihood, likelihood_text, impact, impact_text, mitigation, owner, owner_name,
		 trigger_text, status, escalated, meeting_id, created_by_message, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ProjectID, r.Num, r.Description, r.Likelihood, r.LikelihoodText, r.Impact, r.ImpactText, r.Mitigation,
		r.Owner, r.OwnerName, r.Trigger, r.Status, r.Escalated, nullID(r.MeetingID), nullID(r.CreatedByMessage), utc(r.CreatedAt), utc(r.UpdatedAt))
	if err != nil {
		return r, fmt.Errorf("insert risk: %w", err)
	}
	return r, nil
}

// UpdateRisk writes every mutable field of r.
func (tx *Tx) UpdateRisk(r Risk) error {
	_, err := tx.exec(`UPDATE risks SET description = ?, likelihood = ?, likelihood_text = ?, impact = ?,
		impact_text = ?, mitigation = ?, owner = ?, owner_name = ?, trigger_text = ?, status = ?, escalated = ?, updated_at = ?
		WHERE id = ?`,
		r.Description, r.Likelihood, r.LikelihoodText, r.Impact, r.ImpactText, r.Mitigation, r.Owner, r.OwnerName,
		r.Trigger, r.Status, r.Escalated, utc(r.UpdatedAt), r.ID)
	if err != nil {
		return fmt.Errorf("update %s: %w", r.Ref(), err)
	}
	return nil
}

// SetLastReminded records the day a digest last listed an item.
func (tx *Tx) SetLastReminded(itemID int64, day string) error {
	_, err := tx.exec(`UPDATE action_items SET last_reminded = ? WHERE id = ?`, day, itemID)
	if err != nil {
		return fmt.Errorf("set last reminded: %w", err)
	}
	return nil
}
