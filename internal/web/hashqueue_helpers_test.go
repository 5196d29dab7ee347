package web_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
)

// fillHashQueue takes every hash slot of h and every place in its waiting
// line, so that the node refuses each password at once with auth.ErrBusy,
// until the test ends. Each place is taken by a goroutine of its own, and
// the line counts as full once a try that may not wait is refused.
func fillHashQueue(tb testing.TB, h *auth.Hasher) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	h.MaxWait = time.Hour // the waiting places hold until the test ends
	taken := 0
	for {
		if full(h) {
			break
		}
		taken++
		go func() {
			if release, err := h.Admit(ctx); err == nil {
				<-ctx.Done()
				release()
			}
			done <- struct{}{}
		}()
		// Wait for the goroutine to hold its place, running or waiting.
		for deadline := time.Now().Add(time.Minute); ; runtime.Gosched() {
			if running, waiting := h.InUse(); running+waiting == taken {
				break
			}
			if time.Now().After(deadline) {
				tb.Fatalf("the hash queue holds %d places, want %d", taken-1, taken)
			}
		}
	}
	tb.Cleanup(func() {
		cancel()
		for range taken {
			<-done
		}
	})
}

// full tells whether h refuses a hash that may not wait: a try with a
// context already ended is refused with ErrBusy only when the line is full,
// and otherwise gives its place back at once.
func full(h *auth.Hasher) bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	release, err := h.Admit(ctx)
	if err == nil {
		release() // a free slot was taken before the end was seen
	}
	return errors.Is(err, auth.ErrBusy)
}
