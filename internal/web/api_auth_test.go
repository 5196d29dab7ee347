package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestAnAPIKeyOpensTheAPIByEitherHeader(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		var me struct {
			Account struct{ Name string }
			APIKey  *struct{ Name, Access string } `json:"api_key"`
		}
		x.call(t, x.readOnly, "GET", "/api/v1/me", "").json(t, &me)
		if me.Account.Name != "Acme IT" || me.APIKey == nil || me.APIKey.Name != "dashboard" || me.APIKey.Access != "read" {
			t.Fatalf("x-api-key: %+v", me)
		}
		req, _ := http.NewRequest("GET", x.a.URL+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+x.readWrite)
		if ans := doAPI(t, req); ans.status != http.StatusOK || !strings.Contains(ans.body, `"nightly-report"`) {
			t.Fatalf("Authorization: Bearer: %d %s", ans.status, ans.body)
		}
		for name, key := range map[string]string{
			"no key":                      "",
			"a key that is not one":       "pdk_" + strings.Repeat("A", 43),
			"a key of the wrong form":     "hunter2",
			"a key with a letter changed": x.readOnly[:len(x.readOnly)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(x.readOnly, "A")],
		} {
			if ans := x.call(t, key, "GET", "/api/v1/users", ""); ans.status != http.StatusUnauthorized || ans.errorCode(t) != padlock.EUNAUTHORIZED {
				t.Errorf("%s: %d %s", name, ans.status, ans.body)
			}
		}
	})
}

func TestAReadOnlyKeyIsRefusedEveryWrite(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		lite := x.a.AddUser(t, adminOf(t, x), "lite@acme.test", padlock.RoleLite)
		for _, r := range x.a.Web.RouteTable() {
			if !strings.HasPrefix(r.Path, "/api/") || r.Method == "GET" {
				continue
			}
			path := strings.NewReplacer("{id}", itoa(lite.ID), "{portal}", "1").Replace(r.Path)
			if ans := x.call(t, x.readOnly, r.Method, path, ""); ans.status != http.StatusForbidden || ans.errorCode(t) != padlock.EREADONLYKEY {
				t.Errorf("%s %s with a read-only key: %d %s", r.Method, r.Path, ans.status, ans.body)
			}
		}
	})
}

func adminOf(t *testing.T, x *apiAccount) *padlock.User {
	t.Helper()
	c, err := x.a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	return c.User
}

func TestAKeyThatExpiredOrWasRevokedIsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		if ans := x.call(t, x.readOnly, "GET", "/api/v1/me", ""); ans.status != http.StatusOK {
			t.Fatalf("before: %d", ans.status)
		}
		keys, _ := allKeys(t, x.a)
		for _, k := range keys {
			if k.Name == "dashboard" {
				x.admin.PostForm(t, "/account/api-keys/"+itoa(k.ID)+"/revoke", nil)
			}
		}
		if ans := x.call(t, x.readOnly, "GET", "/api/v1/me", ""); ans.status != http.StatusUnauthorized {
			t.Fatalf("a revoked key: %d", ans.status)
		}
		if ans := x.call(t, x.readWrite, "GET", "/api/v1/me", ""); ans.status != http.StatusOK {
			t.Fatalf("the other key: %d", ans.status)
		}
		x.a.Clock.Advance(90*24*time.Hour + time.Second) // the keys were made for 90 days
		if ans := x.call(t, x.readWrite, "GET", "/api/v1/me", ""); ans.status != http.StatusUnauthorized {
			t.Fatalf("an expired key: %d", ans.status)
		}
	})
}

// Revoking on one node is seen by the other at its next request: keys are
// read from the database on every request.
func TestARevokedKeyIsRefusedOnTheOtherNodeAtOnce(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t, "postgres")
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	one := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	two := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	one.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := one.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	enableMFA(t, one, c)
	key := createKey(t, c, "nightly-report", padlock.APIRead, "")
	if ans := callAPI(t, two.URL, key, "GET", "/api/v1/users", ""); ans.status != http.StatusOK {
		t.Fatalf("node two before: %d %s", ans.status, ans.body)
	}
	keys, _ := allKeys(t, one)
	if status, _, _ := c.PostForm(t, "/account/api-keys/"+itoa(keys[0].ID)+"/revoke", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", status)
	}
	if ans := callAPI(t, two.URL, key, "GET", "/api/v1/users", ""); ans.status != http.StatusUnauthorized {
		t.Fatalf("node two after the key was revoked on node one: %d", ans.status)
	}
}

// A session cookie works on the API under the same MFA decision as pages:
// a sign-in still waiting for its second factor reaches nothing.
func TestASessionOnTheAPIMeetsTheSameMFADecisionAsPages(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedOutWithMFA(t, d)
		passwordStep(t, c, "admin@acme.test")
		if status, _, body := c.Get(t, "/api/v1/users"); status != http.StatusUnauthorized || !strings.Contains(body, `"unauthorized"`) {
			t.Fatalf("after the password only: %d %s", status, body)
		}
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("second step: %d", status)
		}
		if status, _, body := c.Get(t, "/api/v1/users"); status != http.StatusOK || !strings.Contains(body, "admin@acme.test") {
			t.Fatalf("with MFA: %d %s", status, body)
		}
	})
}

