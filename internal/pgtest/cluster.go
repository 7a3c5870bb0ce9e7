package pgtest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Timing of start-up, shut-down and the helpers' own statements.
const (
	readyTimeout   = 30 * time.Second // from exec to "ready" in postmaster.pid, crash recovery included
	stopTimeout    = 10 * time.Second // from the shutdown signal to exit, then SIGKILL
	statementLimit = 30 * time.Second // a helper's connect and statement
	readyPoll      = 10 * time.Millisecond
	retryPause     = 50 * time.Millisecond
	terminateWait  = 5 * time.Second // for a terminated backend to exit
	portAttempts   = 3
)

// serverUID is the user the server runs as when the tests run as root:
// initdb and postgres refuse to run as root, so the cluster belongs to
// nobody.
const serverUID = 65534

// adminUser is the cluster's superuser, which makes the databases and
// ends sessions; tests log in as the unprivileged Server.User.
const adminUser = "postgres"

// Errors of a start that a retry may cure.
var (
	// errAddrInUse: another process took the port between freePort and
	// the server's bind.
	errAddrInUse = errors.New("port already in use")
	// errShmInUse: a backend of the killed server is still exiting and
	// holds the old shared memory, which PostgreSQL will not start beside.
	errShmInUse = errors.New("old shared memory still in use")
)

// ids is the unprivileged user the server runs as when the tests run as
// root; nil when they do not, and the server runs as the test's own user.
type ids struct{ uid, gid int }

func serverUser() *ids {
	if os.Geteuid() != 0 {
		return nil
	}
	return &ids{uid: serverUID, gid: serverUID}
}

func (u *ids) chown(path string) error {
	if u == nil {
		return nil
	}
	return os.Chown(path, u.uid, u.gid)
}

// launch makes a cluster in dir and starts it: directories the server's
// user may use, initdb as that user, the certificates, the configuration
// on a free port (another one when that is taken before the server binds
// it), then the test role. It returns the server even on error, for the
// caller to close.
func launch(binDir, dir string, o options) (*Server, error) {
	s := &Server{
		Host:    loopback,
		User:    o.user,
		Dir:     dir,
		LogPath: filepath.Join(dir, "postgres.log"),
		binDir:  binDir,
		data:    filepath.Join(dir, "data"),
		owner:   serverUser(),
		opts:    o,
	}
	s.Password, s.adminPassword = newPassword(), newPassword()
	if err := s.makeDirs(); err != nil {
		return s, fmt.Errorf("directories: %w", err)
	}
	if err := s.initdb(); err != nil {
		return s, fmt.Errorf("initdb: %w", err)
	}
	if o.tls {
		files, err := writeCerts(dir, s.owner)
		if err != nil {
			return s, fmt.Errorf("certificates: %w", err)
		}
		s.CAFile, s.tls = files.ca, files
	}
	if err := s.includeOwnConf(); err != nil {
		return s, err
	}
	if err := s.startOnFreePort(); err != nil {
		return s, err
	}
	return s, s.createTestRole()
}

// makeDirs prepares the data directory and the socket directory for the
// server's user. When the tests run as root, that user must be able to
// traverse Dir, which t.TempDir and os.MkdirTemp make 0700.
func (s *Server) makeDirs() error {
	if s.owner != nil {
		if err := os.Chmod(s.Dir, 0o755); err != nil {
			return err
		}
	}
	// The socket's path may not exceed 107 bytes, and t.TempDir's names
	// grow with the test's name: the socket gets a short directory.
	sock, err := os.MkdirTemp("", "pgt-")
	if err != nil {
		return err
	}
	s.sockDir = sock
	for _, d := range []string{s.data, sock} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		if err := s.owner.chown(d); err != nil {
			return err
		}
	}
	return nil
}

// initdb makes the cluster with password logins only (SCRAM-SHA-256, for
// local sockets too, so no test passes by trust), UTF-8 and the C.UTF-8
// locale, whose code-point order is SQLite's byte order for UTF-8 text.
// -N skips the fsync of a cluster that lives for one test.
func (s *Server) initdb() error {
	pwfile := filepath.Join(s.Dir, "admin.pw")
	if err := os.WriteFile(pwfile, []byte(s.adminPassword+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(pwfile)
	if err := s.owner.chown(pwfile); err != nil {
		return err
	}
	cmd := s.command("initdb", "-D", s.data, "-U", adminUser, "--pwfile", pwfile,
		"-A", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8", "--lc-messages", "C",
		"-N", "--no-instructions")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w:\n%s", err, out)
	}
	return nil
}

// includeOwnConf makes postgresql.conf read pgtest.conf last, which
// configure rewrites (a new port on a retry) and Restart reads again.
func (s *Server) includeOwnConf() error {
	f, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "\ninclude_if_exists = %s\n", confString(s.confPath()))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *Server) confPath() string { return filepath.Join(s.Dir, "pgtest.conf") }

// configure writes pgtest.conf for port.
func (s *Server) configure(port int) error {
	var b strings.Builder
	fmt.Fprintf(&b, `# Generated by mailflow/pgtest: a private test instance; later lines win.
listen_addresses = '%s'
port = %d
unix_socket_directories = %s
# Tests only. Kill ends processes, not the kernel, which keeps what they
# wrote: fsync and full-page writes guard against an operating-system crash
# only. Commits stay synchronous, or a Kill could lose acknowledged ones.
fsync = off
full_page_writes = off
synchronous_commit = on
`, loopback, port, confString(s.sockDir))
	if s.tls.cert != "" {
		fmt.Fprintf(&b, "ssl = on\nssl_cert_file = %s\nssl_key_file = %s\n", confString(s.tls.cert), confString(s.tls.key))
	}
	b.WriteString(s.opts.config)
	return os.WriteFile(s.confPath(), []byte(b.String()), 0o644)
}

