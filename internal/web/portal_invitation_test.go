package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestAPortalInvitationNamesThePortalAndTheAccountWhoseItIs(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p := newPortal(t, a, admin, org, false)
		postedTo(t, admin, fmt.Sprintf("/account/portals/%d/users", p.ID), url.Values{"emails": {"client@initech.test"}, "role": {string(padlock.RoleLite)}})
		msg := a.SMTP.WaitFor(t, "client@initech.test", "invit")
		if msg.Subject != "You're invited to Initech portal on Padlock" {
			t.Errorf("subject %q", msg.Subject)
		}
		for _, s := range []string{"Admin of Acme IT, of Acme IT, has invited you to join the client portal Initech portal", "/portal/invitation/"} {
			if !strings.Contains(msg.Body, s) {
				t.Errorf("the portal invitation lacks %q:\n%s", s, msg.Body)
			}
		}

		// The account's own invitation names the account, and no portal.
		if _, err := a.Admin.Invite(t.Context(), actor(userByEmail(t, a, "admin@acme.test")), 0, []string{"staff@acme.test"}, padlock.RoleEditor); err != nil {
			t.Fatal(err)
		}
		staff := a.SMTP.WaitFor(t, "staff@acme.test", "invit")
		if staff.Subject != "You're invited to Acme IT on Padlock" || strings.Contains(staff.Body, "portal") || !strings.Contains(staff.Body, "join Acme IT on Padlock") {
			t.Errorf("the account invitation: %q\n%s", staff.Subject, staff.Body)
		}
	})
}
