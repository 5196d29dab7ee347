package loadtest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
)

// singleNode measures the figures of one node with the server's default
// settings: H and sign-ins side by side, failed sign-ins, B and an
// authenticated page side by side, and the overload.
func (b *bench) singleNode(ctx context.Context) error {
	node, err := b.startNode(ctx, b.nodeConfig("node"))
	if err != nil {
		return err
	}
	bare, err := StartBare(ctx, filepath.Join(b.dir, "bare.log"))
	if err != nil {
		return err
	}
	b.atClose(func() { stopQuietly(bare) })
	defaults := b.nodeSettings()
	st := &b.report.Settings
	st.Clients, st.HashSlots, st.HashQueue = b.signInClients(defaults.HashConcurrency), defaults.HashConcurrency, defaults.HashQueue
	s := &singleRun{bench: b, node: node, bare: bare, client: NewClient(node.URL, 256)}
	s.idleRSS, _ = residentMiB(node.PID())
	defer func() { s.client.Close(); stopQuietly(s.node); stopQuietly(bare) }()
	for _, phase := range []func(context.Context) error{s.hashAndSignIns, s.failedSignIns, s.pages, s.overloads} {
		if err := phase(ctx); err != nil {
			return err
		}
	}
	return nil
}

// singleRun is the state of the single-node measurements.
type singleRun struct {
	*bench
	node, bare *Process
	client     *Client
	idleRSS    MiB
}

// per is the length of one round of a figure measured in rounds.
func (s *singleRun) per() time.Duration { return s.opts.Duration / time.Duration(s.opts.Rounds) }

// hashAndSignIns measures H and full sign-ins in alternating rounds, so
// both see the same machine, however busy it is with other work.
func (s *singleRun) hashAndSignIns(ctx context.Context) error {
	workers := runtime.NumCPU()
	h := auth.NewHasher(auth.DefaultHashParams, workers, 0)
	hash, err := h.Hash(ctx, Password)
	if err != nil {
		return err
	}
	var (
		hashes  int64
		hashFor time.Duration
		each    = &latencies{}
		load    = &signInLoad{keep: 4 * s.opts.PageClients}
		clients = s.report.Settings.Clients
		rounds  []float64
		cpu     []float64
	)
	w := watch(s.node)
	for r := 1; r <= s.opts.Rounds; r++ {
		s.p.printf("H, round %d of %d: argon2id verifications on %d cores for %s", r, s.opts.Rounds, workers, s.per())
		hashCPU := selfCPU()
		n, elapsed, err := verifyFor(ctx, h, hash, workers, s.per(), each)
		if err != nil {
			return err
		}
		hashCPU = selfCPU() - hashCPU
		hashes, hashFor = hashes+n, hashFor+elapsed
		s.p.printf("  H: %.1f/s, %.1f ms CPU each", rate(n, elapsed), ms(hashCPU)/float64(n))
		s.p.printf("sign-ins, round %d of %d: %d clients, the browser's five requests, for %s", r, s.opts.Rounds, clients, s.per())
		stop := s.p.watch("sign-ins", load.status())
		before, nodeCPU := load.tally.ok.Load(), s.nodeCPU()
		rounds = append(rounds, ratio(load.closed(ctx, s.client, s.keys, clients, s.per()), rate(n, elapsed)))
		signedIn, nodeCPU := load.tally.ok.Load()-before, s.nodeCPU()-nodeCPU
		stop()
		if signedIn > 0 && n > 0 && hashCPU > 0 {
			cpu = append(cpu, (ms(nodeCPU)/float64(signedIn))/(ms(hashCPU)/float64(n)))
			s.p.printf("  server CPU per sign-in: %.1f ms = %.2f × a hash's", ms(nodeCPU)/float64(signedIn), cpu[len(cpu)-1])
		}
	}
	peak, _ := w.finish()
	if load.tally.ok.Load() == 0 {
		return fmt.Errorf("no sign-in succeeded: %v", load.err())
	}
	s.report.Hash = HashFigures{PerSecond: rate(hashes, hashFor), Each: each.mean(), Workers: workers}
	s.report.SignIns = load.figures()
	s.report.SignIns.RatioToHash = ratio(s.report.SignIns.PerSecond, s.report.Hash.PerSecond)
	s.report.SignIns.RoundRatios, s.report.SignIns.MedianRatio = rounds, median(rounds)
	s.report.SignIns.RoundCPURatios, s.report.SignIns.CPURatio = cpu, median(cpu)
	s.report.SignIns.PeakRSS = peak
	s.sessions = load.sessions
	s.p.printf("  sign-ins %.1f/s = %.2f × H (%.1f/s); median of rounds %.2f", s.report.SignIns.PerSecond, s.report.SignIns.RatioToHash, s.report.Hash.PerSecond, s.report.SignIns.MedianRatio)
	return nil
}

