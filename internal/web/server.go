// Package web is Padlock's HTTP surface: the server-rendered admin screens
// and a small JSON API over the same services.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/docs"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configures a Server.
type Options struct {
	DB            *store.DB
	Auth          *auth.Service
	Admin         *admin.Service
	Docs          *docs.Service
	Logger        *slog.Logger
	SecureCookies bool // the public URL is https
	TrustProxy    bool // client address from X-Forwarded-For
	Registry      *prometheus.Registry
	SSO           *sso.Service
	// DBTimeout bounds each request's database work: past it the request
	// ends in 503. Zero means config.Default's 5 seconds.
	DBTimeout time.Duration
	// APIRateLimit is how many requests one API key may make per
	// RateWindow, across every node; zero means DefaultAPIRateLimit.
	APIRateLimit int
}

// Server holds what the handlers need; one per process (tests start two).
type Server struct {
	db      *store.DB
	auth    *auth.Service
	admin   *admin.Service
	docs    *docs.Service
	logger  *slog.Logger
	assets  *Assets
	pages   *pages
	metrics *metrics
	opts    Options
	handler http.Handler
	avail   availability
	// refusals samples the log lines of 503 answers; outages those of the
	// errors behind them when the database is out of reach.
	refusals, outages refusalLog
	// unavailableAnswers are the 503 answers written at start-up
	// (unavailable.go).
	unavailableAnswers map[unavailableKey][]byte
	// formPages are the patterns of the pages forms are on, which give
	// back a form held by MFA (held.go).
	formPages map[string]bool
}

// New builds the server, parsing every template, so a broken one stops the
// program before it serves anything.
func New(o Options) (*Server, error) {
	assets, err := LoadAssets()
	if err != nil {
		return nil, err
	}
	if o.DBTimeout <= 0 {
		o.DBTimeout = 5 * time.Second
	}
	s := &Server{db: o.DB, auth: o.Auth, admin: o.Admin, docs: o.Docs, logger: o.Logger, assets: assets, opts: o}
	s.avail.probeEvery.Store(int64(DefaultProbeInterval))
	s.refusals.message, s.outages.message = "request refused: unavailable", "unavailable"
	s.writeUnavailableAnswers()
	if s.pages, err = parsePages(assets); err != nil {
		return nil, err
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
		s.opts.Registry = o.Registry
	}
	s.metrics = newMetrics(o.Registry, o.Auth.Hasher)
	mux := http.NewServeMux()
	rs := s.routes()
	if s.formPages, err = formPages(rs); err != nil {
		return nil, err
	}
	for _, rt := range rs {
		if rt.access.kind == accessUnset {
			return nil, fmt.Errorf("web: route %s %s has no access class", rt.method, rt.path)
		}
		mux.Handle(rt.method+" "+rt.path, s.guard(rt))
	}
	s.handler = s.middleware(s.withNotFoundPage(mux))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// middleware applies what every request gets: security headers, a bounded
// body, the cross-origin check on unsafe methods, recovery and a log line.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusForbidden, "This form was sent from another site and was refused.")
	}))
	allowSSOPosts(cop)
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h := rec.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		if s.opts.SecureCookies {
			// Once a browser has seen Padlock over https, it never tries
			// plain http for it again, so no one on the path can strip TLS.
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		// The database never holds a request longer than this: a stalled
		// database ends in 503, not in a hung connection. (A copy of the
		// request, so the mux sets the pattern the log line reads on it.)
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.DBTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		r.Body = http.MaxBytesReader(rec, r.Body, maxBody)
		defer func() {
			if v := recover(); v != nil {
				s.logger.Error("panic", "route", r.Pattern, "panic", v)
				s.renderError(rec, r, http.StatusInternalServerError, "Internal error.")
			}
			s.logRequest(r, rec.status, time.Since(start))
		}()
		if s.avail.stopped.Load() && r.URL.Path != "/healthz" {
			s.unavailable(rec, r, schemaTooNewMessage)
			return
		}
		protected.ServeHTTP(rec, r)
	})
}

const maxBody = 1 << 20

// schemaTooNewMessage is what a node stopped by StopServing tells everyone.
const schemaTooNewMessage = "Padlock is being upgraded. Please try again in a moment."

// withNotFoundPage shows Padlock's 404 page where the mux finds no route,
// while keeping its 405 answers for a known path with the wrong method:
// as they are for pages, in the API's error shape under /api/ (with the
// mux's Allow header).
func (s *Server) withNotFoundPage(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &notFoundProbe{ResponseWriter: w, api: isAPI(r)}
		mux.ServeHTTP(probe, r)
		switch {
		case probe.notFound:
			s.notFound(w, r)
		case probe.notAllowed:
			writeAPIError(w, http.StatusMethodNotAllowed, padlock.Errorf(padlock.EMETHOD,
				"This endpoint does not take %s: the Allow header lists the methods it takes.", r.Method))
		}
	})
}

// notFoundProbe swallows the mux's plain-text 404 so a page can replace
// it, and under /api/ its plain-text 405.
type notFoundProbe struct {
	http.ResponseWriter
	api                  bool
	notFound, notAllowed bool
}

func (p *notFoundProbe) WriteHeader(code int) {
	switch {
	case code == http.StatusNotFound:
		p.notFound = true
		return
	case code == http.StatusMethodNotAllowed && p.api:
		p.notAllowed = true
		return
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *notFoundProbe) Write(b []byte) (int, error) {
	if p.notFound || p.notAllowed {
		return len(b), nil
	}
	return p.ResponseWriter.Write(b)
}

// logRequest logs the route pattern, never the path: paths may carry
// single-use tokens.
func (s *Server) logRequest(r *http.Request, status int, d time.Duration) {
	pattern := r.Pattern
	if pattern == "" {
		pattern = "unmatched"
	}
	s.metrics.observe(pattern, status, d)
	if pattern == "GET /static/{file...}" || pattern == "GET /metrics" || pattern == "GET /healthz" {
		return
	}
	if status == http.StatusServiceUnavailable {
		s.refusals.note(s.logger, pattern, nil)
		return
	}
	s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("route", pattern), slog.Int("status", status),
		slog.Int64("duration_ms", d.Milliseconds()), slog.String("address", s.clientAddress(r)))
}

// refusalLog writes one line a second, at most, about requests answered
// 503: under overload, or while the database is out of reach, a line per
// request would cost more than the answer itself and bury everything
// else. The metrics still count each one.
type refusalLog struct {
	message string // the line's message
	mu      sync.Mutex
	last    time.Time
	skipped int
	now     func() time.Time // time.Now when nil
}

// note logs a refusal on route, with the error that caused it if any,
// unless a line was written less than a second ago.
func (l *refusalLog) note(logger *slog.Logger, route string, err error) {
	l.mu.Lock()
	now := time.Now()
	if l.now != nil {
		now = l.now()
	}
	if now.Sub(l.last) < time.Second {
		l.skipped++
		l.mu.Unlock()
		return
	}
	skipped := l.skipped
	l.last, l.skipped = now, 0
	l.mu.Unlock()
	attrs := []slog.Attr{slog.String("route", route), slog.Int("status", http.StatusServiceUnavailable), slog.Int("refusals_not_logged_since_last_line", skipped)}
	if err != nil {
		attrs = append(attrs, slog.Any("err", err))
	}
	logger.LogAttrs(context.Background(), slog.LevelWarn, l.message, attrs...)
}

type statusRecorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
