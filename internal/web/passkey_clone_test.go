package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A sign-in with a passkey alone whose signature counter went backwards is
// refused like any copied key: the passkey is flagged and refused from then
// on, Activity records the warning with the passkey's kind and name and the
// refused sign-in, no session starts, nothing counts as the passkey used,
// and the user and the account's Administrators are emailed.
func TestACounterGoingBackwardsRefusesASignInWithThePasskeyAloneAndTellsTheAdministrators(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, au := passkeyNode(t, d)
		adminUser, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		ed := a.AddUser(t, adminUser.User, "ed@acme.test", padlock.RoleEditor)
		c := a.NewClient()
		c.SignIn(t, "ed@acme.test", testenv.Password)
		key, _ := addPasskey(t, c, au, "Ed's key")
		recoveryCodesOnPage(t, c)
		key.Count = 41 // the next answer says 42
		if status, _ := passkeySignIn(t, a.NewClient(), au, key, ""); status != http.StatusSeeOther {
			t.Fatalf("first sign-in with the passkey: %d", status)
		}

		key.Count = 9 // a copy of the key, used less
		copied := a.NewClient()
		if status, _ := passkeySignIn(t, copied, au, key, ""); status != http.StatusUnauthorized {
			t.Fatalf("a counter gone backwards: %d, want 401", status)
		}
		if copied.CookieValue("padlock_session") != "" {
			t.Fatal("the copied key's browser got a session")
		}
		warnings, _ := a.DB.Conn().Activity(t.Context(), 1, activityOf(ed.ID, padlock.EventPasskeyCloneWarning))
		if len(warnings) != 1 || warnings[0].Detail != `security key "Ed's key": counter 10 after 42` {
			t.Fatalf("clone warnings: %+v", warnings)
		}
		refused, _ := a.DB.Conn().Activity(t.Context(), 1, activityOf(ed.ID, padlock.EventSignInFailed))
		if len(refused) != 1 || refused[0].Detail != "signature counter went backwards" {
			t.Fatalf("refused sign-ins: %+v", refused)
		}
		if n := countEvents(t, a, ed.ID, padlock.EventPasskeyUsed); n != 1 {
			t.Fatalf("%d passkey-used events, want the first sign-in's only", n)
		}
		user := a.SMTP.WaitFor(t, "ed@acme.test", "may have been copied")
		told := a.SMTP.WaitFor(t, "admin@acme.test", "A passkey of ed@acme.test may have been copied")
		if !strings.Contains(user.Body, `security key "Ed's key"`) || !strings.Contains(told.Body, "Reset MFA") {
			t.Fatalf("the mails:\n%s\n---\n%s", user.Body, told.Body)
		}
		if _, _, page := admin.Get(t, "/account/activity"); !strings.Contains(page, "Passkey counter went backwards") {
			t.Fatal("Activity does not show the warning")
		}

		// From then on the key is refused, whatever its counter says, and
		// warned of once.
		key.Count = 100
		if status, _ := passkeySignIn(t, a.NewClient(), au, key, ""); status != http.StatusUnauthorized {
			t.Fatalf("a flagged passkey: %d, want 401", status)
		}
		if n := countEvents(t, a, ed.ID, padlock.EventPasskeyCloneWarning); n != 1 {
			t.Fatalf("%d clone warnings after the flagged key was tried again", n)
		}
		if _, _, body := c.Get(t, "/settings/mfa"); !strings.Contains(body, "May have been copied") {
			t.Fatal("My Settings > MFA does not mark the passkey")
		}
	})
}
