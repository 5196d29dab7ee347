package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// While a portal's SSO is on, what leads its users to sign in leads to the
// portal's own sign-in page, the one with "Sign in with SSO": the links of
// their mails and the page after signing out. With SSO off, the portal's
// users get the portal surface's plain sign-in page again.
func TestAPortalWithSSOLeadsItsUsersToItsOwnSignInPage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newAccountOf(t, a, "Acme IT", "acme.test")
		idp := ssotest.Start(t, "idp-links", a.Clock.Now)
		p := newSSOPortal(t, acme, "Initech", "initech.test", idp, false)
		own := "/portal/login?sso=" + url.QueryEscape(p.publicID)
		boss, err := a.DB.Conn().CredentialsByEmail(t.Context(), "boss@initech.test")
		if err != nil {
			t.Fatal(err)
		}

		remind := fmt.Sprintf("/account/portals/%d/users/%d/remind", p.portal.ID, boss.User.ID)
		if msg, isErr := postFlash(t, acme.admin, remind); isErr {
			t.Fatalf("remind the portal user: %q", msg)
		}
		if m := a.SMTP.WaitFor(t, "boss@initech.test", "Reminder: set up MFA"); !strings.Contains(m.Body, a.URL+own) {
			t.Errorf("the reminder does not link to the portal's own sign-in page %s:\n%s", own, m.Body)
		}
		if page := portalSignOutPage(t, a); page != own {
			t.Errorf("signing out with the portal's SSO on leads to %q, want %q", page, own)
		}

		p.saveOptions(t, url.Values{"jit_role": {"lite"}})
		if page := portalSignOutPage(t, a); page != "/portal/login" {
			t.Errorf("signing out with the portal's SSO off leads to %q, want the plain sign-in page", page)
		}
	})
}

// portalSignOutPage signs boss@initech.test in with the password and out
// again, and returns where signing out leads.
func portalSignOutPage(t *testing.T, a *testenv.TestApp) string {
	t.Helper()
	c := a.NewClient()
	portalSignIn(t, c, "boss@initech.test")
	status, loc, body := c.PostForm(t, "/portal/logout", nil)
	if status != http.StatusSeeOther {
		t.Fatalf("sign out: %d\n%.400s", status, body)
	}
	return loc
}
