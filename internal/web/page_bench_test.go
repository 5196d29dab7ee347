package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// BenchmarkAuthenticatedPage is the server's cost of one signed-in page, in
// process and without a network: the session, user and account look-ups,
// the decision, the page's own query, the template and the log line. It
// measures /settings, a form, and /organizations with 20 rows, the page the
// load harness measures. Beside each, "bare" serves the same bytes from a
// handler that does nothing else, and the benchmark logs the page's time as
// a ratio of the bare handler's. "touch" is /settings for a session whose
// activity is due to be recorded on every request (the clock moves a
// minute each time): the worst case of the periodic write. Each reports
// the store's statements per request.
//
//	go test -run '^$' -bench AuthenticatedPage -benchtime 2s ./internal/web/
func BenchmarkAuthenticatedPage(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			a := testenv.StartApp(b, string(d), testenv.Options{})
			admin := a.CreateAccount(b, "Acme IT", "admin@acme.test")
			longSessions(b, a, admin.AccountID)
			for i := range 20 {
				if _, err := a.Docs.CreateOrganization(b.Context(), actor(admin), fmt.Sprintf("Client %03d", i)); err != nil {
					b.Fatal(err)
				}
			}
			c := a.NewClient()
			c.SignIn(b, "admin@acme.test", testenv.Password)
			cookie := &http.Cookie{Name: "padlock_session", Value: c.CookieValue("padlock_session")}
			var statements atomic.Int64
			ctx := store.CountStatements(context.Background(), &statements)
			for _, path := range []string{"/settings", "/organizations"} {
				b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
					benchmarkPage(b, a, ctx, &statements, path, cookie)
				})
			}
		})
	}
}

// benchmarkPage runs BenchmarkAuthenticatedPage for the page at path.
func benchmarkPage(b *testing.B, a *testenv.TestApp, ctx context.Context, statements *atomic.Int64, path string, cookie *http.Cookie) {
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, a.URL+path, nil)
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		a.Web.ServeHTTP(w, req)
		return w
	}
	page := get()
	if page.Code != http.StatusOK || !bytes.Contains(page.Body.Bytes(), []byte("admin@acme.test")) && !bytes.Contains(page.Body.Bytes(), []byte("Client 019")) {
		b.Fatalf("GET %s: %d", path, page.Code)
	}
	body, header := page.Body.Bytes(), page.Header()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Write(body)
	})
	measure := func(name string, touch bool) (nsPerOp float64) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			statements.Store(0)
			cpu := startCPU()
			for b.Loop() {
				if touch {
					a.Clock.Advance(time.Minute)
				}
				if w := get(); w.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", path, w.Code)
				}
			}
			cpu.report(b)
			nsPerOp = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(statements.Load())/float64(b.N), "stmts/op")
		})
		return nsPerOp
	}
	pageNS := measure("page", false)
	if path == "/settings" {
		measure("touch", true)
	}
	var bareNS float64
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		cpu := startCPU()
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, a.URL+path, nil)
			req.AddCookie(cookie)
			bare.ServeHTTP(httptest.NewRecorder(), req)
		}
		cpu.report(b)
		bareNS = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	if pageNS > 0 {
		b.Logf("%s: page %.1f µs, bare %.1f µs, bare ÷ page %.2f", path, pageNS/1e3, bareNS/1e3, bareNS/pageNS)
	}
}

// longSessions gives the account's sessions a lifetime of years, so a
// benchmark may move the clock a minute per request for as long as it runs.
func longSessions(b *testing.B, a *testenv.TestApp, accountID int64) {
	b.Helper()
	acct, err := a.DB.Conn().Account(b.Context(), accountID)
	if err != nil {
		b.Fatal(err)
	}
	acct.SessionIdle, acct.SessionLifetime = time.Hour, 100*365*24*time.Hour
	if err := a.DB.Conn().SaveAuthenticationSettings(b.Context(), acct); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRefusedSignIn is the server's cost of refusing a sign-in while
// its hash queue is full: the answer every request beyond capacity gets
// under overload. In process, as BenchmarkAuthenticatedPage.
//
//	go test -run '^$' -bench RefusedSignIn -benchtime 2s ./internal/web/
func BenchmarkRefusedSignIn(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			a := testenv.StartApp(b, string(d), testenv.Options{})
			a.CreateAccount(b, "Acme IT", "admin@acme.test")
			fillHashQueue(b, a.Auth.Hasher)
			var statements atomic.Int64
			ctx := store.CountStatements(context.Background(), &statements)
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				req := httptest.NewRequestWithContext(ctx, http.MethodPost, a.URL+"/login", strings.NewReader("email=admin%40acme.test&password=wrong"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				w := httptest.NewRecorder()
				a.Web.ServeHTTP(w, req)
				if w.Code != http.StatusServiceUnavailable {
					b.Fatalf("POST /login with the hash queue full: %d", w.Code)
				}
			}
			cpu.report(b)
			b.ReportMetric(float64(statements.Load())/float64(b.N), "stmts/op")
		})
	}
}

// processCPU is the CPU time the process has used, user and system, on
// every core: the requests, the garbage collector and the node's own
// background work. A database server in another process is not in it.
type processCPU time.Duration

func startCPU() processCPU { return processCPU(cpuTime()) }

// report gives the process's CPU time per iteration since start as the
// metric cpu-ns/op: unlike ns/op it does not count time waiting for a
// core that other processes on a shared machine hold.
func (start processCPU) report(b *testing.B) {
	b.ReportMetric(float64(cpuTime()-time.Duration(start))/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
