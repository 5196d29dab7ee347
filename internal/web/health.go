package web

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only while this node should get traffic: it is not
// draining, its release knows the database's schema (else the middleware
// answers), the database answers and it takes writes (a full disk still
// answers a ping).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.avail.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	err := s.db.Ping(ctx) // cheap, on every call
	if err == nil {
		err = s.avail.probe(ctx, s) // a write, at most once per interval
	}
	if err != nil {
		s.logger.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// DefaultProbeInterval is how long /readyz reuses the answer of its write
// probe, so load balancers polling every node do not become write load.
const DefaultProbeInterval = 5 * time.Second

// availability is what decides whether this node serves: the drain flag,
// the stop that a newer schema causes, and the cached write probe.
type availability struct {
	draining   atomic.Bool
	stopped    atomic.Bool
	probeEvery atomic.Int64 // time.Duration

	mu      sync.Mutex
	probed  time.Time
	probeOK error
}

// probe upserts the readiness row at most once per interval and returns the
// last result in between. Callers wait for one probe in flight rather than
// starting their own.
func (a *availability) probe(ctx context.Context, s *Server) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.probed.IsZero() && time.Since(a.probed) < time.Duration(a.probeEvery.Load()) {
		return a.probeOK
	}
	err := s.db.Conn().ProbeWrite(ctx, time.Now())
	if err != nil && errors.Is(err, context.Canceled) {
		return err // the caller left; this says nothing about the database
	}
	a.probed, a.probeOK = time.Now(), err
	return err
}

// SetProbeInterval sets how long /readyz reuses its write probe's answer
// (0: probe on every call). Tests shorten it.
func (s *Server) SetProbeInterval(d time.Duration) { s.avail.probeEvery.Store(int64(d)) }

// Drain makes /readyz fail from now on, so load balancers take this node
// out while the requests in flight finish. The node calls it first on
// shutdown.
func (s *Server) Drain() { s.avail.draining.Store(true) }

// StopServing makes every request but /healthz answer 503 from now on: the
// node has found its database migrated by a newer release, whose rules it
// does not know. There is no way back but a restart with that release.
func (s *Server) StopServing() { s.avail.stopped.Store(true) }

// Stopped tells whether StopServing was called.
func (s *Server) Stopped() bool { return s.avail.stopped.Load() }
