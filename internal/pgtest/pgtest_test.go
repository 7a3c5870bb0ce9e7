package pgtest_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mailflow/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// queryLimit bounds each statement a test sends.
const queryLimit = 30 * time.Second

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := tryConnect(dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func tryConnect(dsn string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), queryLimit)
	defer cancel()
	return pgx.Connect(ctx, dsn)
}

// scan runs a one-row query and scans it into dest, failing the test on error.
func scan(t *testing.T, c *pgx.Conn, sql string, dest ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), queryLimit)
	defer cancel()
	if err := c.QueryRow(ctx, sql).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func exec(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), queryLimit)
	defer cancel()
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// selectOne reports whether c answers SELECT 1.
func selectOne(c *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), queryLimit)
	defer cancel()
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return err
	}
	if one != 1 {
		return errors.New("SELECT 1 = " + strconv.Itoa(one))
	}
	return nil
}

// dbName returns the database a URL names.
func dbName(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("url.Parse(%q): %v", dsn, err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

// processUID returns the real uid of process pid, from /proc.
func processUID(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatalf("status of process %d: %v", pid, err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "Uid:"); ok {
			uid, err := strconv.Atoi(strings.Fields(rest)[0])
			if err != nil {
				t.Fatalf("process %d: Uid line %q: %v", pid, line, err)
			}
			return uid
		}
	}
	t.Fatalf("process %d: no Uid line", pid)
	return 0
}

// TestStart starts two servers at once and checks each is private: its own
// port on loopback only, its data and socket in temporary directories, an
// unprivileged process and a test role that is no superuser; then that
// they share nothing and that killing one leaves the other up.
func TestStart(t *testing.T) {
	servers := []*pgtest.Server{pgtest.Start(t), pgtest.Start(t)}
	wantUID := os.Getuid()
	if wantUID == 0 {
		wantUID = 65534
	}
	for i, s := range servers {
		c := connect(t, s.URL("postgres"))
		if err := selectOne(c); err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
		var user string
		var super bool
		var pid int
		scan(t, c, "SELECT current_user, rolsuper, pg_backend_pid() FROM pg_roles WHERE rolname = current_user", &user, &super, &pid)
		if user != s.User || super {
			t.Errorf("server %d: logged in as %q (superuser %v), want %q, not a superuser", i, user, super, s.User)
		}
		if uid := processUID(t, pid); uid != wantUID {
			t.Errorf("server %d: backend runs as uid %d, want %d", i, uid, wantUID)
		}
		admin := connect(t, s.AdminURL("postgres"))
		var listen, port, data, sockets string
		scan(t, admin, "SELECT current_setting('listen_addresses'), current_setting('port'), current_setting('data_directory'), current_setting('unix_socket_directories')",
			&listen, &port, &data, &sockets)
		if listen != "127.0.0.1" || port != strconv.Itoa(s.Port) {
			t.Errorf("server %d listens on %s port %s, want 127.0.0.1 port %d", i, listen, port, s.Port)
		}
		if !strings.HasPrefix(data, s.Dir+string(filepath.Separator)) {
			t.Errorf("server %d: data_directory %s, want it inside %s", i, data, s.Dir)
		}
		if !strings.HasPrefix(sockets, os.TempDir()) {
			t.Errorf("server %d: unix_socket_directories %s, want a directory in %s", i, sockets, os.TempDir())
		}
	}
	a, b := servers[0], servers[1]
	if a.Port == b.Port || a.Dir == b.Dir {
		t.Fatalf("two servers share port %d/%d or directory %s/%s", a.Port, b.Port, a.Dir, b.Dir)
	}

	exec(t, connect(t, a.CreateDB(t, "only_in_a")), "CREATE TABLE t (n int)")
	if c, err := tryConnect(b.URL("only_in_a")); err == nil {
		c.Close(context.Background())
		t.Errorf("database only_in_a made on server a is found on server b")
	}
	a.Kill()
	if err := selectOne(connect(t, b.URL("postgres"))); err != nil {
		t.Errorf("server b after killing server a: %v", err)
	}
}

// TestPasswordLogin checks that logins need the right password: no trust
// rule, SCRAM-SHA-256 verifiers, and a wrong password refused with
// invalid_password.
func TestPasswordLogin(t *testing.T) {
	s := pgtest.Shared(t)
	withPassword := func(dsn, user, password string) string {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(user, password)
		return u.String()
	}
	tests := []struct {
		name     string
		dsn      string
		wantCode string // "" for a login that works
	}{
		{"right password", s.URL("postgres"), ""},
		{"wrong password", withPassword(s.URL("postgres"), s.User, "not-"+s.Password), "28P01"},
		{"empty password", withPassword(s.URL("postgres"), s.User, ""), "28P01"},
		{"superuser with the test role's password", withPassword(s.AdminURL("postgres"), "postgres", s.Password), "28P01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tryConnect(tt.dsn)
			if err == nil {
				c.Close(context.Background())
			}
			var pgErr *pgconn.PgError
			switch {
			case tt.wantCode == "" && err != nil:
				t.Errorf("connect: %v, want a login", err)
			case tt.wantCode != "" && err == nil:
				t.Errorf("connect succeeded, want error %s", tt.wantCode)
			case tt.wantCode != "" && (!errors.As(err, &pgErr) || pgErr.Code != tt.wantCode):
				t.Errorf("connect: %v, want error %s", err, tt.wantCode)
			}
		})
	}

	admin := connect(t, s.AdminURL("postgres"))
	var trust, notScram int
	scan(t, admin, "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method <> 'scram-sha-256'", &trust)
	scan(t, admin, "SELECT count(*) FROM pg_authid WHERE rolcanlogin AND rolpassword NOT LIKE 'SCRAM-SHA-256$%'", &notScram)
	if trust != 0 || notScram != 0 {
		t.Errorf("%d pg_hba rules without scram-sha-256 and %d login roles without a SCRAM verifier, want none", trust, notScram)
	}
}

