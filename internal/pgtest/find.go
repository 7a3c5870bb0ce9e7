package pgtest

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// debianLibDir holds Debian's server programs, one bin directory per major
// version (/usr/lib/postgresql/15/bin); Debian puts no initdb on PATH.
const debianLibDir = "/usr/lib/postgresql"

// serverPrograms are the programs a private server needs from one
// installation: initdb makes the cluster and finds postgres beside itself.
var serverPrograms = []string{"initdb", "postgres"}

// FindBinDir returns the directory holding PostgreSQL's server programs
// (initdb and postgres), or "" when none is installed. It tries the
// directory of each initdb on PATH, after symbolic links (so a link in
// /usr/local/bin leads to the real installation), then Debian's
// /usr/lib/postgresql/VERSION/bin, the newest version first.
func FindBinDir() string {
	return findBinDir(os.Getenv("PATH"), debianLibDir)
}

func findBinDir(path, libDir string) string {
	var candidates []string
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		if real, err := filepath.EvalSymlinks(filepath.Join(dir, "initdb")); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
	}
	candidates = append(candidates, versionBinDirs(libDir)...)
	for _, dir := range candidates {
		if hasServerPrograms(dir) {
			return dir
		}
	}
	return ""
}

// versionBinDirs returns libDir/VERSION/bin for every version directory,
// the newest first: "16" before "15" before "9.6".
func versionBinDirs(libDir string) []string {
	entries, err := os.ReadDir(libDir)
	if err != nil {
		return nil
	}
	var versions []string
	for _, e := range entries {
		if e.IsDir() && parseVersion(e.Name()) != nil {
			versions = append(versions, e.Name())
		}
	}
	slices.SortFunc(versions, func(a, b string) int { return slices.Compare(parseVersion(b), parseVersion(a)) })
	dirs := make([]string, len(versions))
	for i, v := range versions {
		dirs[i] = filepath.Join(libDir, v, "bin")
	}
	return dirs
}

// parseVersion reads "15" or "9.6" as numbers; nil when name is not a
// version.
func parseVersion(name string) []int {
	var nums []int
	for part := range strings.SplitSeq(name, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil
		}
		nums = append(nums, n)
	}
	return nums
}

func hasServerPrograms(dir string) bool {
	for _, name := range serverPrograms {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// installedOrSkip returns dir, the server programs' directory, or ends the
// test when it is "": a skip, or a failure when the environment requires
// PostgreSQL (EnvRequire=1, as CI sets after installing it), so that no
// PostgreSQL test passes unchecked there.
func installedOrSkip(t testing.TB, dir string) string {
	t.Helper()
	if dir != "" {
		return dir
	}
	msg := "PostgreSQL is not installed (Debian: apt-get install postgresql); the PostgreSQL tests need its initdb and postgres"
	if os.Getenv(EnvRequire) == "1" {
		t.Fatalf("%s, and %s=1", msg, EnvRequire)
	}
	t.Skip(msg)
	return ""
}
