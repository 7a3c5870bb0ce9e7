package daemon

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	if got := TuneGC(); got != GCPercent {
		t.Errorf("without GOGC: target %d, want %d", got, GCPercent)
	}
	if cur := debug.SetGCPercent(100); cur != GCPercent {
		t.Errorf("runtime target %d after TuneGC, want %d", cur, GCPercent)
	}
	if lim := debug.SetMemoryLimit(-1); lim != MemoryLimit {
		t.Errorf("memory limit %d after TuneGC, want %d", lim, MemoryLimit)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetMemoryLimit(1 << 30) // what the runtime read from GOMEMLIMIT at start
	TuneGC()
	if lim := debug.SetMemoryLimit(-1); lim != 1<<30 {
		t.Errorf("memory limit %d with GOMEMLIMIT=1GiB, want it left alone", lim)
	}
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50) // what the runtime read from GOGC at start
	if got := TuneGC(); got != 50 {
		t.Errorf("with GOGC=50: target %d, want 50 (the environment wins)", got)
	}
	if cur := debug.SetGCPercent(100); cur != 50 {
		t.Errorf("runtime target %d, want 50 left alone", cur)
	}
}