func TestAKeysRequestsAreLimitedAcrossNodes(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t, "postgres")
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	one := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock, APIRateLimit: 4})
	two := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock, APIRateLimit: 4})
	one.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := one.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	enableMFA(t, one, c)
	key := createKey(t, c, "nightly-report", padlock.APIRead, "")
	other := createKey(t, c, "dashboard", padlock.APIRead, "")
	// Stand at the start of a window, so the test never straddles two.
	clock.Advance(time.Duration(300-clock.Now().Unix()%300) * time.Second)
	for i, node := range []*testenv.TestApp{one, two, one, two} {
		ans := callAPI(t, node.URL, key, "GET", "/api/v1/me", "")
		if ans.status != http.StatusOK || ans.header.Get("RateLimit-Limit") != "4" || ans.header.Get("RateLimit-Remaining") != itoa(int64(3-i)) || ans.header.Get("RateLimit-Reset") != "300" {
			t.Fatalf("request %d: %d, limit %q remaining %q reset %q", i+1, ans.status, ans.header.Get("RateLimit-Limit"), ans.header.Get("RateLimit-Remaining"), ans.header.Get("RateLimit-Reset"))
		}
	}
	clock.Advance(100 * time.Second)
	for _, node := range []*testenv.TestApp{one, two} {
		ans := callAPI(t, node.URL, key, "GET", "/api/v1/me", "")
		if ans.status != http.StatusTooManyRequests || ans.errorCode(t) != padlock.ERATELIMITED || ans.header.Get("Retry-After") != "200" || ans.header.Get("RateLimit-Remaining") != "0" {
			t.Fatalf("over the limit: %d, Retry-After %q\n%s", ans.status, ans.header.Get("Retry-After"), ans.body)
		}
	}
	if ans := callAPI(t, two.URL, other, "GET", "/api/v1/me", ""); ans.status != http.StatusOK {
		t.Fatalf("another key of the account: %d", ans.status)
	}
	clock.Advance(200 * time.Second)
	if ans := callAPI(t, two.URL, key, "GET", "/api/v1/me", ""); ans.status != http.StatusOK || ans.header.Get("RateLimit-Remaining") != "3" {
		t.Fatalf("in the next window: %d, remaining %q", ans.status, ans.header.Get("RateLimit-Remaining"))
	}
}

// A key's last use is recorded to the minute: a request moves it only when
// it is a minute old, so a busy script does not rewrite it every time.
func TestAKeysLastUseIsRecordedAtMostOnceAMinute(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		lastUsed := func() time.Time {
			keys, _ := allKeys(t, x.a)
			for _, k := range keys {
				if k.Name == "dashboard" {
					return k.LastUsedAt
				}
			}
			t.Fatal("no key")
			return time.Time{}
		}
		if !lastUsed().IsZero() {
			t.Fatal("used before any request")
		}
		x.call(t, x.readOnly, "GET", "/api/v1/me", "")
		first := lastUsed()
		if !first.Equal(x.a.Clock.Now()) {
			t.Fatalf("last used %v, want %v", first, x.a.Clock.Now())
		}
		x.a.Clock.Advance(59 * time.Second)
		x.call(t, x.readOnly, "GET", "/api/v1/me", "")
		if !lastUsed().Equal(first) {
			t.Fatal("moved within the minute")
		}
		x.a.Clock.Advance(time.Second)
		x.call(t, x.readOnly, "GET", "/api/v1/me", "")
		if !lastUsed().Equal(x.a.Clock.Now()) {
			t.Fatal("not moved after a minute")
		}
		if _, _, list := x.admin.Get(t, "/account/api-keys"); !strings.Contains(list, x.a.Clock.Now().UTC().Format("2 Jan 2006 15:04 UTC")) {
			t.Fatal("the list does not show the last use")
		}
	})
}

// A Manager's session on the API meets the rules of the screens: the
// Manager may reset a Lite user's MFA, not an Administrator's.
func TestAManagersSessionOnTheAPIKeepsTheScreensRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin0 := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin0, "max@acme.test", padlock.RoleManager)
		lite := a.AddUser(t, admin0, "lite@acme.test", padlock.RoleLite)
		c := a.NewClient()
		c.SignIn(t, "max@acme.test", testenv.Password)
		post := func(path string) int {
			req, _ := http.NewRequest("POST", a.URL+path, nil)
			req.Header.Set("Origin", a.URL)
			status, _, _ := c.Do(t, req)
			return status
		}
		if status := post("/api/v1/users/" + itoa(admin0.ID) + "/reset-mfa"); status != http.StatusForbidden {
			t.Fatalf("a Manager resetting an Administrator: %d", status)
		}
		if status := post("/api/v1/users/" + itoa(lite.ID) + "/reset-mfa"); status != http.StatusOK {
			t.Fatalf("a Manager resetting a Lite user: %d", status)
		}
		if status, _, _ := c.Get(t, "/account/api-keys"); status != http.StatusForbidden {
			t.Fatalf("a Manager on API keys: %d", status)
		}
	})
}