// confString quotes a postgresql.conf string value.
func confString(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// startOnFreePort configures a free port and starts the server there, with
// a new port when another process took it first.
func (s *Server) startOnFreePort() error {
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		s.Port = port
		if err := s.configure(port); err != nil {
			return err
		}
		err = s.run()
		if err == nil || !errors.Is(err, errAddrInUse) || attempt == portAttempts {
			return err
		}
	}
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the server binds it: startOnFreePort then tries another.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// runRetrying starts the server on its port, again while the killed
// server's last backends still hold its shared memory.
func (s *Server) runRetrying() error {
	deadline := time.Now().Add(readyTimeout)
	for {
		err := s.run()
		if err == nil || !errors.Is(err, errShmInUse) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(retryPause)
	}
}

// run starts postgres as a child process in its own process group (Kill
// reaches every backend at once) and waits until it accepts connections.
func (s *Server) run() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("already running")
	}
	logFile, err := os.OpenFile(s.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	logStart, err := logFile.Seek(0, io.SeekEnd)
	if err != nil {
		logFile.Close()
		return err
	}
	cmd := s.command("postgres", "-D", s.data)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr.Setpgid = true
	// SIGQUIT is PostgreSQL's immediate shutdown: should the test binary
	// die, its server goes too.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("start postgres: %w", err)
	}
	exit := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		logFile.Close()
		close(exit)
	}()
	if err := s.waitReady(cmd.Process.Pid, exit); err != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // ESRCH when it has exited already
		<-exit
		return startError(err, waitErr, s.logSince(logStart))
	}
	s.cmd, s.exit = cmd, exit
	return nil
}

// startError explains a failed start with the server's log and marks the
// causes a retry may cure.
func startError(err, waitErr error, log string) error {
	if waitErr != nil {
		err = fmt.Errorf("%w (%v)", err, waitErr)
	}
	switch {
	case strings.Contains(log, "Address already in use"):
		err = fmt.Errorf("%w: %w", errAddrInUse, err)
	case strings.Contains(log, "pre-existing shared memory block"):
		err = fmt.Errorf("%w: %w", errShmInUse, err)
	}
	return fmt.Errorf("%w; log:\n%s", err, log)
}

// waitReady polls postmaster.pid until the server of pid marks itself
// ready, as pg_ctl does: line 1 is the postmaster's PID, line 8 its status
// (LOCK_FILE_LINE_PM_STATUS). A killed server leaves its file saying
// "ready", hence the PID check.
func (s *Server) waitReady(pid int, exit <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		if pidFileReady(filepath.Join(s.data, "postmaster.pid"), pid) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not become ready within %s", readyTimeout)
		}
		select {
		case <-exit:
			return errors.New("postgres exited during start-up")
		case <-time.After(readyPoll):
		}
	}
}

func pidFileReady(path string, pid int) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	lines := strings.Split(string(b), "\n")
	return len(lines) >= 8 && strings.TrimSpace(lines[0]) == strconv.Itoa(pid) && strings.TrimSpace(lines[7]) == "ready"
}

// logSince returns what the server logged from offset on.
func (s *Server) logSince(offset int64) string {
	f, err := os.Open(s.LogPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, offset, 1<<20))
	if err != nil {
		return ""
	}
	return string(b)
}

// command runs one of the server programs as the server's user, with no
// PG* variables of the caller's (PGDATA, PGPORT…) to change what it does.
func (s *Server) command(program string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.binDir, program), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	if s.owner != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(s.owner.uid), Gid: uint32(s.owner.gid)}
	}
	return cmd
}

// stop ends the server: with sig (SIGQUIT, PostgreSQL's immediate
// shutdown, what pg_ctl stop -m immediate sends), or SIGKILL to the whole
// process group, postmaster and backends at once. Either way it waits for
// the postmaster to exit and kills whatever of its group is left.
func (s *Server) stop(sig syscall.Signal) {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	pgid := cmd.Process.Pid
	if sig == syscall.SIGKILL {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	} else {
		_ = cmd.Process.Signal(sig) // the postmaster stops its backends
	}
	select {
	case <-exit:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-exit
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // ESRCH when none is left
}

// createTestRole makes the role tests log in as: a password login, no
// superuser, so a test meets the privileges an application would have.
func (s *Server) createTestRole() error {
	ctx, cancel := context.WithTimeout(context.Background(), statementLimit)
	defer cancel()
	// The password is base32 (newPassword), safe inside the literal; utility
	// statements take no parameters.
	sql := fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD '%s'", pgx.Identifier{s.User}.Sanitize(), s.Password)
	if err := s.asAdmin(ctx, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, sql)
		return err
	}); err != nil {
		return fmt.Errorf("create role %s: %w", s.User, err)
	}
	return nil
}

// asAdmin runs f on a new superuser connection to the postgres database.
func (s *Server) asAdmin(ctx context.Context, f func(*pgx.Conn) error) error {
	c, err := pgx.Connect(ctx, s.AdminURL("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return f(c)
}

// newPassword returns at least 128 random bits as base32 text (A-Z, 2-7),
// which needs no quoting in a URL or an SQL literal.
func newPassword() string { return rand.Text() }
