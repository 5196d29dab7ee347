package loadtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync/atomic"
	"time"
)

// Balancer is a small load balancer in Go, for the node-loss test and for
// the harness where nginx is not installed. It behaves like deploy/nginx.conf:
// least connections first; a backend that refuses connections is left out
// for a while; and a request moves on to the next backend only when it never
// reached the first (the connection was refused), which is the only case in
// which retrying a POST is safe. Connections to backends are not kept
// alive, so a stopping node cannot close one under a request.
type Balancer struct {
	backends  []*backend
	turn      atomic.Uint64
	failovers atomic.Int64
	proxy     *httputil.ReverseProxy
}

type backend struct {
	url       *url.URL
	active    atomic.Int64
	served    atomic.Int64
	downUntil atomic.Int64 // Unix nanoseconds
}

// downFor is how long a backend that refused a connection is left out.
const downFor = 2 * time.Second

// maxProxiedBody bounds the request bodies the balancer holds for a retry.
const maxProxiedBody = 1 << 20

// NewBalancer balances over the backends' base URLs.
func NewBalancer(backends ...string) (*Balancer, error) {
	b := &Balancer{}
	for _, s := range backends {
		u, err := url.Parse(s)
		if err != nil {
			return nil, err
		}
		b.backends = append(b.backends, &backend{url: u})
	}
	b.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetXForwarded()
			pr.Out.URL.Scheme, pr.Out.URL.Host, pr.Out.Host = "http", "backend", pr.In.Host
		},
		Transport: &failover{b: b, base: &http.Transport{DisableKeepAlives: true, ResponseHeaderTimeout: time.Minute}},
		// A failed request is a 502 for the client, which counts it; the
		// commonest, a client gone at the end of a load, is no news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	return b, nil
}

func (b *Balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) { b.proxy.ServeHTTP(w, r) }

// Served returns how many requests each backend has answered.
func (b *Balancer) Served() []int64 {
	out := make([]int64, len(b.backends))
	for i, be := range b.backends {
		out[i] = be.served.Load()
	}
	return out
}

// Failovers counts requests that a backend refused and another answered
// (or that found no backend at all).
func (b *Balancer) Failovers() int64 { return b.failovers.Load() }

// order lists the backends to try: those up before those down, fewest
// requests in flight first, ties taken in turn.
func (b *Balancer) order() []*backend {
	start := int(b.turn.Add(1))
	out := make([]*backend, len(b.backends))
	for i := range out {
		out[i] = b.backends[(start+i)%len(b.backends)]
	}
	now := time.Now().UnixNano()
	slices.SortStableFunc(out, func(x, y *backend) int {
		if dx, dy := x.downUntil.Load() > now, y.downUntil.Load() > now; dx != dy {
			if dx {
				return 1
			}
			return -1
		}
		return int(x.active.Load() - y.active.Load())
	})
	return out
}

// failover sends a request to the first backend that accepts a connection.
type failover struct {
	b    *Balancer
	base http.RoundTripper
}

func (f *failover) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	var last error
	for _, be := range f.b.order() {
		resp, err := f.try(be, req, body)
		if err == nil || !connectionRefused(err) {
			return resp, err
		}
		be.downUntil.Store(time.Now().Add(downFor).UnixNano())
		f.b.failovers.Add(1)
		last = err
	}
	return nil, fmt.Errorf("no backend accepted the connection: %w", last)
}

func (f *failover) try(be *backend, req *http.Request, body []byte) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Host = be.url.Host
	out.Body, out.ContentLength = http.NoBody, 0
	if len(body) > 0 {
		out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	be.active.Add(1)
	defer be.active.Add(-1)
	resp, err := f.base.RoundTrip(out)
	if err == nil {
		be.served.Add(1)
	}
	return resp, err
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(io.LimitReader(req.Body, maxProxiedBody+1))
	if len(b) > maxProxiedBody {
		return nil, errors.New("request body too large to proxy")
	}
	return b, err
}

// connectionRefused reports whether the request failed while connecting,
// so the backend never saw it.
func connectionRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
