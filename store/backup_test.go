package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// backupBlob is the size of each message's raw bytes: large enough that a
// backup takes long enough for writes to land while it runs.
const backupBlob = 32 << 10

// handleMessage writes what the engine writes for one message, in one
// transaction: the message, its two answers in the outbox, and the
// mailbox checkpoint at its UID.
func handleMessage(ctx context.Context, s *Store, pid int64, uid uint32) error {
	id := fmt.Sprintf("m%d@backup.example", uid)
	now := time.Now()
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.InsertMessage(Message{ProjectID: pid, MessageID: id, Mailbox: "INBOX", UIDValidity: 7, UID: uid,
			Sender: "a@x", Kind: "reply", Outcome: OutcomeProcessed, Raw: []byte(strings.Repeat("x", backupBlob)),
			ReceivedAt: now, ProcessedAt: now}); err != nil {
			return err
		}
		for _, kind := range []string{"ack", "notice"} {
			if _, err := tx.Enqueue(Mail{ProjectID: pid, IdemKey: kind + ":" + id, Kind: kind, EnvelopeFrom: "m@x",
				MessageID: kind + "." + id, About: "answers:" + id, Raw: []byte("x")}, []string{"a@x"}, now); err != nil {
				return err
			}
		}
		return tx.SetCheckpoint("INBOX", 7, uid, now)
	})
}

// TestBackupWhileWriting takes backups of a database that another
// connection (the daemon) keeps writing, restores each, and checks it is
// one consistent moment: integrity_check ok, every message committed
// before the backup began is there, none half-written (every message has
// both its outbox rows and every outbox row its message), and the
// checkpoint agrees with the messages. It fails unless some write
// committed while a backup ran, so the concurrency is really exercised.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "mailflow.db")
	daemon, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer daemon.Close()
	pid, err := daemon.EnsureProject(ctx, "P", "p@x")
	if err != nil {
		t.Fatal(err)
	}
	var committed atomic.Uint32 // the highest UID committed; UIDs go 1, 2, 3…
	for uid := uint32(1); uid <= 300; uid++ {
		if err := handleMessage(ctx, daemon, pid, uid); err != nil {
			t.Fatal(err)
		}
		committed.Store(uid)
	}

	// The daemon writes on while backups are taken on another connection,
	// as "mailflow backup" does from its own process.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for uid := committed.Load() + 1; ; uid++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := handleMessage(ctx, daemon, pid, uid); err != nil {
				writeErr = fmt.Errorf("write uid %d during the backup: %w", uid, err)
				return
			}
			committed.Store(uid)
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
		if writeErr != nil {
			t.Error(writeErr)
		}
	}()

	backupConn, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer backupConn.Close()
	overlapped := 0
	for attempt := 1; attempt <= 5 && overlapped == 0; attempt++ {
		backup := filepath.Join(dir, fmt.Sprintf("backup-%d.db", attempt))
		before := committed.Load()
		if err := backupConn.Backup(ctx, backup); err != nil {
			t.Fatalf("backup %d: %v", attempt, err)
		}
		after := committed.Load()
		if after > before {
			overlapped++
		}
		held := checkRestored(t, restore(t, backup), before, after)
		t.Logf("backup %d: %d messages committed when it began, %d when it ended; it holds %d", attempt, before, after, held)
	}
	if overlapped == 0 {
		t.Errorf("in 5 backups no write committed while one ran: the test did not exercise a backup under writes")
	}
}

// restore copies a backup into place as a new database file, as an
// administrator would, and opens it.
func restore(t *testing.T, backup string) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "restored.db")
	src, err := os.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open the restored backup: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// checkRestored checks that a restored backup holds the messages 1…n for
// some n in [before, after], each with both its outbox rows, and a
// checkpoint at n, and returns n.
func checkRestored(t *testing.T, s *Store, before, after uint32) uint32 {
	t.Helper()
	var integrity string
	if err := s.db.Get(&integrity, `PRAGMA integrity_check`); err != nil || integrity != "ok" {
		t.Errorf("integrity_check = %q (%v), want ok", integrity, err)
	}
	var fkProblems int
	if err := s.db.Get(&fkProblems, `SELECT COUNT(*) FROM pragma_foreign_key_check`); err != nil || fkProblems != 0 {
		t.Errorf("foreign_key_check: %d problems (%v), want none", fkProblems, err)
	}
	var n, minUID, maxUID uint32
	if err := s.db.QueryRow(`SELECT COUNT(*), COALESCE(MIN(uid), 0), COALESCE(MAX(uid), 0) FROM messages`).Scan(&n, &minUID, &maxUID); err != nil {
		t.Fatal(err)
	}
	if n < before || n > after {
		t.Errorf("backup holds %d messages; %d were committed before it began and %d when it ended", n, before, after)
	}
	if minUID != 1 || maxUID != n {
		t.Errorf("backup holds UIDs %d…%d of %d messages: not the first n commits", minUID, maxUID, n)
	}
	var orphans, unanswered, outbox int
	if err := s.db.Get(&orphans, `SELECT COUNT(*) FROM outbox o WHERE NOT EXISTS
		(SELECT 1 FROM messages m WHERE 'answers:' || m.message_id = o.about)`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Get(&unanswered, `SELECT COUNT(*) FROM messages m WHERE
		(SELECT COUNT(*) FROM outbox o WHERE o.about = 'answers:' || m.message_id) != 2`); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Get(&outbox, `SELECT COUNT(*) FROM outbox`); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 || unanswered != 0 || outbox != 2*int(n) {
		t.Errorf("backup: %d outbox rows for %d messages (want %d), %d without their message, %d messages without both answers",
			outbox, n, 2*n, orphans, unanswered)
	}
	cp, err := s.Checkpoint(context.Background(), "INBOX")
	if err != nil || cp.LastUID != n {
		t.Errorf("backup checkpoint %+v (%v), want last UID %d: the checkpoint and the messages disagree", cp, err, n)
	}
	return n
}
