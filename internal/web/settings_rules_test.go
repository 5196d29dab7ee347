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

// authSettings is the form of Account > Settings > Authentication.
type authSettings struct {
	on                              bool
	graceDays, idleMinutes, lifeHrs string
}

func saveSettings(t *testing.T, c *testenv.Client, s authSettings) (int, string) {
	t.Helper()
	form := url.Values{"grace_days": {s.graceDays}, "session_idle_minutes": {s.idleMinutes}, "session_lifetime_hours": {s.lifeHrs}}
	if s.on {
		form.Set("require_mfa", "on")
	}
	status, _, body := c.PostForm(t, "/account/settings/authentication", form)
	return status, body
}

// A Manager may tighten what an Administrator set, never loosen it: each
// refusal is shown beside its field and saves nothing of the form.
func TestAManagerMayTightenTheAccountsSettingsButNotLoosenThem(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		a.AddUser(t, testenv.Credentials(t, a.DB, "admin@acme.test").User, "manager@acme.test", padlock.RoleManager)
		set := authSettings{on: true, graceDays: "7", idleMinutes: "60", lifeHrs: "24"}
		if status, body := saveSettings(t, admin, set); status != http.StatusSeeOther {
			t.Fatalf("the Administrator's settings: %d\n%.400s", status, body)
		}
		manager := a.NewClient()
		manager.SignIn(t, "manager@acme.test", testenv.Password)

		for _, tt := range []struct {
			name, field string
			change      func(s *authSettings)
		}{
			{"turning the requirement off", "require_mfa", func(s *authSettings) { s.on = false }},
			{"lengthening the grace period", "grace_days", func(s *authSettings) { s.graceDays = "8" }},
			{"lengthening the idle timeout", "session_idle", func(s *authSettings) { s.idleMinutes = "61" }},
			{"lengthening the lifetime", "session_lifetime", func(s *authSettings) { s.lifeHrs = "25" }},
		} {
			t.Run(tt.name+" is refused beside the field", func(t *testing.T) {
				// Shortening the rest at the same time is not saved either.
				s := authSettings{on: true, graceDays: "6", idleMinutes: "59", lifeHrs: "23"}
				tt.change(&s)
				status, body := saveSettings(t, manager, s)
				if status != http.StatusForbidden || !strings.Contains(body, `id="`+tt.field+`-error"`) || !strings.Contains(body, "Only an Administrator") {
					t.Fatalf("status %d; want 403 with the refusal beside %s\n%s", status, tt.field, between(body, "<main", "</main>"))
				}
				acct, err := a.DB.Conn().Account(t.Context(), 1)
				if err != nil {
					t.Fatal(err)
				}
				if !acct.RequiresMFA() || acct.MFAGraceDays != 7 || acct.SessionIdle != time.Hour || acct.SessionLifetime != 24*time.Hour {
					t.Fatalf("the refused form changed the account: %+v", acct)
				}
			})
		}

		t.Run("shortening everything is saved", func(t *testing.T) {
			if status, body := saveSettings(t, manager, authSettings{on: true, graceDays: "3", idleMinutes: "30", lifeHrs: "12"}); status != http.StatusSeeOther {
				t.Fatalf("status %d\n%.400s", status, body)
			}
			acct, _ := a.DB.Conn().Account(t.Context(), 1)
			if acct.MFAGraceDays != 3 || acct.SessionIdle != 30*time.Minute || acct.SessionLifetime != 12*time.Hour {
				t.Fatalf("not saved: %+v", acct)
			}
		})
		t.Run("an Administrator may loosen them and turn the requirement off", func(t *testing.T) {
			if status, body := saveSettings(t, admin, authSettings{on: false, graceDays: "10", idleMinutes: "300", lifeHrs: "48"}); status != http.StatusSeeOther {
				t.Fatalf("status %d\n%.400s", status, body)
			}
			acct, _ := a.DB.Conn().Account(t.Context(), 1)
			if acct.RequiresMFA() {
				t.Fatal("the requirement is still on")
			}
		})
		t.Run("a Manager may turn the requirement on", func(t *testing.T) {
			enableMFA(t, a, manager)
			if status, body := saveSettings(t, manager, authSettings{on: true, graceDays: "10", idleMinutes: "300", lifeHrs: "48"}); status != http.StatusSeeOther {
				t.Fatalf("status %d\n%.400s", status, body)
			}
		})
	})
}

