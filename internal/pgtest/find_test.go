package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeInstall makes dir holding the named programs as executable files.
func fakeInstall(t *testing.T, dir string, programs ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range programs {
		if err := os.WriteFile(filepath.Join(dir, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindBinDir(t *testing.T) {
	root := t.TempDir()
	lib := filepath.Join(root, "lib")
	fakeInstall(t, filepath.Join(lib, "9.6", "bin"), "initdb", "postgres")
	fakeInstall(t, filepath.Join(lib, "15", "bin"), "initdb", "postgres")
	fakeInstall(t, filepath.Join(lib, "16", "bin"), "initdb") // no server: a client-only install
	fakeInstall(t, filepath.Join(lib, "latest", "bin"), "initdb", "postgres")
	// A link on PATH to a complete installation, as /usr/local/bin/initdb
	// on this machine; a lone wrapper script whose directory has no
	// postgres.
	real := filepath.Join(root, "opt", "pg17", "bin")
	fakeInstall(t, real, "initdb", "postgres")
	links := filepath.Join(root, "links")
	fakeInstall(t, links)
	if err := os.Symlink(filepath.Join(real, "initdb"), filepath.Join(links, "initdb")); err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(root, "wrapper")
	fakeInstall(t, wrapper, "initdb")
	noExec := filepath.Join(root, "noexec")
	fakeInstall(t, noExec, "initdb", "postgres")
	if err := os.Chmod(filepath.Join(noExec, "postgres"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		path, lib, want string
	}{
		{"", lib, filepath.Join(lib, "15", "bin")},
		{wrapper, lib, filepath.Join(lib, "15", "bin")},
		{noExec, lib, filepath.Join(lib, "15", "bin")},
		{links, lib, real},
		{wrapper + ":" + links, lib, real},
		{"", filepath.Join(root, "nowhere"), ""},
		{wrapper, filepath.Join(root, "nowhere"), ""},
	}
	for _, tt := range tests {
		if got := findBinDir(tt.path, tt.lib); got != tt.want {
			t.Errorf("findBinDir(%q, %q) = %q, want %q", tt.path, tt.lib, got, tt.want)
		}
	}
}

// endingTB records how a helper ended the test: Skip and Fatal stop the
// goroutine, as testing's do.
type endingTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (e *endingTB) Helper() {}
func (e *endingTB) Skip(args ...any) {
	e.skipped, e.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
func (e *endingTB) Fatalf(format string, args ...any) {
	e.failed, e.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestInstalledOrSkip(t *testing.T) {
	tests := []struct {
		dir, require string
		wantSkip     bool
		wantFail     bool
	}{
		{"/usr/lib/postgresql/15/bin", "1", false, false},
		{"", "", true, false},
		{"", "0", true, false},
		{"", "1", false, true},
	}
	for _, tt := range tests {
		t.Setenv(EnvRequire, tt.require)
		e := &endingTB{TB: t}
		var got string
		done := make(chan struct{})
		go func() {
			defer close(done)
			got = installedOrSkip(e, tt.dir)
		}()
		<-done
		if e.skipped != tt.wantSkip || e.failed != tt.wantFail {
			t.Errorf("installedOrSkip(%q) with %s=%q: skipped %v, failed %v; want %v, %v",
				tt.dir, EnvRequire, tt.require, e.skipped, e.failed, tt.wantSkip, tt.wantFail)
		}
		if (e.skipped || e.failed) && !strings.Contains(e.msg, "apt-get install postgresql") {
			t.Errorf("installedOrSkip(%q): message %q does not say how to install PostgreSQL", tt.dir, e.msg)
		}
		if !e.skipped && !e.failed && got != tt.dir {
			t.Errorf("installedOrSkip(%q) = %q, want it back", tt.dir, got)
		}
	}
}
