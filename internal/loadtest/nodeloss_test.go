package loadtest_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/config"
	"github.com/padlock-mfa/padlock/internal/loadtest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Two nodes share one PostgreSQL behind a balancer that fails over. While
// sign-ins run, one node is stopped. No sign-in fails (a request that got
// no answer may be retried), and afterwards every session issued, by either
// node, still works through the balancer.
func TestNoSignInOrSessionIsLostWhenANodeStops(t *testing.T) {
	t.Parallel()
	dbURL, key := testenv.DatabaseURL(t, "postgres"), newSecretKey()
	one, two := startNode(t, dbURL, key), startNode(t, dbURL, key)
	fixture, err := loadtest.Seed(context.Background(), one.app, 400, 1)
	if err != nil {
		t.Fatal(err)
	}
	bal, err := loadtest.NewBalancer(one.url, two.url)
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(bal)
	t.Cleanup(front.Close)

	l := &signInRecord{client: loadtest.NewClient(front.URL, 32), keys: loadtest.NewKeyring(fixture.Users)}
	l.runWhile(t, 6, func() {
		l.waitForSignIns(t, 15)
		one.stop()
		t.Logf("node one stopped after %d sign-ins; balancer counts %v", l.count(), bal.Served())
		l.waitForSignIns(t, l.count()+15)
	})
	if len(l.failures) > 0 {
		t.Fatalf("%d sign-ins failed, first: %v", len(l.failures), l.failures[0])
	}
	if served := bal.Served(); served[0] == 0 || served[1] == 0 {
		t.Fatalf("both nodes should have answered requests: %v", served)
	}
	if bal.Failovers() == 0 {
		t.Fatal("no request met the stopped node: the test did not test failover")
	}
	t.Logf("%d sign-ins; %d requests failed over to node two; answered by node: %v; attempts retried after no answer: %q",
		l.count(), bal.Failovers(), bal.Served(), l.retried)
	checkSessionsWork(t, l.client, l.sessions)
}

// signInRecord runs sign-ins through the balancer and keeps what happened.
type signInRecord struct {
	client *loadtest.Client
	keys   *loadtest.Keyring

	mu       sync.Mutex
	sessions []string
	failures []error
	retried  []string // why each retried attempt got no answer
}

func (l *signInRecord) count() int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.sessions) }

// runWhile signs users in with workers until during returns (at most
// loadWait).
func (l *signInRecord) runWhile(t *testing.T, workers int, during func()) {
	ctx, cancel := context.WithTimeout(context.Background(), loadWait)
	defer cancel()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				l.signIn(ctx)
			}
		}()
	}
	during()
	cancel()
	wg.Wait()
}

// signIn signs the next user in, retrying an attempt that got no answer or
// the balancer's 502 (up to 3 times), and one the node refused with 503
// after a short wait, as a client told Retry-After would (for as long as the
// load lasts: how often a busy node refuses depends on the machine); then it
// records
// the outcome. Attempts cut short by the end of the load count for nothing.
// A retry starts afresh with a code not used yet: the attempt may have got
// as far as using its code before the answer was lost (on the page the
// sign-in lands on, say).
func (l *signInRecord) signIn(ctx context.Context) {
	var a loadtest.Attempt
	for try := 0; try < 4; {
		u, step, err := l.keys.Take(ctx)
		if err != nil {
			return
		}
		if a = loadtest.SignIn(ctx, l.client, u, step); ctx.Err() != nil {
			return
		}
		if a.Status == http.StatusServiceUnavailable {
			// One node now carries the load: wait for a slot.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if a.Outcome != loadtest.Transport && a.Status != http.StatusBadGateway {
			break
		}
		try++
		l.mu.Lock()
		l.retried = append(l.retried, fmt.Sprintf("status %d, %v", a.Status, a.Err))
		l.mu.Unlock()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if a.Outcome == loadtest.Accepted {
		l.sessions = append(l.sessions, a.Session)
	} else {
		l.failures = append(l.failures, a.Err)
	}
}

// loadWait bounds the sign-in load. Fifteen sign-ins take about a second
// on a quiet machine; the bound is long because a machine busy with other
// work can slow them many times over, and only a node that stops signing
// people in should fail the test.
const loadWait = 4 * time.Minute

// waitForSignIns waits until n sign-ins have succeeded (at most loadWait).
func (l *signInRecord) waitForSignIns(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(loadWait)
	for l.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d sign-ins after %v", l.count(), n, loadWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkSessionsWork opens an authenticated page with every session.
func checkSessionsWork(t *testing.T, c *loadtest.Client, sessions []string) {
	t.Helper()
	for i, s := range sessions {
		r, err := c.Get(context.Background(), "/organizations", s)
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("session %d of %d no longer works: %v, status %d", i+1, len(sessions), err, r.Status)
		}
	}
}

// node is a Padlock node in this process that the test can stop.
type node struct {
	app  *app.App
	url  string
	stop func()
}

// startNode starts a node with the production settings (hash parameters,
// concurrency and queue; the tests' bound on database work) on a loopback
// port; stop is graceful, as on SIGTERM.
func startNode(t *testing.T, dbURL, key string) *node {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DatabaseURL, cfg.DataDir, cfg.SecretKey, cfg.Listen, cfg.TrustProxy = dbURL, t.TempDir(), key, l.Addr().String(), true
	// The test is about failing over, not about deadlines: on a machine
	// starved by other work a queued sign-in can wait past the production
	// bound behind hashes that each take seconds, and refused again and
	// again, none would ever finish.
	cfg.DBTimeout = testenv.TestDBTimeout
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a.Start()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, l) }()
	stop := sync.OnceFunc(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	t.Cleanup(stop)
	return &node{app: a, url: "http://" + l.Addr().String(), stop: stop}
}

func newSecretKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}
