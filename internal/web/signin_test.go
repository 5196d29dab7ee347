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

func TestTheSetupLinkWorksOnceAndThenThePageIsGone(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		token, err := a.Auth.IssueSetupToken(t.Context())
		if err != nil || token == "" {
			t.Fatalf("setup token %q, %v", token, err)
		}
		c := a.NewClient()
		if status, _, body := c.Get(t, "/setup/"+token); status != http.StatusOK || !strings.Contains(body, "Create account") {
			t.Fatalf("setup page: %d", status)
		}
		if status, _, _ := c.Get(t, "/setup/not-the-token"); status != http.StatusOK {
			t.Fatalf("before setup the page shows for any link and checks the token on submit, got %d", status)
		}
		form := url.Values{"account": {"Acme IT"}, "name": {"Ada"}, "email": {"ada@acme.test"}, "password": {testenv.Password}}
		if status, _, _ := c.PostForm(t, "/setup/wrong-token", form); status != http.StatusNotFound {
			t.Fatalf("a wrong setup token was accepted: %d", status)
		}
		if status, loc, _ := c.PostForm(t, "/setup/"+token, form); status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("setup: %d %q", status, loc)
		}
		if status, _, _ := c.PostForm(t, "/setup/"+token, form); status != http.StatusNotFound {
			t.Fatalf("setup link worked twice: %d", status)
		}
		if status, _, _ := c.Get(t, "/setup/"+token); status != http.StatusNotFound {
			t.Fatalf("setup page still there: %d", status)
		}
		c.SignIn(t, "ada@acme.test", testenv.Password)
	})
}

func TestEveryRefusedSignInGetsTheSameAnswer(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin, "gone@acme.test", padlock.RoleEditor)
		if err := a.Admin.Deactivate(t.Context(), actor(admin), userID(t, a, "gone@acme.test")); err != nil {
			t.Fatal(err)
		}
		a.Admin.Invite(t.Context(), actor(admin), 0, []string{"invited@acme.test"}, padlock.RoleLite)
		cases := []struct{ name, email, password string }{
			{"an unknown email", "nobody@acme.test", testenv.Password},
			{"a wrong password", "admin@acme.test", "wrong-password-entirely"},
			{"a deactivated user", "gone@acme.test", testenv.Password},
			{"an invited user", "invited@acme.test", testenv.Password},
			{"a malformed email", "not an email", testenv.Password},
			{"empty fields", "", ""},
		}
		var first string
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := a.NewClient()
				status, _, body := c.PostForm(t, "/login", url.Values{"email": {tc.email}, "password": {tc.password}})
				if status != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", status)
				}
				msg := between(body, `id="signin-error">`, "<")
				if first == "" {
					first = msg
				}
				if msg != first || msg == "" {
					t.Fatalf("message %q, the first case said %q", msg, first)
				}
				if c.CookieValue("padlock_session") != "" {
					t.Fatal("a refused sign-in set a session cookie")
				}
			})
		}
	})
}

func TestSignInIssuesANewTokenAndSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		// A token planted before sign-in is not adopted (no fixation).
		u, _ := url.Parse(a.URL)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "padlock_session", Value: "planted-by-an-attacker", Path: "/"}})
		c.SignIn(t, "admin@acme.test", testenv.Password)
		token := c.CookieValue("padlock_session")
		if token == "" || token == "planted-by-an-attacker" || len(token) != 43 {
			t.Fatalf("session token %q", token)
		}
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("signed in, /organizations: %d", status)
		}
		stolen := testenv.NewClientFor(a.URL)
		stolen.Jar.SetCookies(u, []*http.Cookie{{Name: "padlock_session", Value: token, Path: "/"}})
		if status, loc, _ := c.PostForm(t, "/logout", nil); status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("sign out: %d %q", status, loc)
		}
		if status, loc, _ := stolen.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("a copy of the signed-out token still works: %d", status)
		}
	})
}

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	req, _ := http.NewRequest("POST", a.URL+"/login", strings.NewReader(url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var found bool
	for _, ck := range resp.Cookies() {
		if ck.Name == "padlock_session" {
			found = true
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
				t.Fatalf("cookie flags: %+v", ck)
			}
		}
	}
	if !found {
		t.Fatal("no session cookie")
	}
}

func TestAForeignSiteCannotPostAForm(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	req, _ := http.NewRequest("POST", a.URL+"/organizations", strings.NewReader("name=Evil+Corp"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if status, _, _ := c.Do(t, req); status != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", status)
	}
	if status, _, body := c.Get(t, "/organizations"); status != 200 || strings.Contains(body, "Evil Corp") {
		t.Fatal("the cross-site form created an organization")
	}
}

func TestTheIdleTimeoutIsEnforcedByTheServer(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		a.Clock.Advance(4*time.Hour + 59*time.Minute)
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("before the idle timeout: %d", status)
		}
		a.Clock.Advance(5*time.Hour + time.Second)
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther {
			t.Fatalf("after 5 idle hours: %d, want a redirect to sign in", status)
		}
	})
}

func TestLockoutAfterTenFailuresEmailsAnUnlockLink(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		for i := 0; i < 10; i++ {
			if status, _, _ := c.PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {"not-the-password"}}); status != 401 {
				t.Fatalf("attempt %d: %d", i, status)
			}
		}
		if status, _, _ := c.PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}}); status != 401 {
			t.Fatalf("the right password worked while locked: %d", status)
		}
		msg := a.SMTP.WaitFor(t, "admin@acme.test", "locked")
		token := testenv.LinkToken(t, msg.Body, "/unlock/")
		if status, _, _ := c.Get(t, "/unlock/"+token); status != 200 {
			t.Fatalf("unlock page: %d", status)
		}
		if status, _, _ := c.PostForm(t, "/unlock/"+token, nil); status != http.StatusSeeOther {
			t.Fatalf("unlock: %d", status)
		}
		c.SignIn(t, "admin@acme.test", testenv.Password)
		if status, _, _ := c.PostForm(t, "/unlock/"+token, nil); status != http.StatusNotFound {
			t.Fatalf("unlock link worked twice: %d", status)
		}
	})
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		return strings.TrimSpace(s[:j])
	}
	return s
}
