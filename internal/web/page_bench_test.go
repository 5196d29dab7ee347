package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// BenchmarkAuthenticatedPage is the server's cost of one signed-in page
// (/settings), in process and without a network: the session, user and
// account look-ups, the decision, the template and the log line. Beside it,
// "bare" serves the same bytes from a handler that does nothing else, and
// the benchmark logs the page's time as a ratio of the bare handler's.
//
//	go test -run '^$' -bench AuthenticatedPage -benchtime 2s ./internal/web/
func BenchmarkAuthenticatedPage(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			a := testenv.StartApp(b, string(d), testenv.Options{})
			a.CreateAccount(b, "Acme IT", "admin@acme.test")
			c := a.NewClient()
			c.SignIn(b, "admin@acme.test", testenv.Password)
			cookie := &http.Cookie{Name: "padlock_session", Value: c.CookieValue("padlock_session")}
			get := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, a.URL+"/settings", nil)
				req.AddCookie(cookie)
				w := httptest.NewRecorder()
				a.Web.ServeHTTP(w, req)
				return w
			}
			page := get()
			if page.Code != http.StatusOK || !bytes.Contains(page.Body.Bytes(), []byte("admin@acme.test")) {
				b.Fatalf("GET /settings: %d", page.Code)
			}
			body, header := page.Body.Bytes(), page.Header()
			bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range header {
					w.Header()[k] = v
				}
				w.Write(body)
			})

			var pageNS, bareNS float64
			b.Run("page", func(b *testing.B) {
				for b.Loop() {
					if w := get(); w.Code != http.StatusOK {
						b.Fatalf("GET /settings: %d", w.Code)
					}
				}
				pageNS = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			})
			b.Run("bare", func(b *testing.B) {
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, a.URL+"/settings", nil)
					req.AddCookie(cookie)
					bare.ServeHTTP(httptest.NewRecorder(), req)
				}
				bareNS = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			})
			if pageNS > 0 {
				b.Logf("%s: page %.1f µs, bare %.1f µs, bare ÷ page %.2f", d, pageNS/1e3, bareNS/1e3, bareNS/pageNS)
			}
		})
	}
}