// nodeCPU is the CPU the node has used so far, 0 when it cannot be read.
func (s *singleRun) nodeCPU() time.Duration {
	d, err := processCPU(s.node.PID())
	if err != nil {
		return 0
	}
	return d
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// verifyFor runs password verifications on workers goroutines for d.
func verifyFor(ctx context.Context, h *auth.Hasher, hash string, workers int, d time.Duration, each *latencies) (int64, time.Duration, error) {
	var (
		n       atomic.Int64
		failure atomic.Pointer[error]
	)
	elapsed := closedLoop(ctx, workers, d, maxCalls, func(ctx context.Context, _ int) error {
		start := time.Now()
		ok, _, err := h.Verify(ctx, hash, Password)
		if err == nil && !ok {
			err = errors.New("the password did not verify")
		}
		if err != nil {
			failure.Store(&err)
			return err
		}
		each.add(time.Since(start))
		n.Add(1)
		return nil
	})
	if e := failure.Load(); e != nil {
		return 0, 0, *e
	}
	return n.Load(), elapsed, nil
}

// knownFirst tells, as a coin drawn once per pair, whether the pair's known
// email goes second: a fixed mix of the pair's number (SplitMix64's), so
// that concurrent clients agree on it without sharing a generator.
func knownFirst(pair int64) bool {
	x := uint64(pair) + 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return (x^x>>31)&1 == 1
}

// failedSignIns measures refused sign-ins under load, then the latency of
// unknown and known emails one request at a time, when a difference would
// show most clearly.
func (s *singleRun) failedSignIns(ctx context.Context) error {
	var (
		seq                  atomic.Int64
		t, one               tally
		known, unknown       = &latencies{}, &latencies{}
		oneKnown, oneUnknown = &latencies{}, &latencies{}
		clients              = s.report.Settings.Clients
	)
	s.p.printf("failed sign-ins: %d clients, wrong passwords of known users and unknown emails, one of each per pair in random order, for %s", clients, s.opts.Duration)
	stop := s.p.watch("failed sign-ins", t.String)
	elapsed := closedLoop(ctx, clients, s.opts.Duration, maxCalls, func(ctx context.Context, _ int) error {
		return s.wrongPassword(ctx, seq.Add(1)-1, &t, known, unknown)
	})
	stop()
	s.p.printf("unknown vs known email, one request at a time, for %s", s.opts.Duration/2)
	// From an even number past the first part's, so that the first two
	// requests are a pair, one of each kind, and no unknown email repeats.
	seq.Store((seq.Load() + 2) &^ 1)
	closedLoop(ctx, 1, s.opts.Duration/2, maxCalls, func(ctx context.Context, _ int) error {
		return s.wrongPassword(ctx, seq.Add(1)-1, &one, oneKnown, oneUnknown)
	})
	s.report.Failed = FailedFigures{PerSecond: rate(t.ok.Load(), elapsed), Known: known.summary(), Unknown: unknown.summary(),
		OneKnown: oneKnown.summary(), OneUnknown: oneUnknown.summary(),
		Errors:       t.failed.Load() + t.transport.Load() + t.refused.Load() + one.failed.Load() + one.transport.Load() + one.refused.Load(),
		WrongAnswers: t.failed.Load() + one.failed.Load()}
	return nil
}

// wrongPassword sends the i-th refused sign-in: of each pair of requests
// (i/2), one for an unknown email and one with a wrong password for a known
// user, in an order drawn per pair. So the two kinds are sent as often, but
// not in turn: work that comes back every other request (a collection after
// about every second hash) would then always fall on the same kind and look
// like a leak.
func (s *singleRun) wrongPassword(ctx context.Context, i int64, t *tally, known, unknown *latencies) error {
	email, into := fmt.Sprintf("gone%05d@bench.test", i), unknown
	if (i%2 == 0) != knownFirst(i/2) {
		u, err := s.keys.TakeForWrongPassword()
		if err != nil {
			return err
		}
		email, into = u.Email, known
	}
	a := WrongPassword(ctx, s.client, email)
	t.count(a)
	if a.Outcome == Accepted {
		into.add(a.Total)
	}
	return nil
}
