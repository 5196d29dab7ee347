package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// At the strict level a user whose only factor is an app lacks what the
// requirement asks: "Send reminder" and "Remind all" reach them with a
// reminder to add a passkey by the strict level's deadline, beside the
// users without MFA, and not the users who have a passkey. Below the
// strict level the same user has MFA and needs no reminder.
func TestAtTheStrictLevelRemindersAskUsersWithOnlyAnAppForAPasskey(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, au := passkeyNode(t, d)
		addPasskey(t, admin, au, "Admin key")
		recoveryCodesOnPage(t, admin)
		adminUser, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		lite := a.AddUser(t, adminUser.User, "lite@acme.test", padlock.RoleLite)
		a.AddUser(t, adminUser.User, "bea@acme.test", padlock.RoleEditor)
		c := a.NewClient()
		c.SignIn(t, "lite@acme.test", testenv.Password)
		enableAppAt(t, a, c, "")

		litePath := fmt.Sprintf("/account/users/%d/remind", lite.ID)
		if msg, isErr := postFlash(t, admin, litePath); !isErr || !strings.Contains(msg, "already set up MFA") {
			t.Fatalf("a reminder to a user with an app below the strict level: %q (error %v)", msg, isErr)
		}
		if status, body := requireStrict(t, admin, padlock.MFALevelPhishingResistant, "2"); status != http.StatusSeeOther {
			t.Fatalf("require phishing-resistant MFA: %d\n%.800s", status, body)
		}
		deadline := a.Clock.Now().Add(2 * 24 * time.Hour)
		if _, _, page := admin.Get(t, fmt.Sprintf("/account/users/%d", lite.ID)); !strings.Contains(page, "Send reminder to add a passkey") {
			t.Fatalf("the user's page offers no passkey reminder:\n%s", between(page, "<main", "</main>"))
		}
		if _, _, list := admin.Get(t, "/account/users"); !strings.Contains(list, "Remind all without a passkey") {
			t.Fatalf("the users list offers no reminder to those without a passkey:\n%s", between(list, "<main", "<table"))
		}
		if msg, isErr := postFlash(t, admin, "/account/users/remind-all"); isErr || !strings.HasPrefix(msg, "2 reminders sent") {
			t.Fatalf("remind all: %q (error %v)", msg, isErr)
		}
		a.DeliverMail(t)
		passkey, setUp := map[string]string{}, map[string]string{}
		for _, m := range a.SMTP.Messages() {
			switch {
			case strings.HasPrefix(m.Subject, "Reminder: add a passkey"):
				passkey[m.To[0]] = m.Body
			case strings.HasPrefix(m.Subject, "Reminder: set up MFA"):
				setUp[m.To[0]] = m.Body
			}
		}
		if body := passkey["lite@acme.test"]; !strings.Contains(body, "before "+mailTime(deadline)) {
			t.Errorf("the user with only an app got no passkey reminder with the strict deadline %s:\n%s", mailTime(deadline), body)
		}
		if _, ok := setUp["bea@acme.test"]; !ok || len(passkey)+len(setUp) != 2 {
			t.Errorf("reminders: passkey %v, set up %v; want lite's passkey reminder and bea's set-up reminder only", keys(passkey), keys(setUp))
		}
		events, err := a.DB.Conn().Events(t.Context(), adminUser.User.AccountID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var details []string
		for _, e := range events {
			if e.Kind == padlock.EventMFAReminder && e.TargetID == lite.ID {
				details = append(details, e.Detail)
			}
		}
		if len(details) != 1 || !strings.HasPrefix(details[0], "must add a passkey by") {
			t.Errorf("the reminder's audit events for lite: %q, want one that says it asked for a passkey", details)
		}
	})
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
