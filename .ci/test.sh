#!/usr/bin/env bash
# Runs every mailflow test on a fresh machine: installs what the tests need
# (Dovecot, for the IMAP integration tests), then gofmt, go vet and go test ./...,
# the concurrent packages under the race detector, then each fuzz target
# briefly.
#
#   .ci/test.sh            everything (what CI runs)
#   FUZZTIME=10m .ci/fuzz.sh   the fuzz targets for longer
set -euo pipefail
cd "$(dirname "$0")/.."

need_dovecot() { ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; }
if need_dovecot; then
  echo "== installing dovecot-imapd (the IMAP integration tests run a private instance)"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dovecot-imapd >/dev/null
fi
# The integration tests skip without Dovecot only when it could not be
# installed; here it is, so make a missing Dovecot a failure.
export MAILFLOW_REQUIRE_DOVECOT=1

echo "== gofmt, go vet"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted (run gofmt -w on them):"; echo "$unformatted"; exit 1
fi
go vet ./...
echo "== go test"
go test -count=1 ./...
# The packages where goroutines meet (a batch handled while the next is
# fetched, moves on a second connection, faults cut mid-command) run again
# under the race detector.
echo "== go test -race (intake, daemon)"
go test -race -count=1 ./mailflow/intake/ ./mailflow/daemon/
echo "== fuzz (brief)"
# A count, not a duration: Go 1.26's fuzz coordinator can fail a target with
# "context deadline exceeded" when a duration runs out while a worker is
# busy (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline.
FUZZTIME="${FUZZTIME:-20000x}" "$(dirname "$0")/fuzz.sh"
echo "== all tests passed"
