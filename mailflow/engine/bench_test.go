package engine_test

import (
	"context"
	"fmt"
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
