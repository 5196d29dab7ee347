package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// "Sign in with SSO" is offered only while some account has SSO on for an
// email domain; elsewhere it would lead nowhere.
func TestTheSignInPageOffersSSOOnlyWhereSomeAccountHasIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Beta IT", "admin@beta.test")
		offered := func() bool {
			t.Helper()
			_, _, body := a.NewClient().Get(t, "/login")
			return strings.Contains(body, `action="/sso"`)
		}
		if offered() {
			t.Fatal("SSO is offered on an installation where no account has it")
		}
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		if !offered() {
			t.Fatal("SSO is not offered once an account has it on")
		}
		s.saveOptions(t, url.Values{"jit_role": {"lite"}, "domains": {"acme.test"}})
		if offered() {
			t.Fatal("SSO is still offered after the only account with it turned it off")
		}
		if _, _, body := a.NewClient().Get(t, "/portal/login"); strings.Contains(body, `action="/sso"`) {
			t.Fatal("the portal's sign-in page offers the account's SSO")
		}
	})
}

var autofocused = regexp.MustCompile(`<input id="(\w+)"[^>]* autofocus`)

// After a refused sign-in the email stays filled in and the cursor waits
// in Password; on a fresh page it waits in Email.
func TestARefusedSignInPutsTheCursorInPassword(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		_, _, body := c.Get(t, "/login")
		if got := autofocused.FindAllStringSubmatch(body, -1); len(got) != 1 || got[0][1] != "email" {
			t.Fatalf("a fresh sign-in page focuses %v, want email", got)
		}
		_, _, body = c.PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {"not-the-password"}})
		if got := autofocused.FindAllStringSubmatch(body, -1); len(got) != 1 || got[0][1] != "password" {
			t.Fatalf("after a wrong password the page focuses %v, want password", got)
		}
		if !strings.Contains(body, `value="admin@acme.test"`) {
			t.Fatal("the email was not kept")
		}
	})
}

// A browser whose session ended without signing out (here by Reset MFA)
// lands on sign-in with a word on why. The words are Padlock's own: a
// cookie's value never becomes text on the page.
func TestASessionEndedElsewhereSaysYouWereSignedOut(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin, "lite@acme.test", padlock.RoleLite)
		ac := a.NewClient()
		ac.SignIn(t, "admin@acme.test", testenv.Password)
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		enableMFA(t, a, lite)
		postedTo(t, ac, "/account/users/"+itoa(userID(t, a, "lite@acme.test"))+"/reset-mfa", nil)

		status, loc, _ := lite.Get(t, "/organizations")
		if status != http.StatusSeeOther || loc != "/login?next=%2Forganizations" {
			t.Fatalf("after the reset: %d %q", status, loc)
		}
		_, _, body := lite.Get(t, loc)
		if !strings.Contains(body, `id="notice"`) || !strings.Contains(body, "You were signed out") {
			t.Fatal("the sign-in page does not say the session ended")
		}
		if lite.CookieValue("padlock_session") != "" {
			t.Fatal("the dead session's cookie was kept")
		}
		if _, _, body := lite.Get(t, "/login"); strings.Contains(body, "You were signed out") {
			t.Fatal("the notice outlived the cookie")
		}

		if _, _, body := a.NewClient().Get(t, "/login"); strings.Contains(body, "You were signed out") {
			t.Fatal("a browser that never signed in is told it was signed out")
		}
		ac.PostForm(t, "/logout", nil)
		if _, _, body := ac.Get(t, "/login"); strings.Contains(body, "You were signed out") || !strings.Contains(body, "You have signed out") {
			t.Fatal("signing out is not told apart from a session that ended")
		}

		forged := a.NewClient()
		u, _ := url.Parse(a.URL)
		forged.Jar.SetCookies(u, []*http.Cookie{{Name: "padlock_session", Value: "Your-account-is-suspended-call-555", Path: "/"}})
		if _, _, body := forged.Get(t, "/login"); strings.Contains(body, "suspended") || strings.Contains(body, "555") {
			t.Fatal("a cookie's value was shown on the page")
		}
	})
}
