package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// pagePath is the authenticated page: a full session checked in the
// database and the MFA policy evaluated, then a list rendered.
const pagePath = "/organizations"

// apiPath is an authenticated JSON answer: the same session check and
// policy, without an HTML page to render.
const apiPath = "/api/v1/me"

// pageLoad is a closed loop of GETs of one path, each worker with its own
// session (none for B).
type pageLoad struct {
	tally   tally
	lat     latencies
	elapsed time.Duration
	bytes   atomic.Int64
}

// run loads path for d and returns the rate of this run alone.
func (l *pageLoad) run(ctx context.Context, c *Client, path string, sessions []string, workers int, d time.Duration) float64 {
	before := l.tally.ok.Load()
	elapsed := closedLoop(ctx, workers, d, maxCalls, func(ctx context.Context, w int) error {
		session := ""
		if len(sessions) > 0 {
			session = sessions[w%len(sessions)]
		}
		l.get(ctx, c, path, session)
		return nil
	})
	l.elapsed += elapsed
	return rate(l.tally.ok.Load()-before, elapsed)
}

// get fetches path and counts the answer: 200 is the only right one.
func (l *pageLoad) get(ctx context.Context, c *Client, path, session string) {
	start := time.Now()
	r, err := c.Get(ctx, path, session)
	l.record(r, err, time.Since(start))
}

// record counts an answer that took took.
func (l *pageLoad) record(r Response, err error, took time.Duration) bool {
	switch {
	case err != nil:
		l.tally.transport.Add(1)
	case r.Status != http.StatusOK:
		l.tally.failed.Add(1)
	default:
		l.tally.ok.Add(1)
		l.lat.add(took)
		l.bytes.Store(r.Bytes)
		return true
	}
	return false
}

// absorb adds the answers of o, a run of its own, to l.
func (l *pageLoad) absorb(o *pageLoad) {
	l.tally.ok.Add(o.tally.ok.Load())
	l.tally.failed.Add(o.tally.failed.Load())
	l.tally.transport.Add(o.tally.transport.Load())
	l.lat.addAll(&o.lat)
	l.elapsed += o.elapsed
	if n := o.bytes.Load(); n > 0 {
		l.bytes.Store(n)
	}
}

func (l *pageLoad) perSecond() float64 { return rate(l.tally.ok.Load(), l.elapsed) }

func (l *pageLoad) errors() int64 {
	return l.tally.failed.Load() + l.tally.transport.Load() + l.tally.refused.Load()
}

// pages measures B and the authenticated page in alternating rounds, with
// the same client and the same number of workers.
func (s *singleRun) pages(ctx context.Context) error {
	if len(s.sessions) == 0 {
		return errors.New("no session to load the authenticated page with")
	}
	bare := NewClient(s.bare.URL, 256)
	defer bare.Close()
	// B serves the bytes of the page it is compared with.
	page, err := s.client.Body(ctx, pagePath, s.sessions[0])
	if err == nil {
		err = bare.Put(ctx, "/", page)
	}
	if err != nil {
		return fmt.Errorf("give the bare handler the page's bytes: %w", err)
	}
	var (
		b, auth, api     pageLoad
		bareCPU, authCPU cpuSplit
		rounds           []float64
		workers          = s.opts.PageClients
	)
	for r := 1; r <= s.opts.Rounds; r++ {
		s.p.printf("B, round %d of %d: GET / of a bare net/http handler serving the same bytes, %d clients, for %s", r, s.opts.Rounds, workers, s.per())
		stop := s.p.watch("B", b.tally.String)
		done := bareCPU.start(s.bare.PID(), &b)
		bareRate := b.run(ctx, bare, "/", nil, workers, s.per())
		done()
		stop()
		s.p.printf("authenticated page, round %d of %d: GET %s with %d sessions, for %s", r, s.opts.Rounds, pagePath, workers, s.per())
		stop = s.p.watch("page", auth.tally.String)
		done = authCPU.start(s.node.PID(), &auth)
		rounds = append(rounds, ratio(auth.run(ctx, s.client, pagePath, s.sessions, workers, s.per()), bareRate))
		done()
		stop()
		s.p.printf("authenticated JSON, round %d of %d: GET %s with %d sessions, for %s", r, s.opts.Rounds, apiPath, workers, s.per()/2)
		stop = s.p.watch("JSON", api.tally.String)
		api.run(ctx, s.client, apiPath, s.sessions, workers, s.per()/2)
		stop()
	}
	s.report.Pages = PageFigures{Path: pagePath, BarePerSec: b.perSecond(), AuthPerSec: auth.perSecond(),
		Ratio: ratio(auth.perSecond(), b.perSecond()), RoundRatios: rounds, MedianRatio: median(rounds), BareLatency: b.lat.summary(), AuthLatency: auth.lat.summary(),
		Errors: b.errors() + auth.errors() + api.errors(), BytesPerPage: auth.bytes.Load(),
		APIPath: apiPath, APIPerSec: api.perSecond(), APILatency: api.lat.summary(), APIRatio: ratio(api.perSecond(), b.perSecond()),
		ServerCPU: authCPU.server(), ClientCPU: authCPU.client(), BareServerCPU: bareCPU.server(), BareClientCPU: bareCPU.client()}
	s.p.printf("  B %.0f/s, page %.0f/s: %.2f × B (median of rounds %.2f)", b.perSecond(), auth.perSecond(), s.report.Pages.Ratio, s.report.Pages.MedianRatio)
	s.p.printf("  CPU per request, server and harness client: page %.0f and %.0f µs, B %.0f and %.0f µs",
		s.report.Pages.ServerCPU, s.report.Pages.ClientCPU, s.report.Pages.BareServerCPU, s.report.Pages.BareClientCPU)
	return nil
}

// cpuSplit adds up, over the rounds of one kind of request, the CPU its
// server process and this harness (the client) used and the requests they
// answered, so that a ratio of rates can be read as where the CPU went.
type cpuSplit struct {
	serverCPU, clientCPU time.Duration
	requests             int64
}

// start begins a round of load's requests to the process pid; the function
// it returns ends it.
func (c *cpuSplit) start(pid int, load *pageLoad) (done func()) {
	server, _ := processCPU(pid)
	self, before := selfCPU(), load.tally.ok.Load()
	return func() {
		after, err := processCPU(pid)
		if err != nil || server == 0 {
			return
		}
		c.serverCPU += after - server
		c.clientCPU += selfCPU() - self
		c.requests += load.tally.ok.Load() - before
	}
}

// server and client are the CPU per request, in µs.
func (c *cpuSplit) server() float64 { return perRequestMicros(c.serverCPU, c.requests) }
func (c *cpuSplit) client() float64 { return perRequestMicros(c.clientCPU, c.requests) }

func perRequestMicros(d time.Duration, n int64) float64 {
	if n == 0 {
		return 0
	}
	return float64(d) / float64(time.Microsecond) / float64(n)
}
