#!/usr/bin/env bash
# Runs every mailflow test on a fresh machine: installs what the tests need
# (Dovecot, for the IMAP integration tests; PostgreSQL, for the store on
# PostgreSQL; systemd-analyze, for the unit check), then gofmt, go vet,
# staticcheck and go test ./..., the concurrent packages under the race
# detector, then each fuzz target briefly.
#
# A test that would skip because something is missing fails here instead:
# Dovecot, PostgreSQL, systemd-analyze and the public corpora in
# ../shared/corpora are required (MAILFLOW_REQUIRE_*), so no promise passes
# unchecked.
#
#   .ci/test.sh            everything (what CI runs)
#   FUZZTIME=10m .ci/fuzz.sh   the fuzz targets for longer
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
apt_updated=""
# apt_install installs Debian packages, updating the package lists once.
apt_install() {
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

need_dovecot() { ! command -v dovecot >/dev/null 2>&1 && [ ! -x /usr/sbin/dovecot ]; }
if need_dovecot; then
  echo "== installing dovecot-imapd (the IMAP integration tests run a private instance)"
  apt_install dovecot-imapd
fi
# Debian keeps initdb off PATH, in /usr/lib/postgresql/VERSION/bin, where
# internal/pgtest finds it; the tests run their own unprivileged
# instances, never the cluster the package sets up.
need_postgres() {
  ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
if need_postgres; then
  echo "== installing postgresql (the PostgreSQL store tests run a private instance)"
  apt_install postgresql
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "== installing systemd (TestSystemdUnit checks the unit with systemd-analyze)"
  apt_install systemd
fi
# The tests skip without Dovecot, PostgreSQL, systemd-analyze or the
# corpora only when run by hand on a machine that lacks them; here they are
# installed (the corpora are checked out beside the repository), so make a
# missing one a failure.
export MAILFLOW_REQUIRE_DOVECOT=1
export MAILFLOW_REQUIRE_POSTGRES=1
export MAILFLOW_REQUIRE_SYSTEMD=1
export MAILFLOW_REQUIRE_CORPORA=1

echo "== gofmt, go vet"
unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
  echo "not gofmt-formatted (run gofmt -w on them):"; echo "$unformatted"; exit 1
fi
go vet ./...
# Pinned: v0.8.2 supports Go 1.26. It reports deprecated calls, unused
# code and likely bugs that go vet does not.
echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "== go test"
go test -count=1 ./...
# The packages where goroutines meet (a batch handled while the next is
# fetched, moves on a second connection, faults cut mid-command, the
# in-process servers and the fault proxy) run again under the race detector.
echo "== go test -race (intake, daemon, inproc, faultnet)"
go test -race -count=1 ./mailflow/intake/ ./mailflow/daemon/ ./mailflow/inproc/ ./mailflow/internal/faultnet/
echo "== fuzz (brief)"
# A count, not a duration: Go 1.26's fuzz coordinator can fail a target with
# "context deadline exceeded" when a duration runs out while a worker is
# busy (go.dev/issue/75804, fixed in Go 1.27); a count has no deadline.
FUZZTIME="${FUZZTIME:-20000x}" "$(dirname "$0")/fuzz.sh"
echo "== all tests passed"
