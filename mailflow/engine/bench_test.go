package engine_test

import (
	"fmt"
	"testing"
)

// BenchmarkHandle measures the engine alone on the intake benchmark's mix:
// one minutes mail (5 recipients) for every nine replies that each earn
// an ack.
func BenchmarkHandle(b *testing.B) {
	t := &testing.T{}
	h := newHarness(t)
	h.t = t
	h.minutes()
	minutes := h.minutesMailTo(bob)
	raws := make([][]byte, 0, 1000)
	for i := 0; i < 1000; i++ {
		if i%10 == 0 {
			raws = append(raws, h.raw(msg{from: chair, subject: fmt.Sprintf("Minutes: bench %d", i), body: sampleMinutes}))
		} else {
			raws = append(raws, h.raw(h.replyTo(minutes, bob, fmt.Sprintf("A-2 progress %d%%", i%100))))
		}
	}
	// A generous limit, so that most replies are still answered.
	h.cfg.Security.ReplyRateLimit = 100
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.deliverRaw(raws[i%len(raws)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
