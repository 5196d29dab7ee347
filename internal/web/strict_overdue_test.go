package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// At the strict level a user whose only factor is an app is overdue once
// the strict level's deadline passed, as NextStep holds them at adding a
// passkey: the users list's filter and count, the user's page, the
// coverage page, Account > Settings and the API all say so.
func TestAtTheStrictLevelAUserWithOnlyAnAppIsOverdueAfterThePasskeyDeadline(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, au := passkeyNode(t, d)
		adminKey, _ := addPasskey(t, admin, au, "Admin key")
		recoveryCodesOnPage(t, admin)
		adminUser, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		lite := a.AddUser(t, adminUser.User, "lite@acme.test", padlock.RoleLite)
		c := a.NewClient()
		c.SignIn(t, "lite@acme.test", testenv.Password)
		enableAppAt(t, a, c, "")
		key := createKey(t, admin, "coverage-report", padlock.APIRead, "")
		if status, body := requireStrict(t, admin, padlock.MFALevelPhishingResistant, "2"); status != http.StatusSeeOther {
			t.Fatalf("require phishing-resistant MFA: %d\n%.800s", status, body)
		}
		deadline := a.Clock.Now().Add(2 * 24 * time.Hour)
		userPage := "/account/users/" + itoa(lite.ID)

		// In the grace: a deadline to add a passkey, no one overdue.
		_, _, list := admin.Get(t, "/account/users")
		row := between(list, "lite@acme.test", "</tr>")
		if !strings.Contains(row, `(a passkey)`) || strings.Contains(row, "overdue") {
			t.Fatalf("the app user's row in the grace: %s", row)
		}
		if _, _, body := admin.Get(t, "/account/users?mfa=overdue&sort=deadline"); strings.Contains(body, "lite@acme.test") || strings.Contains(body, `id="overdue-count"`) {
			t.Fatalf("overdue during the grace:\n%s", between(body, "<main", "</main>"))
		}
		if _, _, body := admin.Get(t, userPage); !strings.Contains(body, "Must add a passkey by") {
			t.Fatalf("the user's page does not give the passkey deadline:\n%s", between(body, "<main", "</main>"))
		}

		a.Clock.Advance(2*24*time.Hour + time.Second)
		admin = a.NewClient() // the session began under a day's lifetime
		if status, _ := passkeySignIn(t, admin, au, adminKey, ""); status != http.StatusSeeOther {
			t.Fatalf("the administrator signs in again: %d", status)
		}
		_, _, list = admin.Get(t, "/account/users?mfa=overdue&sort=deadline")
		if !strings.Contains(list, "lite@acme.test") || strings.Contains(list, "admin@acme.test") || !strings.Contains(list, `id="overdue-count">1 overdue</a>`) {
			t.Fatalf("the Overdue filter after the passkey deadline:\n%s", between(list, "<main", "</main>"))
		}
		if _, _, body := admin.Get(t, userPage); !strings.Contains(between(body, `id="user-deadline">`, "</dd>"), `class="badge overdue"`) {
			t.Fatalf("the user's page does not say overdue: %q", between(body, `id="user-deadline">`, "</dd>"))
		}
		if _, _, body := admin.Get(t, "/account/coverage"); !strings.Contains(between(body, `<td class="overdue">`, "</td>"), "1 overdue") {
			t.Fatalf("coverage: %q", between(body, `<td class="overdue">`, "</td>"))
		}
		if _, _, body := admin.Get(t, "/account/settings"); !strings.Contains(body, `id="overdue-count">1 overdue</a>: without MFA after their deadline, or with only an app`) {
			t.Fatalf("Account > Settings:\n%s", between(body, `id="mfa-coverage"`, "</p>"))
		}

		var users struct {
			Users []struct {
				Email string `json:"email"`
				MFA   struct {
					Overdue  bool       `json:"overdue"`
					Deadline *time.Time `json:"deadline"`
				} `json:"mfa"`
			} `json:"users"`
		}
		callAPI(t, a.URL, key, http.MethodGet, "/api/v1/users?mfa=overdue", "").json(t, &users)
		if len(users.Users) != 1 || users.Users[0].Email != "lite@acme.test" || !users.Users[0].MFA.Overdue ||
			users.Users[0].MFA.Deadline == nil || !users.Users[0].MFA.Deadline.Equal(deadline.Truncate(time.Second)) {
			t.Fatalf("the API's overdue users: %+v", users.Users)
		}
		var coverage struct {
			Lists []struct {
				Kind    string `json:"kind"`
				Overdue int    `json:"overdue"`
			} `json:"lists"`
		}
		callAPI(t, a.URL, key, http.MethodGet, "/api/v1/coverage", "").json(t, &coverage)
		if len(coverage.Lists) == 0 || coverage.Lists[0].Kind != "account" || coverage.Lists[0].Overdue != 1 {
			t.Fatalf("the API's coverage: %+v", coverage.Lists)
		}
	})
}
