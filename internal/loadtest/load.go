package loadtest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// minCallsPerWorker is how many calls each worker of a closed loop makes
// even past the deadline: on a loaded machine a short phase still measures
// something (two calls cover both kinds of a phase that alternates).
const minCallsPerWorker = 2

// closedLoop runs workers that each call do again as soon as it returns,
// until d has passed (and each has made minCallsPerWorker calls) or limit
// calls have started. A call that started in time runs to its end; the
// elapsed time returned includes it. A worker stops early when do returns
// an error (for example, no user left).
func closedLoop(ctx context.Context, workers int, d time.Duration, limit int64, do func(ctx context.Context, worker int) error) time.Duration {
	var (
		calls atomic.Int64
		wg    sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil && (n < minCallsPerWorker || time.Now().Before(deadline)) && calls.Add(1) <= limit; n++ {
				if do(ctx, w) != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// openLoop starts do perSecond times a second for d, each call in its own
// goroutine, whether or not earlier calls have finished: the load of many
// independent users. At most maxInFlight calls run at once; arrivals beyond
// that are not sent and are counted as dropped. It returns when every call
// has finished.
func openLoop(ctx context.Context, perSecond float64, d time.Duration, maxInFlight int, do func(ctx context.Context)) (sent, dropped int64) {
	// At least one call: a rate measured on a starved machine can be so low
	// that a short phase would otherwise send nothing and measure nothing.
	n := max(1, int64(perSecond*d.Seconds()))
	interval := time.Duration(float64(time.Second) / perSecond)
	slots := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		if !sleepUntil(ctx, start.Add(time.Duration(i)*interval)) {
			break
		}
		select {
		case slots <- struct{}{}:
			sent++
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				do(ctx)
			}()
		default:
			dropped++
		}
	}
	wg.Wait()
	return sent, dropped
}

// sleepUntil waits for t; false means ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}
