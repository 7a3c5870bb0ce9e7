#!/usr/bin/env bash
# Runs every Go fuzz target in the module for FUZZTIME each (default 1m; a
# count such as 20000x also works, and is what CI uses: with a duration, Go
# 1.26 may report a spurious "context deadline exceeded" at the end).
# A crasher is written under the package's testdata/fuzz/ by go test; commit
# it so it stays a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-1m}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "-- $pkg $target ($fuzztime)"
    go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"
  done
done
