package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// ErrLocked is returned when another mailflow holds the database.
var ErrLocked = errors.New("another mailflow is running on this database")

// Lock takes the single-instance lock of the database at dbPath: an
// exclusive flock on dbPath + ".lock". The kernel releases a flock when its
// process dies, so a crash can never leave it stale. The returned function
// releases it.
func Lock(dbPath string) (func(), error) {
	path := dbPath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &FixError{Err: fmt.Errorf("lock %s: the database directory does not exist", path),
			Fix: fmt.Sprintf("mkdir -p -m 0700 %s (mailflow run and mailflow init create it)", filepath.Dir(path))}
	} else if errors.Is(err, fs.ErrPermission) {
		return nil, &FixError{Err: fmt.Errorf("lock %s: %w", path, err),
			Fix: fmt.Sprintf("run mailflow as the user that owns %s, or give it to that user: chown -R USER %s", filepath.Dir(path), filepath.Dir(path))}
	} else if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(holder))
			if pid != "" {
				return nil, fmt.Errorf("%w (%s is locked by pid %s); stop it first", ErrLocked, dbPath, pid)
			}
			return nil, fmt.Errorf("%w (%s is locked); stop it first", ErrLocked, dbPath)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The pid is only for the message above; the flock is the lock.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
