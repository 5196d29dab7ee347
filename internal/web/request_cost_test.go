package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// countedGet serves GET path with the cookie in process, through the whole
// server (middleware, access check, handler, page), and returns the answer
// and the statements the store ran for it.
func countedGet(t testing.TB, a *testenv.TestApp, path string, cookie *http.Cookie) (*httptest.ResponseRecorder, int64) {
	t.Helper()
	var n atomic.Int64
	req := httptest.NewRequestWithContext(store.CountStatements(t.Context(), &n), http.MethodGet, a.URL+path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	a.Web.ServeHTTP(w, req)
	return w, n.Load()
}

// A signed-in page reads its session, user, account, portal and any held
// form in one statement, whatever the surface; a page that reads nothing
// of its own costs exactly that. Once a minute a session also records its
// activity, for the idle limit: a second statement, on that request only.
func TestASignedInRequestCostsOneStatement(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		staff := &http.Cookie{Name: "padlock_session", Value: admin.CookieValue("padlock_session")}
		_, _ = portalWithUser(t, a, admin, org, "cy@client.test", padlock.RoleLite)
		client := a.NewClient()
		portalSignIn(t, client, "cy@client.test")
		portal := &http.Cookie{Name: "padlock_portal_session", Value: client.CookieValue("padlock_portal_session")}

		for _, tc := range []struct {
			path   string
			cookie *http.Cookie
		}{
			{"/settings", staff},         // a form page: it would give back a held form
			{"/api/v1/me", staff},        // the API with a session
			{"/portal/settings", portal}, // a portal user, with their portal
		} {
			w, n := countedGet(t, a, tc.path, tc.cookie)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: %d\n%.400s", tc.path, w.Code, w.Body)
			}
			if n != 1 {
				t.Errorf("GET %s ran %d statements, want 1: the session, user, account, portal and held form in one", tc.path, n)
			}
		}

		// A request made with an API key finds the key, counts it against
		// the key's rate limit and reads its account in one statement.
		maker, err := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		key := "pdk_" + strings.Repeat("c", 43)
		k := &padlock.APIKey{AccountID: maker.User.AccountID, Name: "cost", Prefix: key[:12], Access: padlock.APIRead, CreatedBy: maker.User.ID, CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateAPIKey(t.Context(), k, auth.HashToken(key)); err != nil {
			t.Fatal(err)
		}
		var n atomic.Int64
		req := httptest.NewRequestWithContext(store.CountStatements(t.Context(), &n), http.MethodGet, a.URL+"/api/v1/me", nil)
		req.Header.Set("X-Api-Key", key)
		w := httptest.NewRecorder()
		a.Web.ServeHTTP(w, req)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"Acme IT"`) || n.Load() != 1 {
			t.Errorf("GET /api/v1/me with a key: %d, %d statements; want 200 with the account and 1 statement\n%s", w.Code, n.Load(), w.Body)
		}

		// A minute on, the next request also records the session's
		// activity, and the one after reads again alone.
		a.Clock.Advance(time.Minute)
		if w, n := countedGet(t, a, "/settings", staff); w.Code != http.StatusOK || n != 2 {
			t.Errorf("GET /settings a minute on: %d, %d statements; want 200 and 2 (the read, and the activity recorded)", w.Code, n)
		}
		s, err := a.DB.Conn().SessionByTokenHash(t.Context(), auth.HashToken(staff.Value))
		if err != nil || !s.LastSeenAt.Equal(a.Clock.Now()) {
			t.Errorf("the session's activity is not recorded: %+v, %v; want last seen at %s", s, err, a.Clock.Now())
		}
		if w, n := countedGet(t, a, "/settings", staff); w.Code != http.StatusOK || n != 1 {
			t.Errorf("GET /settings right after: %d, %d statements; want 200 and 1", w.Code, n)
		}

		// Without a session nothing is read, and a token of no session
		// costs its one look-up.
		if w, n := countedGet(t, a, "/settings", nil); w.Code != http.StatusSeeOther || n != 0 {
			t.Errorf("GET /settings without a session: %d, %d statements; want a redirect and none", w.Code, n)
		}
		if w, n := countedGet(t, a, "/settings", &http.Cookie{Name: "padlock_session", Value: "no-such-session"}); w.Code != http.StatusSeeOther || n != 1 {
			t.Errorf("GET /settings with a token of no session: %d, %d statements; want a redirect and 1", w.Code, n)
		}
	})
}

// An overloaded node refuses a sign-in before anything else: no statement,
// no sign-in page, the short page written at start-up with Retry-After, on
// either surface. Its log gets a line a second at most, counting the
// refusals it did not log, and its metrics count every one.
func TestAnOverloadedNodeRefusesSignInsWithAShortStaticAnswer(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		fillHashQueue(t, a.Auth.Hasher)

		const refusals = 40
		start := time.Now()
		for i := range refusals {
			path := "/login"
			if i%2 == 1 {
				path = "/portal/login"
			}
			w, n := countedPost(t, a, path, "email=admin%40acme.test&password=wrong")
			body := w.Body.String()
			switch {
			case w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "5":
				t.Fatalf("POST %s while the hash queue is full: %d, Retry-After %q; want 503 with Retry-After 5", path, w.Code, w.Header().Get("Retry-After"))
			case n != 0:
				t.Fatalf("POST %s refused after %d statements, want none", path, n)
			case !strings.Contains(body, auth.ErrBusy.Message) || strings.Contains(body, "<form") || len(body) > 2048:
				t.Fatalf("POST %s: the refusal is not the short page saying Padlock is busy (%d bytes):\n%s", path, len(body), body)
			case !strings.Contains(body, `href="`+strings.TrimSuffix(path, "login")+`"`):
				t.Fatalf("POST %s: the refusal does not lead back to its own surface:\n%s", path, body)
			}
		}
		elapsed := time.Since(start)

		var lines, counted int
		for _, line := range strings.Split(a.Log.String(), "\n") {
			if strings.Contains(line, "status=503") && !strings.Contains(line, "request refused: unavailable") {
				t.Errorf("a refusal logged a line of its own: %s", line)
			}
			_, skipped, ok := strings.Cut(line, "refusals_not_logged_since_last_line=")
			if !ok {
				continue
			}
			k, err := strconv.Atoi(strings.Fields(skipped)[0])
			if err != nil {
				t.Fatalf("unreadable count in %q", line)
			}
			lines, counted = lines+1, counted+1+k
		}
		if lines == 0 || lines > 1+int(elapsed/time.Second) || counted > refusals {
			t.Errorf("%d refusals in %s gave %d log lines standing for %d refusals; want one line a second at most, counting no more than were refused:\n%s",
				refusals, elapsed, lines, counted, a.Log.String())
		}
		_, _, metrics := a.NewClient().Get(t, "/metrics")
		for _, route := range []string{"POST /login", "POST /portal/login"} {
			if want := fmt.Sprintf(`padlock_http_requests_total{code="503",route=%q} %d`, route, refusals/2); !strings.Contains(metrics, want) {
				t.Errorf("the metrics do not count every refusal: no %s", want)
			}
		}

		// The API's 503 is its JSON error, with Retry-After too.
		a.Web.StopServing()
		w, _ := countedGet(t, a, "/api/v1/me", nil)
		var out struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != http.StatusServiceUnavailable || out.Error.Code != padlock.EUNAVAILABLE ||
			w.Header().Get("Retry-After") != "5" || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("GET /api/v1/me on a node that stopped serving: %d %q, Retry-After %q: %s (%v)", w.Code, w.Header().Get("Content-Type"), w.Header().Get("Retry-After"), w.Body, err)
		}
	})
}

// countedPost sends a form as a same-origin browser would, in process, and
// returns the answer and the statements the store ran for it.
func countedPost(t testing.TB, a *testenv.TestApp, path, form string) (*httptest.ResponseRecorder, int64) {
	t.Helper()
	var n atomic.Int64
	req := httptest.NewRequestWithContext(store.CountStatements(t.Context(), &n), http.MethodPost, a.URL+path, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", a.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	w := httptest.NewRecorder()
	a.Web.ServeHTTP(w, req)
	return w, n.Load()
}
