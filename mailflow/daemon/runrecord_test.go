package daemon_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailflow/mailflow/daemon"
	"mailflow/mailflow/demo"
	"mailflow/mailflow/inproc"
	"mailflow/store"
)

// TestOnceRecordsTheRun: a cycle that cannot reach its mailbox is recorded
// as failed, with the step and the error; the next good one as ok, with
// the mailbox's status saved too.
func TestOnceRecordsTheRun(t *testing.T) {
	smtpSrv, err := inproc.StartSMTP("")
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	key := make([]byte, 32)
	rand.Read(key)
	// Port 1 on loopback: nothing listens there.
	cfg, err := demo.Config(t.TempDir(), "127.0.0.1:1", smtpSrv.Addr, key)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(t.Context(), cfg, daemon.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Once(t.Context()); err == nil {
		t.Fatal("Once against a closed port succeeded")
	}
	r, err := d.Store.LastRunOutcome(context.Background(), daemon.HostName())
	if err != nil {
		t.Fatal(err)
	}
	if r.Mode != store.ModeOnce || r.State != store.RunFailed || r.Step != "reading mailbox INBOX" || !strings.Contains(r.Error, "127.0.0.1:1") || !r.LastOK.IsZero() || r.PID != os.Getpid() {
		t.Errorf("after a failed cycle: %+v, want once/failed at reading mailbox INBOX, naming the address, no last success", r)
	}
	statuses, err := d.Store.MailboxStatuses(context.Background())
	if err != nil || len(statuses) != 1 || statuses[0].LastError == "" {
		t.Errorf("mailbox statuses %+v (%v), want INBOX with its error", statuses, err)
	}

	imapSrv, err := inproc.StartIMAP("ehr-project", "demo")
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	d.Pollers[0].Config.Address = imapSrv.Addr
	if err := d.Once(t.Context()); err != nil {
		t.Fatal(err)
	}
	r, _ = d.Store.LastRunOutcome(context.Background(), daemon.HostName())
	if r.State != store.RunOK || r.Step != "" || r.Error != "" || r.LastOK.IsZero() {
		t.Errorf("after a good cycle: %+v, want ok with a last success", r)
	}
}

// TestStartFailureIsRecorded: a daemon that cannot start once its database
// is open leaves the reason where "mailflow status" reads it.
func TestStartFailureIsRecorded(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	dir := t.TempDir()
	cfg, err := demo.Config(dir, "127.0.0.1:1", "127.0.0.1:1", key)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Templates.Dir = filepath.Join(dir, "no-such-templates")
	_, err = daemon.New(t.Context(), cfg, daemon.Options{Mode: store.ModeOnce, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	var fe *daemon.FixError
	if !errors.As(err, &fe) || !strings.Contains(fe.Fix, "mailflow templates check") {
		t.Fatalf("New with a missing templates.dir = %v, want a FixError offering mailflow templates check", err)
	}
	st, err := store.Open(t.Context(), cfg.Database.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := st.LastRunOutcome(context.Background(), daemon.HostName())
	if err != nil || r.Mode != store.ModeOnce || r.State != store.RunFailed || r.Step != "starting" || !strings.Contains(r.Error, "templates.dir") {
		t.Errorf("recorded %+v (%v), want once/failed at starting, naming templates.dir", r, err)
	}
}

func TestEnsureDatabaseDir(t *testing.T) {
	root := t.TempDir()
	db := filepath.Join(root, "var", "lib", "mailflow", "mailflow.db")
	created, err := daemon.EnsureDatabaseDir(db)
	if err != nil || !created {
		t.Fatalf("EnsureDatabaseDir(%s) = %v, %v; want it created", db, created, err)
	}
	if fi, err := os.Stat(filepath.Dir(db)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("the directory: %v, %v; want mode 0700", fi, err)
	}
	if created, err := daemon.EnsureDatabaseDir(db); err != nil || created {
		t.Errorf("again: %v, %v; want nothing to do", created, err)
	}
	file := filepath.Join(root, "file")
	os.WriteFile(file, nil, 0o600)
	if _, err := daemon.EnsureDatabaseDir(filepath.Join(file, "mailflow.db")); err == nil {
		t.Error("a database under a plain file: no error")
	}
	if os.Geteuid() != 0 {
		locked := filepath.Join(root, "locked")
		os.Mkdir(locked, 0o500)
		_, err := daemon.EnsureDatabaseDir(filepath.Join(locked, "sub", "mailflow.db"))
		var fe *daemon.FixError
		if !errors.As(err, &fe) || !strings.Contains(fe.Fix, "install -d -m 0700") {
			t.Errorf("under a read-only directory: %v, want a FixError with the install -d that fixes it", err)
		}
	}
}
