package engine

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallel calls f(0), …, f(n-1) on as many goroutines as there are CPUs
// and returns when all have returned. f must not touch the database: the
// transaction belongs to the goroutine that called parallel.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		})
	}
	wg.Wait()
}
