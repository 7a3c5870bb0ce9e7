package daemon

import (
	"math"
	"os"
	"runtime/debug"
)

// GCPercent is the garbage collector's target that mailflow runs with
// unless GOGC is set. Its live heap is small (about 10 MB) and nearly all it
// allocates is short-lived per message, so with Go's default of 100 a
// backlog spends some 15 % of its CPU collecting. At 300 the heap may grow
// to four times the live data instead of twice: measured with
// BenchmarkIngest, ingest is 15-25 % faster and peak RSS grows from ~38 to
// ~50 MB.
const GCPercent = 300

// MemoryLimit is the soft limit on the Go heap set with GCPercent (unless
// GOMEMLIMIT is set). Ordinary mail keeps the heap well under it, where
// GCPercent saves CPU; a backlog of large messages, or of minutes that
// each go to a large roster, has a live heap of tens of MB, which
// GCPercent alone would let grow four times over. Measured with
// BenchmarkIngest on 1,000 messages of which 100 carry 4 MB attachments:
// peak RSS 164 MB with a 256 MiB limit, 111 MB with 96 MiB, 95-101 MB with
// 80 MiB, 87 MB with this one; with BenchmarkIngestHeavy (12 mails a
// message): 101 MB with 80 MiB, 84 MB with 60 MiB, for 0.1 CPU-seconds
// more collecting per 1,000 messages (of 6.8).
const MemoryLimit = 64 << 20

// TuneGC sets the collector's target to GCPercent and its soft memory limit
// to MemoryLimit, each unless the environment chose one (GOGC, GOMEMLIMIT),
// and reports the target in force.
func TuneGC() int {
	if os.Getenv("GOMEMLIMIT") == "" && debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(MemoryLimit)
	}
	if v := os.Getenv("GOGC"); v != "" {
		old := debug.SetGCPercent(-1)
		debug.SetGCPercent(old)
		return old
	}
	debug.SetGCPercent(GCPercent)
	return GCPercent
}
