package daemon

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	if got := TuneGC(); got != GCPercent {
		t.Errorf("without GOGC: target %d, want %d", got, GCPercent)
	}
	if cur := debug.SetGCPercent(100); cur != GCPercent {
		t.Errorf("runtime target %d after TuneGC, want %d", cur, GCPercent)
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
