package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// inviteAnswer is what an inviter sees of an invitation: the status, where
// it leads and the message shown there.
type inviteAnswer struct {
	status   int
	location string
	flash    string
}

func invitationAnswer(t *testing.T, c *testenv.Client, path, email, role string) inviteAnswer {
	t.Helper()
	status, loc, _ := c.PostForm(t, path, url.Values{"emails": {email}, "role": {role}})
	ans := inviteAnswer{status: status, location: loc}
	if status == http.StatusSeeOther {
		_, _, body := c.Get(t, loc)
		ans.flash = between(body, `class="banner ok"`, "</")
	}
	return ans
}

// Inviting an address that already has a Padlock user, in another account
// or this one, answers like any other invitation: only the address's owner
// learns of it, by email, and nothing of it shows on the inviter's side.
func TestInvitingAnAddressThatHasAUserAnswersLikeAnyInvitation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, acme, org, _ := signedInAdmin(t, d)
		globexAdmin := a.CreateAccount(t, "Globex", "admin@globex.test")
		a.AddUser(t, globexAdmin, "editor@globex.test", padlock.RoleEditor)
		before := testenv.Credentials(t, a.DB, "editor@globex.test").User
		a.AddUser(t, globexAdmin, "lite@globex.test", padlock.RoleLite)
		portal := newPortal(t, a, acme, org, false)
		portalUsers := fmt.Sprintf("/account/portals/%d/users", portal.ID)

		for _, tt := range []struct {
			name, path, role, fresh, taken, joining string
		}{
			{"to the account, an address of another account", "/account/users", "editor", "new@acme.test", "editor@globex.test", "Acme IT"},
			{"to the account, an address of this account", "/account/users", "editor", "other@acme.test", "admin@acme.test", "Acme IT"},
			{"to a portal, an address of another account", portalUsers, "lite", "client@initech.test", "lite@globex.test", portal.Name},
		} {
			t.Run(tt.name, func(t *testing.T) {
				fresh := invitationAnswer(t, acme, tt.path, tt.fresh, tt.role)
				taken := invitationAnswer(t, acme, tt.path, tt.taken, tt.role)
				if fresh.status != http.StatusSeeOther || !strings.Contains(fresh.flash, "1 invitation sent") {
					t.Fatalf("a new address: %+v", fresh)
				}
				if taken != fresh {
					t.Fatalf("an address with a user got %+v, a new one %+v", taken, fresh)
				}
				msg := a.SMTP.WaitFor(t, tt.taken, "tried to invite you")
				if !strings.Contains(msg.Subject, tt.joining) || !strings.Contains(msg.Body, "already") || strings.Contains(msg.Body, "/invitation/") {
					t.Fatalf("the owner's mail does not explain it:\n%s\n%s", msg.Subject, msg.Body)
				}
			})
		}

		_, _, activity := acme.Get(t, "/account/activity")
		for _, email := range []string{"editor@globex.test", "lite@globex.test", "admin@acme.test as"} {
			if strings.Contains(activity, email) {
				t.Errorf("the inviter's Activity mentions %s", email)
			}
		}
		if !strings.Contains(activity, "new@acme.test") {
			t.Error("the inviter's Activity misses the real invitation")
		}
		if u := testenv.Credentials(t, a.DB, "editor@globex.test").User; *u != *before {
			t.Fatalf("the other account's user changed: %+v, was %+v", u, before)
		}
		other := a.NewClient()
		other.SignIn(t, "editor@globex.test", testenv.Password)
	})
}
