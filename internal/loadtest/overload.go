package loadtest

import (
	"context"
	"fmt"
	"time"
)

// maxInFlight bounds the overload's concurrent attempts on the client side.
const maxInFlight = 2000

// overloads offers sign-ins at a multiple of the measured rate, with the
// server's default queue and then with each extra queue length asked for
// (restarting the node for each).
func (s *singleRun) overloads(ctx context.Context) error {
	queues := append([]int{0}, s.opts.OverloadQueues...)
	for i, q := range queues {
		if i > 0 {
			if err := s.restartNode(ctx, q); err != nil {
				return err
			}
		}
		f, err := s.overload(ctx, q)
		if err != nil {
			return err
		}
		s.report.Overload = append(s.report.Overload, f)
	}
	return nil
}

// restartNode replaces the node with one whose hash queue is queue.
func (s *singleRun) restartNode(ctx context.Context, queue int) error {
	s.client.Close()
	if err := s.node.Stop(); err != nil {
		return err
	}
	c := s.nodeConfig(fmt.Sprintf("node-queue-%d", queue))
	c.HashQueue = queue
	node, err := s.startNode(ctx, c)
	if err != nil {
		return err
	}
	s.node, s.client = node, NewClient(node.URL, 256)
	s.idleRSS, _ = residentMiB(node.PID())
	return nil
}

// overload runs one open-loop overload and summarizes it.
func (s *singleRun) overload(ctx context.Context, queue int) (OverloadFigures, error) {
	offered := s.opts.Overload * s.report.SignIns.PerSecond
	if offered <= 0 {
		return OverloadFigures{}, fmt.Errorf("no sign-in rate to overload")
	}
	if queue == 0 {
		queue = s.nodeSettings().HashQueue
	}
	c := NewClient(s.node.URL, maxInFlight)
	defer c.Close()
	s.p.printf("overload: %.0f sign-ins/s offered (%.0f× the measured rate) for %s, hash queue %d", offered, s.opts.Overload, s.opts.Duration, queue)
	load := &signInLoad{}
	w := watch(s.node)
	stop := s.p.watch("overload", load.status())
	takeCtx, cancel := context.WithTimeout(ctx, s.opts.Duration)
	defer cancel()
	start := time.Now()
	sent, dropped := openLoop(ctx, offered, s.opts.Duration, maxInFlight, func(ctx context.Context) {
		if u, step, err := s.keys.Take(takeCtx); err == nil {
			load.record(SignIn(ctx, c, u, step))
		}
	})
	load.elapsed = time.Since(start)
	stop()
	peak, goroutines := w.finish()
	if dropped > 0 {
		s.p.printf("  %d arrivals not sent: the client already had %d attempts in flight", dropped, maxInFlight)
	}
	slowest, was := load.slowestAnswer()
	return OverloadFigures{Multiple: s.opts.Overload, HashQueue: queue, OfferedPerSec: offered, AcceptedPerSec: load.perSecond(), Sent: sent,
		Refused: load.refused.summary(), Accepted: load.total.summary(), AcceptedPwd: load.password.summary(),
		Failed: load.tally.failed.Load(), Transport: load.tally.transport.Load(),
		PeakRSS: peak, IdleRSS: s.idleRSS, MaxGoroutines: goroutines,
		AcceptedGoal: 3*s.report.Hash.Each + 50, RSSBound: 1.25 * s.report.SignIns.PeakRSS,
		Goodput: ratio(load.perSecond(), s.report.Hash.PerSecond), SlowestAnswer: slowest, SlowestAnswerWas: was}, nil
}
