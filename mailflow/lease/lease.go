// Package lease decides which of several hosts sharing one PostgreSQL
// database does a job — polls a mailbox, runs the periodic jobs — so that
// one host is active per job and the others stand by. A lease is a
// PostgreSQL session-level advisory lock, held on a connection of its own:
// the server releases it the moment that session ends, whether the host
// closed it, crashed, or went silent long enough for TCP keepalives to
// give up on it (Keepalive), and a standby that asks again takes it over.
//
// A lease says who may start work, not that work is done once: what the
// work writes stays guarded by the database (unique keys, idempotency
// keys, the outbox's atomic claim), so two hosts that both believe
// themselves active for a moment change nothing twice.
package lease

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"
)

// Keepalive bounds how long PostgreSQL keeps a silent host's session, and
// so its leases: idle 3 s, then 3 probes 2 s apart. A host that is killed
// or shut down closes its session at once; one that vanishes from the
// network is dropped within about nine seconds.
const (
	keepaliveIdle     = 3
	keepaliveInterval = 2
	keepaliveCount    = 3
	Keepalive         = (keepaliveIdle + keepaliveInterval*keepaliveCount) * time.Second
)

// RetryEvery is how often a standby asks for a lease it does not hold:
// with Keepalive, it bounds how long a job waits after its host dies
// (a crashed host: about RetryEvery; a vanished one: Keepalive more).
const RetryEvery = time.Second

// Key is the advisory-lock key of a lease name: the same name gives the
// same key on every host. It is kept positive, so that pg_locks, which
// shows it as two unsigned halves (classid, objid), joins back to it.
func Key(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("mailflow lease: " + name))
	return int64(h.Sum64() &^ (1 << 63))
}

// Holder takes and keeps leases for one host.
type Holder struct {
	db   *sql.DB
	host string

	mu   sync.Mutex
	held map[string]*sql.Conn
}

// New returns a Holder for host (shown to administrators as the session's
// application_name, "mailflow@host") on db, a PostgreSQL database.
func New(db *sql.DB, host string) *Holder {
	return &Holder{db: db, host: host, held: map[string]*sql.Conn{}}
}

// ApplicationName is what a holder's sessions call themselves.
func ApplicationName(host string) string { return "mailflow@" + host }

// Acquire reports whether this host holds the lease name: it keeps one it
// holds while its session is alive, and takes a free one. It is cheap
// enough to call every cycle: one round trip when the lease is held or
// taken by another host.
func (h *Holder) Acquire(ctx context.Context, name string) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.held[name]; ok {
		if err := c.PingContext(ctx); err == nil {
			var still bool
			// The session may have been ended and replaced under the
			// pool's feet; ask the server what this session holds.
			err = c.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'
				AND pid = pg_backend_pid() AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1)`, Key(name)).Scan(&still)
			if err == nil && still {
				return true, nil
			}
		}
		_ = c.Close()
		delete(h.held, name)
	}
	c, err := h.session(ctx)
	if err != nil {
		return false, err
	}
	var got bool
	if err := c.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, Key(name)).Scan(&got); err != nil {
		_ = c.Close()
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	if !got {
		_ = c.Close()
		return false, nil
	}
	h.held[name] = c
	return true, nil
}

// session opens a connection of its own for a lease, named for the host
// and with keepalives that bound how long a silent host keeps it.
func (h *Holder) session(ctx context.Context) (*sql.Conn, error) {
	c, err := h.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("lease session: %w", err)
	}
	_, err = c.ExecContext(ctx, fmt.Sprintf(`SET application_name = '%s'; SET tcp_keepalives_idle = %d; SET tcp_keepalives_interval = %d; SET tcp_keepalives_count = %d`,
		quote(ApplicationName(h.host)), keepaliveIdle, keepaliveInterval, keepaliveCount))
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("lease session: %w", err)
	}
	return c, nil
}

// quote doubles the single quotes of a string literal's contents.
func quote(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// Release gives up the lease name, if held.
func (h *Holder) Release(ctx context.Context, name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.held[name]
	if !ok {
		return nil
	}
	delete(h.held, name)
	_, err := c.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, Key(name))
	// Closing the session releases it in any case.
	return errors.Join(err, c.Close())
}

// Close gives up every lease.
func (h *Holder) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var errs []error
	for name, c := range h.held {
		errs = append(errs, c.Close())
		delete(h.held, name)
	}
	return errors.Join(errs...)
}

// Owner is who holds a lease, as "mailflow status" shows it.
type Owner struct {
	Name  string
	Host  string    // "" when nobody holds it
	Since time.Time // when the holding session started
}

// Owners reports, for each lease name, which host holds it.
func Owners(ctx context.Context, db *sql.DB, names []string) ([]Owner, error) {
	out := make([]Owner, 0, len(names))
	for _, name := range names {
		o := Owner{Name: name}
		var app string
		var since time.Time
		err := db.QueryRowContext(ctx, `SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND ((l.classid::bigint << 32) | l.objid::bigint) = $1`, Key(name)).Scan(&app, &since)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, fmt.Errorf("holder of %s: %w", name, err)
		default:
			o.Host, o.Since = app, since
			if len(app) > len("mailflow@") && app[:len("mailflow@")] == "mailflow@" {
				o.Host = app[len("mailflow@"):]
			}
		}
		out = append(out, o)
	}
	return out, nil
}
