// Package pgtest runs a private, unprivileged PostgreSQL for tests and
// benchmarks: initdb into a temporary directory, a free port on 127.0.0.1
// only, its unix socket in a temporary directory, SCRAM-SHA-256 password
// logins (no trust), and optionally TLS with a self-signed CA the test can
// trust. When the tests run as root, the server runs as nobody (PostgreSQL
// refuses root). It never touches the system's clusters or their
// configuration.
//
// Start gives a test its own server (1.5 s here, initdb most of it);
// Main and Shared give every test of a package one server, each test its
// own database from CreateDB.
//
// Without PostgreSQL installed, Start and Shared skip the test, unless the
// environment sets MAILFLOW_REQUIRE_POSTGRES=1 (as CI does), when they fail
// it.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

// EnvRequire names the environment variable that turns a missing
// PostgreSQL from a skip into a failure.
const EnvRequire = "MAILFLOW_REQUIRE_POSTGRES"

// loopback is the only address the server listens on.
const loopback = "127.0.0.1"

// Option changes how the server is configured.
type Option func(*options)

type options struct {
	user   string
	tls    bool
	config string
}

// WithTLS turns TLS on, with a certificate for 127.0.0.1, ::1 and localhost
// signed by a CA generated for the server (Server.CAFile), so clients can
// connect with sslmode=verify-full (Server.TLSURL). Plaintext connections
// are still accepted.
func WithTLS() Option { return func(o *options) { o.tls = true } }

// WithUser names the role tests log in as (default "mailflow").
func WithUser(name string) Option { return func(o *options) { o.user = name } }

// WithConfig appends lines to the server's configuration, after pgtest's
// own, so they win: "fsync = on" for a benchmark that should pay for
// durability, "max_connections = 300" for many pools.
func WithConfig(lines string) Option { return func(o *options) { o.config += lines + "\n" } }

// Server is a running private PostgreSQL.
type Server struct {
	// Host and Port are where it listens: 127.0.0.1 only. Restart keeps
	// the port.
	Host string
	Port int
	// User and Password log in the test role: not a superuser; it owns the
	// databases CreateDB makes.
	User, Password string
	// CAFile is the PEM file of the CA that signed the server's
	// certificate, with WithTLS; "" without.
	CAFile string
	// Dir holds the data directory, the configuration and the log.
	Dir string
	// LogPath is the server's log.
	LogPath string

	binDir        string
	data          string
	sockDir       string
	adminPassword string
	owner         *ids
	opts          options
	tls           tlsFiles
	databases     atomic.Int64 // names CreateDB's unnamed databases

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
}

// Start makes and starts a server for t and removes it when t ends. It
// skips t when PostgreSQL is not installed (fails it under
// MAILFLOW_REQUIRE_POSTGRES=1).
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	binDir := installedOrSkip(t, FindBinDir())
	dir := t.TempDir()
	if os.Geteuid() == 0 {
		// The server's user must traverse the test's directory, which
		// testing makes 0700 (launch opens up dir itself).
		if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
	}
	// Registered after t.TempDir's removal, so it runs before it.
	s, err := launch(binDir, dir, newOptions(opts))
	t.Cleanup(func() {
		s.close()
		if t.Failed() {
			t.Logf("postgres log (%s):\n%s", s.LogPath, s.logSince(0))
		}
	})
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return s
}

func newOptions(opts []Option) options {
	o := options{user: "mailflow"}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// close stops the server at once and removes its socket directory; the
// caller removes Dir.
func (s *Server) close() {
	s.stop(syscall.SIGQUIT)
	if s.sockDir != "" {
		os.RemoveAll(s.sockDir)
	}
}

// URL returns the address of database db for the test role, without TLS:
// postgres://user:password@127.0.0.1:port/db?sslmode=disable.
func (s *Server) URL(db string) string {
	return s.url(s.User, s.Password, db, url.Values{"sslmode": {"disable"}})
}

// TLSURL returns the address of database db for the test role over TLS,
// checked against CAFile: sslmode=verify-full. It needs WithTLS.
func (s *Server) TLSURL(db string) string {
	if s.CAFile == "" {
		panic("pgtest: TLSURL of a server started without WithTLS")
	}
	return s.url(s.User, s.Password, db, url.Values{"sslmode": {"verify-full"}, "sslrootcert": {s.CAFile}})
}

// AdminURL returns the address of database db for the cluster's superuser,
// for what the test role may not do.
func (s *Server) AdminURL(db string) string {
	return s.url(adminUser, s.adminPassword, db, url.Values{"sslmode": {"disable"}})
}

func (s *Server) url(user, password, db string, query url.Values) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     net.JoinHostPort(s.Host, strconv.Itoa(s.Port)),
		Path:     "/" + db,
		RawQuery: query.Encode(),
	}
	return u.String()
}

