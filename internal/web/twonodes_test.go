package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Two nodes over one PostgreSQL share every piece of sign-in state.
func TestTwoNodesShareSessionsAndAttemptCounts(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t, "postgres")
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	one := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	two := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	one.CreateAccount(t, "Acme IT", "admin@acme.test")

	t.Run("a session started on one node works on the other", func(t *testing.T) {
		c := one.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		onTwo := sameCookiesOn(t, c, two.URL)
		if status, _, _ := onTwo.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("node two: %d", status)
		}
		t.Run("and signing out on one ends it on the other", func(t *testing.T) {
			if status, _, _ := c.PostForm(t, "/logout", nil); status != http.StatusSeeOther {
				t.Fatalf("sign out: %d", status)
			}
			if status, _, _ := onTwo.Get(t, "/organizations"); status != http.StatusSeeOther {
				t.Fatalf("node two still accepts the session: %d", status)
			}
		})
	})

	t.Run("failed attempts on both nodes add up to a lockout", func(t *testing.T) {
		bad := url.Values{"email": {"admin@acme.test"}, "password": {"not-the-password"}}
		for i := 0; i < 10; i++ {
			node := one
			if i%2 == 1 {
				node = two
			}
			node.NewClient().PostForm(t, "/login", bad)
		}
		for _, node := range []*testenv.TestApp{one, two} {
			if status, _, _ := node.NewClient().PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}}); status != http.StatusUnauthorized {
				t.Fatalf("the right password worked on a node after 10 failures across both: %d", status)
			}
		}
	})
}

// sameCookiesOn returns a client for another node carrying c's session.
func sameCookiesOn(t *testing.T, c *testenv.Client, base string) *testenv.Client {
	t.Helper()
	other := testenv.NewClientFor(base)
	u, _ := url.Parse(base)
	other.Jar.SetCookies(u, []*http.Cookie{{Name: "padlock_session", Value: c.CookieValue("padlock_session"), Path: "/"}})
	return other
}
