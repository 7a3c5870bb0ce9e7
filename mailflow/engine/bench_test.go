package engine_test

import (
	"context"
	"fmt"
	"testing"

	"mailflow/mailflow/engine"
)

// benchMix is the intake benchmark's mix: one minutes mail (5 recipients)
// for every nine replies that each earn an ack; b.N distinct messages, so
// none is skipped as seen before.
func benchMix(b *testing.B) (*harness, [][]byte) {
	t := &testing.T{}
	h := newHarness(t)
	h.t = t
	h.minutes()
	minutes := h.minutesMailTo(bob)
	raws := make([][]byte, 0, b.N)
	for i := 0; i < b.N; i++ {
		if i%10 == 0 {
			// A meeting a day, as a project has them (at most).
			h.clock.set(h.clock.now().AddDate(0, 0, 1))
			raws = append(raws, h.raw(msg{from: chair, subject: fmt.Sprintf("Minutes: bench %d", i), body: sampleMinutes}))
		} else {
			raws = append(raws, h.raw(h.replyTo(minutes, bob, fmt.Sprintf("A-2 progress %d%%", i%100))))
		}
	}
	// A generous limit, so that most replies are still answered.
	h.cfg.Security.ReplyRateLimit = 100
	return h, raws
}

// BenchmarkHandle measures the engine alone, one message per transaction.
func BenchmarkHandle(b *testing.B) {
	h, raws := benchMix(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.deliverRaw(raws[i])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkHandleBatch measures the engine alone as intake drives it: 100
// messages per transaction, their mail rendered in the background.
func BenchmarkHandleBatch(b *testing.B) {
	h, raws := benchMix(b)
	const size = 100
	var batch []engine.Delivery
	// Intake hands batches a context that shutdown cancels; so does this.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.uid++
		batch = append(batch, engine.Delivery{Mailbox: "INBOX", UIDValidity: 7, UID: h.uid, Raw: raws[i]})
		if len(batch) == size || i == b.N-1 {
			if _, err := h.eng.HandleBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
