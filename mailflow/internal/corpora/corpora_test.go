package corpora

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder stands in for a test: it keeps how Dir ended it.
type recorder struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Skip(args ...any) {
	r.skipped = true
	runtime.Goexit()
}

// dirWith runs Dir on a recorder, in a goroutine so that its Goexit ends
// only that goroutine.
func dirWith(name string) (string, *recorder) {
	r := &recorder{}
	var dir string
	done := make(chan struct{})
	go func() {
		defer close(done)
		dir = Dir(r, name)
	}()
	<-done
	return dir, r
}

func TestDir(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "present"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a-file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvRoot, root)
	for _, c := range []struct {
		name, require      string
		wantDir            bool
		wantFail, wantSkip bool
	}{
		{"present", "", true, false, false},
		{"present", "1", true, false, false},
		{"absent", "", false, false, true},
		{"absent", "1", false, true, false},
		{"a-file", "1", false, true, false},
	} {
		t.Setenv(EnvRequire, c.require)
		dir, r := dirWith(c.name)
		if (dir != "") != c.wantDir || r.failed != c.wantFail || r.skipped != c.wantSkip {
			t.Errorf("Dir(%q) with %s=%q: dir %q, failed %v, skipped %v; want a dir %v, failed %v, skipped %v",
				c.name, EnvRequire, c.require, dir, r.failed, r.skipped, c.wantDir, c.wantFail, c.wantSkip)
		}
		if c.wantDir && dir != filepath.Join(root, c.name) {
			t.Errorf("Dir(%q) = %q, want %q", c.name, dir, filepath.Join(root, c.name))
		}
		if c.wantFail && !strings.Contains(r.msg, EnvRequire) {
			t.Errorf("Dir(%q) failed with %q, which does not name %s", c.name, r.msg, EnvRequire)
		}
	}
}

// Without $MAILFLOW_CORPORA the corpora sit beside the repository.
func TestRootBesideRepository(t *testing.T) {
	t.Setenv(EnvRoot, "")
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(repo, "..", "shared", "corpora"); root != want {
		t.Errorf("Root() = %q, want %q", root, want)
	}
}
