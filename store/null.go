package store

import (
	"database/sql"
	"time"
)

// NULL stays inside the store (see the package doc): a nullable column is
// an int64 or a time.Time in the exported types, NULL their zero value.
// On the way in, nullID and nullTime turn the zero back into NULL; on the
// way out, each type with nullable columns is read through a row type of
// its own, which embeds it and shadows those columns with sql.Null fields
// (sqlx fills the shallower field of a name), and whose value method
// copies them over.

// nullID is an id column's value: 0, which no row has (ids start at 1),
// is NULL.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// nullTime is a time column's value: the zero time is NULL; any other is
// stored in UTC, as the store writes every time.
func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

// row is a row type that reads a T (itemRow reads an Item).
type row[T any] interface{ value() T }

// values returns the values of rows read: nil for nil, as the query into
// []T returned.
func values[R row[T], T any](rows []R) []T {
	if rows == nil {
		return nil
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = r.value()
	}
	return out
}

type itemRow struct {
	Item
	MeetingID        sql.NullInt64 `db:"meeting_id"`
	CreatedByMessage sql.NullInt64 `db:"created_by_message"`
	ClosedByMessage  sql.NullInt64 `db:"closed_by_message"`
	ClosedAt         sql.NullTime  `db:"closed_at"`
}

func (r itemRow) value() Item {
	it := r.Item
	it.MeetingID, it.CreatedByMessage, it.ClosedByMessage = r.MeetingID.Int64, r.CreatedByMessage.Int64, r.ClosedByMessage.Int64
	it.ClosedAt = r.ClosedAt.Time
	return it
}

type riskRow struct {
	Risk
	MeetingID        sql.NullInt64 `db:"meeting_id"`
	CreatedByMessage sql.NullInt64 `db:"created_by_message"`
}

func (r riskRow) value() Risk {
	rk := r.Risk
	rk.MeetingID, rk.CreatedByMessage = r.MeetingID.Int64, r.CreatedByMessage.Int64
	return rk
}

type auditRow struct {
	AuditEntry
	MessageID sql.NullInt64 `db:"message_id"`
}

func (r auditRow) value() AuditEntry {
	e := r.AuditEntry
	e.MessageID = r.MessageID.Int64
	return e
}

type meetingRow struct {
	Meeting
	MessageID sql.NullInt64 `db:"message_id"`
}

func (r meetingRow) value() Meeting {
	m := r.Meeting
	m.MessageID = r.MessageID.Int64
	return m
}

type decisionRow struct {
	Decision
	MeetingID sql.NullInt64 `db:"meeting_id"`
}

func (r decisionRow) value() Decision {
	d := r.Decision
	d.MeetingID = r.MeetingID.Int64
	return d
}

type changeRow struct {
	Change
	MeetingID sql.NullInt64 `db:"meeting_id"`
}

func (r changeRow) value() Change {
	c := r.Change
	c.MeetingID = r.MeetingID.Int64
	return c
}

type mailRow struct {
	Mail
	SentAt   sql.NullTime `db:"sent_at"`
	PrunedAt sql.NullTime `db:"pruned_at"`
	// Splices say where the runs the mail shares with others go back
	// into Raw (see share); nil when Raw is the whole mail.
	Splices []byte `db:"splices"`
}

func (r mailRow) value() Mail {
	m := r.Mail
	m.SentAt, m.PrunedAt = r.SentAt.Time, r.PrunedAt.Time
	return m
}

type milestoneRow struct {
	Milestone
	MeetingID sql.NullInt64 `db:"meeting_id"`
}

func (r milestoneRow) value() Milestone {
	m := r.Milestone
	m.MeetingID = r.MeetingID.Int64
	return m
}

type mailboxStatusRow struct {
	MailboxStatus
	LastPoll sql.NullTime `db:"last_poll"`
	ErrorAt  sql.NullTime `db:"error_at"`
}

func (r mailboxStatusRow) value() MailboxStatus {
	m := r.MailboxStatus
	m.LastPoll, m.ErrorAt = r.LastPoll.Time, r.ErrorAt.Time
	return m
}

type runRow struct {
	Run
	LastOK sql.NullTime `db:"last_ok_at"`
}

func (r runRow) value() Run {
	run := r.Run
	run.LastOK = r.LastOK.Time
	return run
}
