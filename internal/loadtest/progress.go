package loadtest

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// progress prints what the harness is doing while it runs: a line when a
// step starts and, during a load, one a second with the counts so far.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

func newProgress(w io.Writer) *progress {
	if w == nil {
		w = io.Discard
	}
	return &progress{w: w, start: time.Now()}
}

func (p *progress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%5.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// watch prints status() every second until the returned stop is called.
func (p *progress) watch(name string, status func() string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				p.printf("  %s: %s", name, status())
			}
		}
	}()
	return func() { cancel(); <-done }
}

func formatTally(ok, refused, failed, transport int64) string {
	return fmt.Sprintf("%d ok, %d refused (503), %d failed, %d transport errors", ok, refused, failed, transport)
}
