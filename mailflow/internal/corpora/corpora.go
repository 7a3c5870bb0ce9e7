// Package corpora finds the public peer fixtures that tests read (reply
// suites, odd MIME, real minutes). They live outside the repository, in
// ../shared/corpora from its root, and are never copied into it.
//
// Where they are missing a test skips, so a checkout without them still
// runs; CI sets MAILFLOW_REQUIRE_CORPORA=1, and then a missing corpus fails
// the test instead, so a promise checked against them cannot pass unchecked.
package corpora

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// EnvRequire names the environment variable that turns a missing corpus
// from a skip into a failure.
const EnvRequire = "MAILFLOW_REQUIRE_CORPORA"

// EnvRoot names the environment variable that points at the corpora when
// they are not at ../shared/corpora from the repository root.
const EnvRoot = "MAILFLOW_CORPORA"

// Root returns the directory that holds the corpora: $MAILFLOW_CORPORA
// when set, else ../shared/corpora from the repository root, the first
// directory at or above the working directory with a go.mod (go test runs
// each package in its own directory).
func Root() (string, error) {
	if d := os.Getenv(EnvRoot); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("locate the corpora: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "corpora"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("locate the corpora: no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// Dir returns the directory of the named corpus. When it is missing, Dir
// skips the test, or fails it when $MAILFLOW_REQUIRE_CORPORA is 1.
func Dir(t testing.TB, name string) string {
	t.Helper()
	root, err := Root()
	dir := filepath.Join(root, name)
	if err == nil {
		var info os.FileInfo
		if info, err = os.Stat(dir); err == nil && !info.IsDir() {
			err = fmt.Errorf("%s is not a directory", dir)
		}
	}
	if err == nil {
		return dir
	}
	msg := fmt.Sprintf("corpus %s is missing: %v (the public fixtures live in ../shared/corpora beside the repository, or set %s)",
		name, err, EnvRoot)
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s; %s=1 requires it", msg, EnvRequire)
	}
	t.Skip(msg)
	return ""
}