// A portal's requirement follows the same rule: a Manager turns it on, only
// an Administrator turns it off.
func TestOnlyAnAdministratorMayTurnOffAPortalsRequirement(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		a.AddUser(t, testenv.Credentials(t, a.DB, "admin@acme.test").User, "manager@acme.test", padlock.RoleManager)
		manager := a.NewClient()
		manager.SignIn(t, "manager@acme.test", testenv.Password)
		portal := newPortal(t, a, admin, org, false)
		path := fmt.Sprintf("/account/portals/%d", portal.ID)
		edit := func(c *testenv.Client, on bool) (int, string) {
			form := url.Values{"name": {portal.Name}}
			if on {
				form.Set("require_mfa", "on")
			}
			status, _, body := c.PostForm(t, path, form)
			return status, body
		}
		requires := func() bool {
			p, err := a.DB.Conn().Portal(t.Context(), org.AccountID, portal.ID)
			if err != nil {
				t.Fatal(err)
			}
			return p.RequiresMFA()
		}

		if status, body := edit(manager, true); status != http.StatusSeeOther || !requires() {
			t.Fatalf("a Manager turning it on: %d\n%.400s", status, body)
		}
		status, body := edit(manager, false)
		if status != http.StatusForbidden || !strings.Contains(body, `id="require_mfa-error"`) || !strings.Contains(body, "Only an Administrator") {
			t.Fatalf("a Manager turning it off: %d, want 403 beside the switch\n%s", status, between(body, "<main", "</main>"))
		}
		if !requires() {
			t.Fatal("the Manager turned the portal's requirement off")
		}
		if status, body := edit(admin, false); status != http.StatusSeeOther || requires() {
			t.Fatalf("an Administrator turning it off: %d\n%.400s", status, body)
		}
	})
}

// A reset user must set MFA up again at their next sign-in: saving the
// settings, unchanged or with a new grace period, gives them no grace.
func TestSavingTheSettingsGivesNoGraceToAUserWhoseMFAWasReset(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		a.AddUser(t, testenv.Credentials(t, a.DB, "admin@acme.test").User, "editor@acme.test", padlock.RoleEditor)
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		enableMFA(t, a, lite)
		if status, body := requireMFA(t, admin, true, "7"); status != http.StatusSeeOther {
			t.Fatalf("require MFA: %d\n%.400s", status, body)
		}
		a.Clock.Advance(time.Hour)
		if status, _, _ := admin.PostForm(t, "/account/users/"+itoa(userID(t, a, "lite@acme.test"))+"/reset-mfa", nil); status != http.StatusSeeOther {
			t.Fatalf("reset: %d", status)
		}
		signIn := func(email string) string {
			c := a.NewClient()
			_, loc, _ := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {testenv.Password}})
			return loc
		}
		for _, save := range []struct{ name, grace string }{
			{"unchanged", "7"},
			{"with a longer grace period", "10"},
			{"with a shorter grace period", "3"},
		} {
			t.Run("saved "+save.name, func(t *testing.T) {
				if status, body := requireMFA(t, admin, true, save.grace); status != http.StatusSeeOther {
					t.Fatalf("save: %d\n%.400s", status, body)
				}
				if loc := signIn("lite@acme.test"); !strings.HasPrefix(loc, "/settings/mfa/enroll") {
					t.Fatalf("the reset user signed in to %q, want enrollment", loc)
				}
				// Everyone else keeps the grace period.
				if loc := signIn("editor@acme.test"); loc != "/" {
					t.Fatalf("a user in their grace period signed in to %q", loc)
				}
			})
		}
	})
}
