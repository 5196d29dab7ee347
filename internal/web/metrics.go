package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(reg *prometheus.Registry, h *auth.Hasher) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "padlock_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "padlock_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "padlock_password_hashes_running", Help: "Password hashes being computed."},
			func() float64 { r, _ := h.InUse(); return float64(r) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "padlock_password_hashes_waiting", Help: "Password hashes waiting for a slot."},
			func() float64 { _, w := h.InUse(); return float64(w) }),
	)
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		// Already registered by a caller sharing the registry.
		_ = err
	}
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) {
	s.metrics.handler.ServeHTTP(w, r)
}
