package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// editPortal saves a portal's Edit form as the client.
func editPortal(t *testing.T, c *testenv.Client, p *padlock.Portal, require bool, grace string) (int, string) {
	t.Helper()
	form := url.Values{"name": {p.Name}, "grace_days": {grace}}
	if require {
		form.Set("require_mfa", "on")
	}
	status, _, body := c.PostForm(t, fmt.Sprintf("/account/portals/%d", p.ID), form)
	return status, body
}

// withLongSessions gives the account sessions of 30 days, so a test can
// move the clock across a grace period, and returns the client signed in
// again (a session keeps the lifetime it began with).
func withLongSessions(t *testing.T, a *testenv.TestApp, c *testenv.Client, email string) *testenv.Client {
	t.Helper()
	if status, body := requireMFA(t, c, false, "0"); status != http.StatusSeeOther {
		t.Fatalf("session limits: %d\n%.600s", status, body)
	}
	c = a.NewClient()
	c.SignIn(t, email, testenv.Password)
	return c
}

func TestAPortalsGracePeriodHoldsItsUsersUntilTheDeadlineThenAtEnrollment(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		admin = withLongSessions(t, a, admin, "admin@acme.test")
		p, _ := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		requiredAt := a.Clock.Now()
		if status, body := editPortal(t, admin, p, true, "3"); status != http.StatusSeeOther {
			t.Fatalf("require MFA with 3 days of grace: %d\n%.600s", status, body)
		}
		deadline := requiredAt.Add(3 * 24 * time.Hour)
		notice := a.SMTP.WaitFor(t, "client@initech.test", "now requires MFA")
		if !strings.Contains(notice.Body, "before "+mailTime(deadline)) {
			t.Fatalf("the notice does not give the portal's deadline %s:\n%s", mailTime(deadline), notice.Body)
		}

		// In grace: signed in, with the banner naming the portal.
		c := a.NewClient()
		if loc := portalSignIn(t, c, "client@initech.test"); strings.Contains(loc, "enroll") {
			t.Fatalf("signed in during the grace period to %q", loc)
		}
		status, _, body := c.Get(t, "/portal/")
		if status != http.StatusOK || !strings.Contains(body, `id="mfa-grace"`) || !strings.Contains(body, p.Name+" requires MFA") {
			t.Fatalf("during the grace period: %d, banner %q", status, between(body, `id="mfa-grace">`, "</p>"))
		}
		_, _, page := admin.Get(t, fmt.Sprintf("/account/portals/%d", p.ID))
		if !strings.Contains(page, "must set it up by <strong>"+deadline.UTC().Format("2 Jan 2006 15:04 UTC")) || !strings.Contains(page, "Must set up by") {
			t.Errorf("the portal's page does not show its grace deadline:\n%s", between(page, "<hgroup>", "</table>"))
		}
		// A portal user invited now gets the grace from joining.
		a.Clock.Advance(24 * time.Hour)
		late := invitePortalUser(t, a, admin, p, "late@initech.test", padlock.RoleLite)
		if want := a.Clock.Now().Add(3 * 24 * time.Hour); !late.MFADeadline.Equal(want) {
			t.Errorf("a later portal user's deadline %v, want %v", late.MFADeadline, want)
		}

		// Past the deadline: the next request and the next sign-in are held
		// at enrollment.
		a.Clock.Advance(2*24*time.Hour + time.Second)
		if status, loc, _ := c.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
			t.Fatalf("after the deadline: %d %q", status, loc)
		}
		if loc := portalSignIn(t, a.NewClient(), "client@initech.test"); !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
			t.Fatalf("sign-in after the deadline landed on %q", loc)
		}
		if loc := portalSignIn(t, a.NewClient(), "late@initech.test"); strings.Contains(loc, "enroll") {
			t.Fatalf("the later user, still in their grace, landed on %q", loc)
		}
		_, _, page = admin.Get(t, fmt.Sprintf("/account/portals/%d?mfa=overdue", p.ID))
		if got := listedEmails(page); len(got) != 1 || got[0] != "client@initech.test" || !strings.Contains(page, "1 overdue") {
			t.Errorf("the portal's overdue users: %v", got)
		}
	})
}

func TestAManagerMayOnlyTightenAPortalsRequirement(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p := newPortal(t, a, admin, org, false)
		adminUser := &padlock.User{ID: userID(t, a, "admin@acme.test"), AccountID: org.AccountID, Role: padlock.RoleAdministrator}
		a.AddUser(t, adminUser, "manager@acme.test", padlock.RoleManager)
		m := a.NewClient()
		m.SignIn(t, "manager@acme.test", testenv.Password)

		steps := []struct {
			name    string
			c       *testenv.Client
			require bool
			grace   string
			status  int
			field   string
		}{
			{"a Manager turns it on with 5 days", m, true, "5", http.StatusSeeOther, ""},
			{"a Manager may not lengthen the grace", m, true, "6", http.StatusForbidden, "grace_days-error"},
			{"a Manager shortens the grace", m, true, "2", http.StatusSeeOther, ""},
			{"a Manager may not turn it off", m, false, "2", http.StatusForbidden, "require_mfa-error"},
			{"an Administrator lengthens the grace", admin, true, "10", http.StatusSeeOther, ""},
			{"an Administrator turns it off", admin, false, "10", http.StatusSeeOther, ""},
			{"a Manager turns it on again with any grace", m, true, "30", http.StatusSeeOther, ""},
		}
		for _, s := range steps {
			status, body := editPortal(t, s.c, p, s.require, s.grace)
			if status != s.status || s.field != "" && !strings.Contains(body, `id="`+s.field+`"`) {
				t.Fatalf("%s: %d, want %d with %q\n%.800s", s.name, status, s.status, s.field, between(body, "<form", "</form>"))
			}
			got, _ := a.DB.Conn().Portal(t.Context(), org.AccountID, p.ID)
			if s.status == http.StatusSeeOther && (got.RequiresMFA() != s.require || fmt.Sprint(got.MFAGraceDays) != s.grace) {
				t.Fatalf("%s: saved required %v with %d days", s.name, got.RequiresMFA(), got.MFAGraceDays)
			}
		}
	})
}

func TestBadPortalGraceGetsAFieldError(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p := newPortal(t, a, admin, org, false)
		for _, grace := range []string{"abc", "-1", "91", "1e3", "99999999999999999999", "2.5"} {
			status, body := editPortal(t, admin, p, true, grace)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="grace_days-error"`) || !strings.Contains(body, `value="`+grace+`"`) {
				t.Errorf("grace %q: %d, want 422 beside the field with the value kept", grace, status)
			}
		}
		other := &padlock.Organization{AccountID: org.AccountID, Name: "Other", CreatedAt: a.Clock.Now()}
		a.DB.Conn().CreateOrganization(t.Context(), other)
		status, _, body := admin.PostForm(t, "/account/portals", url.Values{"organization": {fmt.Sprint(other.ID)}, "name": {"Other"}, "require_mfa": {"on"}, "grace_days": {"x"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="grace_days-error"`) {
			t.Errorf("a new portal with grace x: %d", status)
		}
		if got, _ := a.DB.Conn().Portal(t.Context(), org.AccountID, p.ID); got.RequiresMFA() {
			t.Error("a refused form changed the portal")
		}
	})
}
