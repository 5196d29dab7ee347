package loadtest

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// maxCalls bounds every closed loop in count as well as in time.
const maxCalls = 5_000_000

// signInLoad gathers sign-in attempts over one or more runs of a load.
type signInLoad struct {
	tally    tally
	total    latencies // accepted sign-ins, both requests
	password latencies // accepted sign-ins, the password request alone
	refused  latencies // 503 answers
	elapsed  time.Duration

	mu       sync.Mutex
	sessions []string // the first keep sessions issued
	keep     int
	firstErr error
	slowest  Attempt // the attempt with the slowest single answer
}

func (l *signInLoad) record(a Attempt) {
	l.tally.count(a)
	l.mu.Lock()
	if a.Slowest > l.slowest.Slowest {
		l.slowest = a
	}
	l.mu.Unlock()
	switch a.Outcome {
	case Accepted:
		l.total.add(a.Total)
		l.password.add(a.Password)
		l.mu.Lock()
		if len(l.sessions) < l.keep {
			l.sessions = append(l.sessions, a.Session)
		}
		l.mu.Unlock()
	case Refused:
		l.refused.add(a.Password)
	default:
		l.mu.Lock()
		if l.firstErr == nil {
			l.firstErr = a.Err
		}
		l.mu.Unlock()
	}
}

// closed runs workers that sign users in, one after another, for d, and
// returns the rate of this run alone.
func (l *signInLoad) closed(ctx context.Context, c *Client, keys *Keyring, workers int, d time.Duration) float64 {
	takeCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	before := l.tally.ok.Load()
	elapsed := closedLoop(ctx, workers, d, maxCalls, func(ctx context.Context, _ int) error {
		u, step, err := keys.Take(takeCtx)
		if err != nil {
			return err
		}
		l.record(SignIn(ctx, c, u, step))
		return nil
	})
	l.elapsed += elapsed
	return rate(l.tally.ok.Load()-before, elapsed)
}

// perSecond is the rate of accepted sign-ins.
func (l *signInLoad) perSecond() float64 { return rate(l.tally.ok.Load(), l.elapsed) }

// status is the progress line of a running load that starts now.
func (l *signInLoad) status() func() string {
	start, before := time.Now(), l.tally.ok.Load()
	return func() string {
		return fmt.Sprintf("%s; %.1f/s", l.tally.String(), rate(l.tally.ok.Load()-before, time.Since(start)))
	}
}

// err reports the first failure, if any, for the progress output.
func (l *signInLoad) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.firstErr
}

// figures summarizes the load.
func (l *signInLoad) figures() SignInFigures {
	return SignInFigures{PerSecond: l.perSecond(), Latency: l.total.summary(), Password: l.password.summary(),
		Refused: l.tally.refused.Load(), Failed: l.tally.failed.Load(), Transport: l.tally.transport.Load()}
}

// slowestAnswer is the longest any single request of the load waited, and
// which request it was.
func (l *signInLoad) slowestAnswer() (Millis, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.slowest
	switch {
	case a.Slowest == 0:
		return 0, ""
	case a.SlowestStatus == 0:
		return toMillis(a.Slowest), a.SlowestStep + ", no answer"
	}
	return toMillis(a.Slowest), fmt.Sprintf("%s, status %d", a.SlowestStep, a.SlowestStatus)
}