// CreateDB makes an empty database owned by the test role and returns its
// URL; it drops it when t ends, if the server is still running. An empty
// name makes one from t's name, unique on this server.
func (s *Server) CreateDB(t testing.TB, name string) string {
	t.Helper()
	if name == "" {
		name = s.databaseName(t.Name())
	}
	ctx, cancel := context.WithTimeout(context.Background(), statementLimit)
	defer cancel()
	db := pgx.Identifier{name}.Sanitize()
	err := s.asAdmin(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "CREATE DATABASE "+db+" OWNER "+pgx.Identifier{s.User}.Sanitize())
		return err
	})
	if err != nil {
		t.Fatalf("pgtest: create database %s: %v", db, err)
	}
	t.Cleanup(func() { s.dropDB(t, db) })
	return s.URL(name)
}

// dropDB drops a database CreateDB made, ending its sessions first
// (WITH (FORCE)): a shared server would otherwise fill the disk with one
// database per test.
func (s *Server) dropDB(t testing.TB, db string) {
	if !s.Running() {
		return // killed by the test; Dir goes with the server
	}
	ctx, cancel := context.WithTimeout(context.Background(), statementLimit)
	defer cancel()
	err := s.asAdmin(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+db+" WITH (FORCE)")
		return err
	})
	if err != nil {
		t.Errorf("pgtest: drop database %s: %v", db, err)
	}
}

// notIdentifier matches what databaseName replaces with one underscore.
var notIdentifier = regexp.MustCompile(`[^a-z0-9]+`)

// databaseName makes a database name from a test's name: lower case
// letters, digits and underscores, within PostgreSQL's 63 bytes, with a
// number that makes it unique on this server.
func (s *Server) databaseName(testName string) string {
	base := notIdentifier.ReplaceAllString(strings.ToLower(testName), "_")
	if len(base) > 48 {
		base = base[:48]
	}
	return fmt.Sprintf("%s_%d", strings.Trim(base, "_"), s.databases.Add(1))
}

// Kill ends the server as a crash would: SIGKILL to the postmaster and
// every backend at once. Clients see their connections drop (the kernel
// closes them; a host that vanished would leave them hanging instead).
// Restart starts it again.
func (s *Server) Kill() { s.stop(syscall.SIGKILL) }

// Restart starts the server again on the same data and port, after
// killing it if it is running; PostgreSQL recovers from its log as after
// a crash. Every committed transaction survives.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Kill()
	if err := s.runRetrying(); err != nil {
		t.Fatalf("pgtest: restart: %v", err)
	}
}

// Running reports whether the server process is up.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// TerminateSessions ends every client session on database db
// (pg_terminate_backend), as when the host holding them dies and the
// server notices, and returns how many it ended. It waits until they are
// gone, so a lock they held is free when it returns.
func (s *Server) TerminateSessions(t testing.TB, db string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), statementLimit)
	defer cancel()
	var sessions, ended int
	err := s.asAdmin(ctx, func(c *pgx.Conn) error {
		// With a timeout, pg_terminate_backend waits for the backend to
		// exit and says whether it did. Background workers (autovacuum)
		// are not sessions.
		return c.QueryRow(ctx, `
			SELECT count(*), count(*) FILTER (WHERE pg_terminate_backend(pid, $2))
			FROM pg_stat_activity
			WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
			db, terminateWait.Milliseconds()).Scan(&sessions, &ended)
	})
	if err != nil {
		t.Fatalf("pgtest: terminate sessions on %s: %v", db, err)
	}
	if ended != sessions {
		t.Fatalf("pgtest: terminate sessions on %s: %d of %d ended within %s", db, ended, sessions, terminateWait)
	}
	return ended
}

// shared is the one server of a test binary whose TestMain calls Main:
// package state because it lives as long as the binary, longer than any
// test.
var shared struct {
	sync.Mutex
	inMain bool
	opts   []Option
	srv    *Server
	err    error
}

// Main runs a package's tests (m.Run) and then stops and removes the
// server Shared started, if any; it returns m.Run's code:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// opts configure that server.
func Main(m *testing.M, opts ...Option) int {
	shared.Lock()
	shared.inMain, shared.opts = true, opts
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	defer shared.Unlock()
	if shared.srv != nil {
		shared.srv.close()
		os.RemoveAll(shared.srv.Dir)
		shared.srv = nil
	}
	return code
}

// Shared returns the package's one server, starting it on first use; each
// test takes its own database with CreateDB. A test that kills, restarts
// or reconfigures a server must Start its own. It needs TestMain to call
// Main, and skips as Start does.
func Shared(t testing.TB) *Server {
	t.Helper()
	binDir := installedOrSkip(t, FindBinDir())
	shared.Lock()
	defer shared.Unlock()
	if !shared.inMain {
		t.Fatal("pgtest: Shared needs the package's TestMain to call pgtest.Main")
	}
	if shared.srv == nil && shared.err == nil {
		shared.srv, shared.err = startShared(binDir, newOptions(shared.opts))
	}
	if shared.err != nil {
		t.Fatalf("pgtest: shared server: %v", shared.err)
	}
	return shared.srv
}

// startShared starts a server in a directory of its own, which Main
// removes: no test's TempDir lives long enough.
func startShared(binDir string, o options) (*Server, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s, err := launch(binDir, dir, o)
	if err != nil {
		s.close()
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}