// TestTLS connects with sslmode=verify-full against CAFile, and checks that
// the certificate is really verified (not without the CA) and that only
// WithTLS turns TLS on.
func TestTLS(t *testing.T) {
	s := pgtest.Start(t, pgtest.WithTLS())
	c := connect(t, s.TLSURL("postgres"))
	var ssl bool
	var version string
	scan(t, c, "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &ssl, &version)
	if !ssl {
		t.Errorf("pg_stat_ssl.ssl = false over TLSURL, want true")
	}
	t.Logf("TLS %s", version)

	noCA, err := url.Parse(s.TLSURL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	noCA.RawQuery = url.Values{"sslmode": {"verify-full"}}.Encode() // the system's CAs
	if c, err := tryConnect(noCA.String()); err == nil {
		c.Close(context.Background())
		t.Errorf("verify-full without the CA connected, want a certificate error")
	}
	plain := strings.Replace(pgtest.Shared(t).URL("postgres"), "sslmode=disable", "sslmode=require", 1)
	if c, err := tryConnect(plain); err == nil {
		c.Close(context.Background())
		t.Errorf("sslmode=require connected to a server without WithTLS, want TLS refused")
	}
}

// TestKillRestart kills the server mid-transaction and restarts it: the
// committed rows survive, the uncommitted one does not, the port stays,
// and the server recovered as from a crash.
func TestKillRestart(t *testing.T) {
	s := pgtest.Start(t)
	dsn := s.CreateDB(t, "keep")
	c := connect(t, dsn)
	exec(t, c, "CREATE TABLE item (n int)")
	exec(t, c, "INSERT INTO item SELECT generate_series(1, 100)")
	open := connect(t, dsn)
	exec(t, open, "BEGIN")
	exec(t, open, "INSERT INTO item VALUES (999)")

	port := s.Port
	s.Kill()
	if s.Running() {
		t.Fatal("Running after Kill")
	}
	if err := selectOne(c); err == nil {
		t.Errorf("a connection made before Kill still answers")
	}
	if c, err := tryConnect(dsn); err == nil {
		c.Close(context.Background())
		t.Fatal("connected to a killed server")
	}

	s.Restart(t)
	if s.Port != port || !s.Running() {
		t.Fatalf("after Restart: port %d, running %v; want port %d, running", s.Port, s.Running(), port)
	}
	var rows, uncommitted int
	scan(t, connect(t, dsn), "SELECT count(*), count(*) FILTER (WHERE n = 999) FROM item", &rows, &uncommitted)
	if rows != 100 || uncommitted != 0 {
		t.Errorf("after Kill and Restart: %d rows, %d uncommitted; want 100, 0", rows, uncommitted)
	}
	log, err := os.ReadFile(s.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "automatic recovery in progress") {
		t.Errorf("the log shows no crash recovery after Kill:\n%s", log)
	}
}

// TestTerminateSessions ends the sessions on one database, as when their
// host dies: an advisory lock they held is free at once, and sessions on
// other databases live on.
func TestTerminateSessions(t *testing.T) {
	s := pgtest.Shared(t)
	dsn := s.CreateDB(t, "")
	victim := connect(t, dsn)
	exec(t, victim, "SELECT pg_advisory_lock(42)")
	bystander := connect(t, s.CreateDB(t, ""))

	if n := s.TerminateSessions(t, dbName(t, dsn)); n != 1 {
		t.Errorf("TerminateSessions = %d, want 1", n)
	}
	if err := selectOne(victim); err == nil {
		t.Errorf("the terminated session still answers")
	}
	if err := selectOne(bystander); err != nil {
		t.Errorf("a session on another database: %v", err)
	}
	var locked bool
	scan(t, connect(t, dsn), "SELECT pg_try_advisory_lock(42)", &locked)
	if !locked {
		t.Errorf("the terminated session's advisory lock is still held")
	}
}

// TestCreateDB checks that each database is new, owned by the test role,
// named after the test when unnamed, and dropped when its test ends.
func TestCreateDB(t *testing.T) {
	s := pgtest.Shared(t)
	if pgtest.Shared(t) != s {
		t.Fatal("Shared returned two servers")
	}
	admin := connect(t, s.AdminURL("postgres"))
	var inner string
	t.Run("weird/Name #1", func(t *testing.T) {
		a, b := s.CreateDB(t, ""), s.CreateDB(t, "")
		inner = dbName(t, a)
		if inner == dbName(t, b) {
			t.Fatalf("two unnamed databases are both %q", inner)
		}
		if !strings.HasPrefix(inner, "testcreatedb_weird_name_1_") {
			t.Errorf("unnamed database %q, want it named after the test", inner)
		}
		ca := connect(t, a)
		exec(t, ca, "CREATE TABLE mine (n int)") // the test role may create in its database
		var owner string
		scan(t, ca, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()", &owner)
		if owner != s.User {
			t.Errorf("database owner %q, want %q", owner, s.User)
		}
		var tables int
		scan(t, connect(t, b), "SELECT count(*) FROM pg_tables WHERE tablename = 'mine'", &tables)
		if tables != 0 {
			t.Errorf("a table made in one database shows in another")
		}
	})
	var left int
	ctx, cancel := context.WithTimeout(context.Background(), queryLimit)
	defer cancel()
	if err := admin.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", inner).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Errorf("database %s still exists after its test ended", inner)
	}
}
