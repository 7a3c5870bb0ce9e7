package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
)

// FixError is a start-up failure together with the command or edit that
// fixes it, so that the administrator reading it need not search.
type FixError struct {
	Err error
	Fix string
}

func (e *FixError) Error() string { return e.Err.Error() + "\n  fix: " + e.Fix }
func (e *FixError) Unwrap() error { return e.Err }

// EnsureDatabaseDir creates the directory of the database at dbPath, 0700
// (it will hold people's addresses and what they were asked to do), when
// it does not exist yet, and reports whether it did. SQLite creates the
// file but not its directory; an administrator who followed a README step
// too few should get the directory, not "no such file or directory".
func EnsureDatabaseDir(dbPath string) (bool, error) {
	dir := filepath.Dir(dbPath)
	fi, err := os.Stat(dir)
	if err == nil {
		if !fi.IsDir() {
			return false, &FixError{Err: fmt.Errorf("database.path %s: %s is not a directory", dbPath, dir), Fix: "set [database] path to a file in a directory"}
		}
		return false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("database.path %s: %w", dbPath, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, &FixError{
			Err: fmt.Errorf("database.path %s: create its directory: %w", dbPath, err),
			Fix: fmt.Sprintf("create it for the user mailflow runs as: sudo install -d -m 0700 -o %s %s (mailflow init does it too)", currentUser(), dir),
		}
	}
	return true, nil
}

// currentUser names the user this process runs as, for a chown in a fix.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return fmt.Sprint(os.Getuid())
}
