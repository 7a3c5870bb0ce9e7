package engine_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"mailflow/mailflow/config"
	"mailflow/mailflow/engine"
	"mailflow/store"
)

// benchMix is the intake benchmark's mix: one minutes mail (5 recipients)
// for every nine replies that each earn an ack; b.N distinct messages, so
// none is skipped as seen before. The minutes carry the DKIM pass of the
// project's mail server, as the chair's would, so they are published, not
// held for confirmation. Each message is to be handled at its own time
// (a meeting a day), as in life: handled all at the end, the replies'
// reply address would have expired and they would be ignored.
func benchMix(b *testing.B) (*harness, []benchMessage) {
	b.Helper()
	// The replies all answer the first minutes' mail: its reply address
	// must outlive the stream (a day per ten messages).
	h := newHarness(b, func(c *configT) { c.Security.ReplyTokenDays = config.MaxReplyTokenDays })
	h.minutes()
	minutes := h.minutesMailTo(bob)
	stream := make([]benchMessage, 0, b.N)
	for i := 0; i < b.N; i++ {
		var raw []byte
		if i%10 == 0 {
			// A meeting a day, as a project has them (at most).
			h.clock.set(h.clock.now().AddDate(0, 0, 1))
			raw = h.raw(msg{from: chair, subject: fmt.Sprintf("Minutes: bench %d", i), body: sampleMinutes, signed: true})
		} else {
			raw = h.raw(h.replyTo(minutes, bob, fmt.Sprintf("A-2 progress %d%%", i%100)))
		}
		stream = append(stream, benchMessage{raw: raw, at: h.clock.now()})
	}
	// A generous limit, so that most replies are still answered.
	h.cfg.Security.ReplyRateLimit = 100
	return h, stream
}

// benchMessage is a message of the mix and the time it arrives.
type benchMessage struct {
	raw []byte
	at  time.Time
}

// BenchmarkHandle measures the engine alone, one message per transaction.
func BenchmarkHandle(b *testing.B) {
	h, stream := benchMix(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.clock.set(stream[i].at)
		h.deliverRaw(stream[i].raw)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	requireProcessed(b, h, b.N)
}

// BenchmarkHandleBatch measures the engine alone as intake drives it: 100
// messages per transaction, their mail rendered in the background.
func BenchmarkHandleBatch(b *testing.B) {
	h, stream := benchMix(b)
	const size = 100
	var batch []engine.Delivery
	// Intake hands batches a context that shutdown cancels; so does this.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.uid++
		batch = append(batch, engine.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: h.uid, Raw: stream[i].raw})
		if len(batch) == size || i == b.N-1 {
			h.clock.set(stream[i].at) // a batch is handled when its last message has arrived
			if _, err := h.eng.HandleBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	requireProcessed(b, h, b.N)
}

// requireProcessed fails the benchmark unless the engine processed all n
// messages of the mix (beside the harness's first minutes): a benchmark of
// messages refused, held or skipped would measure the wrong path.
func requireProcessed(b *testing.B, h *harness, n int) {
	b.Helper()
	b.StopTimer()
	counts, err := h.st.CountMessages(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if got := counts[store.OutcomeProcessed]; got != n+1 {
		b.Fatalf("%d messages processed, want %d (outcomes %v)", got, n+1, counts)
	}
}

// BenchmarkMinutesSize measures what one minutes mail costs as it grows:
// minutes with 10, 100 and 1,000 action items (a risk for every ten) and
// at the default item cap (security.max_items, 500), each handled in its
// own transaction and mailed to the five people of the roster, one owning
// a fifth of the items. The cost should grow linearly with the items:
// per-item (µs/item) and allocated bytes per item (B/item) stay flat. The
// minutes are authenticated (published, not held) and each is a new
// meeting on a new day. Every item is due, so every reader but one gets a
// calendar of their own.
func BenchmarkMinutesSize(b *testing.B) {
	for _, n := range []int{10, 100, config.DefaultMaxItems, 1000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			h := newHarness(b, func(c *configT) { c.Security.MaxItems = max(n, config.DefaultMaxItems) })
			owners := []string{"Priya", "Alice", "Bob", "Carol", "Alice"}
			stream := make([]benchMessage, 0, b.N)
			for i := 0; i < b.N; i++ {
				h.clock.set(h.clock.now().AddDate(0, 0, 1))
				var body strings.Builder
				body.WriteString("Attendees: Priya Shah, Alice Moreau, Bob Okafor, Carol Nguyen\r\n\r\nDECISION: Go-live stays on 2027-02-01.\r\n\r\n")
				due := h.clock.now().AddDate(0, 0, 14).Format("2006-01-02")
				for k := range n {
					fmt.Fprintf(&body, "ACTION: %s to check interface message type %d of meeting %d by %s\r\n", owners[k%len(owners)], k+1, i, due)
				}
				for k := range n / 10 {
					fmt.Fprintf(&body, "RISK: message type %d may fail validation (likelihood medium, impact high) mitigation: vendor fix; owner Bob\r\n", k+1)
				}
				raw := h.raw(msg{from: chair, subject: fmt.Sprintf("Minutes: interface review %d", i), body: body.String(), signed: true})
				stream = append(stream, benchMessage{raw: raw, at: h.clock.now()})
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			resetPeakRSS(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.clock.set(stream[i].at)
				if res := h.deliverRaw(stream[i].raw); res.Outcome != store.OutcomeProcessed {
					b.Fatalf("minutes %d: %s (%s), want processed", i, res.Outcome, res.Reason)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(per/float64(n)/1e3, "µs/item")
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N*n), "B/item")
			// The heap the runtime holds at the end: what handling minutes
			// this size needs, at most, beside the harness.
			b.ReportMetric(float64(after.HeapSys)/(1<<20), "MB-heap-sys")
			b.ReportMetric(peakRSS(b), "MB-peak-RSS")
			items, err := h.st.Items(context.Background(), store.ItemFilter{})
			if err != nil {
				b.Fatal(err)
			}
			if len(items) != n*b.N {
				b.Fatalf("%d items recorded, want %d", len(items), n*b.N)
			}
		})
	}
}

// resetPeakRSS starts the process's peak resident set (VmHWM) again from
// what it holds now, so that each size's peak is its own (Linux: writing
// 5 to clear_refs).
func resetPeakRSS(b *testing.B) {
	b.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset (%v): it is the process's whole run", err)
	}
}

// peakRSS is the process's peak resident set since resetPeakRSS, in MB:
// the harness (its SQLite database, the parsed corpus) included.
func peakRSS(b *testing.B) float64 {
	b.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var n float64
			if _, err := fmt.Sscanf(strings.TrimSpace(kb), "%f kB", &n); err != nil {
				b.Fatalf("VmHWM %q: %v", kb, err)
			}
			return n / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
