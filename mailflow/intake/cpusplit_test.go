package intake_test

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailflow/templates"
)

// cpuSplit is a CPU profile's time, in seconds, by the part of ingest that
// spent it. A sample counts for the first of these its stack reaches:
//
//   - render: turning template data into outbox mail (engine.compose and
//     the per-reader minutesMail data), templates and MIME building;
//   - store: the database (store, database/sql, go-sqlite3, pgx);
//   - read: fetching and reading the mail (intake, go-imap, go-message,
//     mailtext, the engine's read of minutes and replies);
//   - gc: the garbage collector's own workers;
//   - engine: the rest of handling (deciding, budgets, the audit);
//   - other: everything else (the runtime, the scheduler).
type cpuSplit map[string]float64

// cpuParts are cpuSplit's keys, in the order a report lists them.
var cpuParts = []string{"read", "store", "render", "engine", "gc", "other"}

// partOf names the part a stack (innermost frame first) belongs to.
func partOf(stack []string) string {
	has := func(prefixes ...string) bool {
		for _, f := range stack {
			for _, p := range prefixes {
				if strings.HasPrefix(f, p) {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("mailflow/mailflow/engine.(*Engine).compose", "mailflow/mailflow/engine.(*Engine).minutesMail",
		"mailflow/templates.", "mailflow/mailflow/compose."):
		return "render"
	case has("mailflow/store.", "database/sql.", "github.com/mattn/go-sqlite3.", "github.com/jmoiron/sqlx.",
		"github.com/jackc/"):
		return "store"
	case has("mailflow/mailflow/intake.", "github.com/emersion/go-imap", "github.com/emersion/go-message",
		"mailflow/mailflow/mailtext.", "mailflow/mailflow/engine.(*Engine).read"):
		return "read"
	case has("runtime.gcBgMarkWorker", "runtime.bgsweep", "runtime.bgscavenge"):
		return "gc"
	case has("mailflow/mailflow/engine."):
		return "engine"
	}
	return "other"
}

// splitProfile reads a CPU profile as runtime/pprof writes it (gzipped
// profile.proto) and adds up its CPU time by part. It decodes just the
// fields it needs, so the benchmark needs no profile library.
func splitProfile(data []byte) (cpuSplit, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	var (
		samples   [][]byte
		locations = map[uint64][]uint64{} // location id → function ids, innermost first
		functions = map[uint64]int64{}    // function id → string index of its name
		strs      []string
	)
	err = eachField(raw, func(num int, v uint64, b []byte) error {
		switch num {
		case 2:
			samples = append(samples, b)
		case 4:
			id, fns, err := readLocation(b)
			locations[id] = fns
			return err
		case 5:
			var id uint64
			var name int64
			err := eachField(b, func(num int, v uint64, _ []byte) error {
				switch num {
				case 1:
					id = v
				case 2:
					name = int64(v)
				}
				return nil
			})
			functions[id] = name
			return err
		case 6:
			strs = append(strs, string(b))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	split := cpuSplit{}
	for _, s := range samples {
		var locs, values []uint64
		err := eachField(s, func(num int, v uint64, b []byte) error {
			switch num {
			case 1:
				locs = appendVarints(locs, v, b)
			case 2:
				values = appendVarints(values, v, b)
			}
			return nil
		})
		if err != nil || len(values) == 0 {
			return nil, fmt.Errorf("cpu profile sample: %v", err)
		}
		var stack []string
		for _, l := range locs {
			for _, f := range locations[l] {
				if i := functions[f]; i >= 0 && int(i) < len(strs) {
					stack = append(stack, strs[i])
				}
			}
		}
		// A CPU profile's values are samples/count and cpu/nanoseconds.
		split[partOf(stack)] += float64(values[len(values)-1]) / 1e9
	}
	return split, nil
}

// readLocation returns a location's id and the functions of its lines.
func readLocation(b []byte) (uint64, []uint64, error) {
	var id uint64
	var fns []uint64
	err := eachField(b, func(num int, v uint64, line []byte) error {
		switch num {
		case 1:
			id = v
		case 4:
			return eachField(line, func(num int, v uint64, _ []byte) error {
				if num == 1 {
					fns = append(fns, v)
				}
				return nil
			})
		}
		return nil
	})
	return id, fns, err
}

// eachField calls f with each field of a protobuf message: its number and
// its value, v for a varint, b for a length-delimited field.
func eachField(b []byte, f func(num int, v uint64, b []byte) error) error {
	for len(b) > 0 {
		key, n := uvarint(b)
		if n <= 0 {
			return errors.New("bad field key")
		}
		b = b[n:]
		num, wire := int(key>>3), key&7
		var v uint64
		var body []byte
		switch wire {
		case 0:
			v, n = uvarint(b)
			if n <= 0 {
				return errors.New("bad varint")
			}
			b = b[n:]
		case 1:
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			b = b[8:]
		case 2:
			l, n := uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return errors.New("bad length")
			}
			body, b = b[n:n+int(l)], b[n+int(l):]
		case 5:
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			b = b[4:]
		default:
			return fmt.Errorf("wire type %d", wire)
		}
		if err := f(num, v, body); err != nil {
			return err
		}
	}
	return nil
}

// appendVarints appends a repeated varint field's values: one value, or
// (packed) a run of them.
func appendVarints(out []uint64, v uint64, packed []byte) []uint64 {
	if packed == nil {
		return append(out, v)
	}
	for len(packed) > 0 {
		x, n := uvarint(packed)
		if n <= 0 {
			break
		}
		out = append(out, x)
		packed = packed[n:]
	}
	return out
}

// uvarint decodes a varint; n <= 0 when b holds none.
func uvarint(b []byte) (uint64, int) { return binary.Uvarint(b) }

// TestSplitProfile profiles rendering minutes mail, then a busy loop of
// this test's own, and checks that splitProfile puts the first under
// render and the second under other.
func TestSplitProfile(t *testing.T) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("cannot profile (is -cpuprofile set?): %v", err)
	}
	set := templates.MustDefault()
	data := templates.Sample("minutes")
	// Each part runs for 300 ms of this process's CPU time, not of the
	// clock: on a loaded machine 300 ms of the clock may hold a few
	// samples only.
	for start := processCPU(t); processCPU(t)-start < 300*time.Millisecond; {
		if _, err := set.Render("minutes", data); err != nil {
			pprof.StopCPUProfile()
			t.Fatal(err)
		}
	}
	for start := processCPU(t); processCPU(t)-start < 300*time.Millisecond; {
		spin(10 * time.Millisecond)
	}
	pprof.StopCPUProfile()
	split, err := splitProfile(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("split %v", split)
	// At 100 samples a second, each part has ~30 samples: the machine is
	// shared, so ask for a third of that.
	if split["render"] < 0.1 || split["other"] < 0.1 {
		t.Errorf("splitProfile = %v, want ~0.3 s of render and ~0.3 s of other", split)
	}
	if split["store"] != 0 || split["read"] != 0 {
		t.Errorf("splitProfile = %v, want no store or read time", split)
	}
}

// processCPU is the CPU time this process has used, user and system.
func processCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// spin burns CPU for d in this package's own code.
//
//go:noinline
func spin(d time.Duration) int {
	n := 0
	for start := time.Now(); time.Since(start) < d; {
		for i := range 10000 {
			n += i ^ n
		}
	}
	return n
}
