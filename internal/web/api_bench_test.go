package web_test

import (
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// BenchmarkUsersListJSONAndHTML reads every page of a 10,000-user staff
// list, in process: the JSON API with a key (100 a page, by cursor; each
// request also counts against the key's rate limit in the database) and
// Account > Users with a session (its own pages, by key). It logs the p99
// of a page of each and the ratio JSON ÷ HTML of the same run.
//
//	go test -run '^$' -bench UsersListJSONAndHTML -benchtime 3x ./internal/web/
func BenchmarkUsersListJSONAndHTML(b *testing.B) {
	for _, d := range testenv.Dialects {
		if d == store.Postgres && os.Getenv(testenv.PostgresURLEnv) == "" {
			continue
		}
		b.Run(string(d), func(b *testing.B) {
			a := testenv.StartApp(b, string(d), testenv.Options{APIRateLimit: 1_000_000})
			admin := a.CreateAccount(b, "Acme IT", "admin@acme.test")
			seedStaff(b, a, admin.AccountID, 10_000)
			key := "pdk_" + strings.Repeat("k", 43)
			k := &padlock.APIKey{AccountID: admin.AccountID, Name: "bench", Prefix: key[:12], Access: padlock.APIRead, CreatedBy: admin.ID, CreatedAt: a.Clock.Now()}
			if err := a.DB.Conn().CreateAPIKey(b.Context(), k, auth.HashToken(key)); err != nil {
				b.Fatal(err)
			}
			c := a.NewClient()
			c.SignIn(b, "admin@acme.test", testenv.Password)
			cookie := &http.Cookie{Name: "padlock_session", Value: c.CookieValue("padlock_session")}

			serve := func(path string, withKey bool) (*httptest.ResponseRecorder, time.Duration) {
				req := httptest.NewRequest(http.MethodGet, a.URL+path, nil)
				if withKey {
					req.Header.Set("X-Api-Key", key)
				} else {
					req.AddCookie(cookie)
				}
				w := httptest.NewRecorder()
				start := time.Now()
				a.Web.ServeHTTP(w, req)
				return w, time.Since(start)
			}
			var jsonPages, htmlPages []time.Duration
			for b.Loop() {
				jsonPages = append(jsonPages, readAllJSON(b, serve)...)
				htmlPages = append(htmlPages, readAllHTML(b, serve)...)
			}
			j, h := p99(jsonPages), p99(htmlPages)
			b.ReportMetric(float64(j.Microseconds()), "json-p99-µs")
			b.ReportMetric(float64(h.Microseconds()), "html-p99-µs")
			b.Logf("%s, 10,000 users: JSON p99 %v a page (%d pages), HTML p99 %v a page (%d pages), JSON ÷ HTML %.2f",
				d, j, len(jsonPages), h, len(htmlPages), float64(j)/float64(h))
		})
	}
}

type serveFunc func(path string, withKey bool) (*httptest.ResponseRecorder, time.Duration)

func readAllJSON(b *testing.B, serve serveFunc) []time.Duration {
	var out []time.Duration
	path, n := "/api/v1/users?limit=100", 0
	for {
		w, took := serve(path, true)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, w.Code, w.Body.String())
		}
		out = append(out, took)
		var page struct {
			Users      []json.RawMessage
			NextCursor *string `json:"next_cursor"`
		}
		json.Unmarshal(w.Body.Bytes(), &page)
		n += len(page.Users)
		if page.NextCursor == nil {
			break
		}
		path = "/api/v1/users?limit=100&cursor=" + url.QueryEscape(*page.NextCursor)
	}
	if n != 10_001 {
		b.Fatalf("JSON listed %d users", n)
	}
	return out
}

func readAllHTML(b *testing.B, serve serveFunc) []time.Duration {
	var out []time.Duration
	path := "/account/users"
	for path != "" {
		w, took := serve(path, false)
		if w.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, w.Code, w.Header().Get("Location"))
		}
		out = append(out, took)
		path = pageLink(w.Body.String(), "next")
	}
	return out
}

func p99(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)*99)/100]
}

// seedStaff gives the account n staff users in two statements, a tenth of
// them without MFA, over a connection of the benchmark's own.
func seedStaff(b *testing.B, a *testenv.TestApp, accountID int64, n int) {
	b.Helper()
	driver, dsn := "pgx", a.Config.DatabaseURL
	if a.DB.Dialect() == store.SQLite {
		driver, dsn = "sqlite", "file:"+filepath.Join(a.Config.DataDir, "padlock.db")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $2)
		INSERT INTO users (account_id, email, name, role, status, created_at)
		SELECT $1, 'user' || (100000 + i) || '@example.test', 'User ' || i, 'editor', 'active', 1700000000 FROM seq`, accountID, n); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO totp_factors (user_id, secret, last_step, confirmed_at)
		SELECT id, $2, 0, 1700000000 FROM users WHERE account_id = $1 AND portal_id IS NULL AND email LIKE 'user%' AND id % 10 <> 0`, accountID, []byte("x")); err != nil {
		b.Fatal(err)
	}
}
