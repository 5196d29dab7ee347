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

// Inviting an address that already has a Padlock user, in another account,
// this one or another of its portals (a person in two portals), is refused beside the field with the addresses kept, saying
// nothing of where the address is: on the account's and a portal's screens
// and through the API. The owner is told by email, the refusal is on the
// inviter's Activity, and the other account's user is unchanged and still
// signs in.
func TestInvitingAnAddressThatHasAUserIsRefusedBesideTheField(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		a, acme := x.a, x.admin
		globexAdmin := a.CreateAccount(t, "Globex", "admin@globex.test")
		a.AddUser(t, globexAdmin, "editor@globex.test", padlock.RoleEditor)
		before := testenv.Credentials(t, a.DB, "editor@globex.test").User
		a.AddUser(t, globexAdmin, "lite@globex.test", padlock.RoleLite)
		org := &padlock.Organization{AccountID: testenv.Credentials(t, a.DB, "admin@acme.test").User.AccountID, Name: "Initech", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), org); err != nil {
			t.Fatal(err)
		}
		portal := newPortal(t, a, acme, org, false)
		portalUsers := fmt.Sprintf("/account/portals/%d/users", portal.ID)
		hooli := &padlock.Organization{AccountID: org.AccountID, Name: "Hooli", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), hooli); err != nil {
			t.Fatal(err)
		}
		invitePortalUser(t, a, acme, newPortal(t, a, acme, hooli, false), "gavin@hooli.test", padlock.RoleLite)

		for _, tt := range []struct {
			name, path, role, taken string
		}{
			{"to the account, an address of another account", "/account/users", "editor", "editor@globex.test"},
			{"to the account, an address of this account", "/account/users", "editor", "admin@acme.test"},
			{"to a portal, an address of another account", portalUsers, "lite", "lite@globex.test"},
			{"to a portal, a person of another portal of this account", portalUsers, "creator", "gavin@hooli.test"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				typed := "new-" + tt.role + "@acme.test\n" + tt.taken
				status, _, body := acme.PostForm(t, tt.path, url.Values{"emails": {typed}, "role": {tt.role}})
				msg := between(body, `id="emails-error">`, "<")
				if status != http.StatusUnprocessableEntity || !strings.Contains(msg, tt.taken+" already has a Padlock sign-in") || strings.Contains(msg, "Globex") {
					t.Fatalf("the refusal: %d, beside the field %q", status, msg)
				}
				if !strings.Contains(body, "new-"+tt.role+"@acme.test") || !strings.Contains(body, tt.taken+"</textarea>") {
					t.Errorf("the typed addresses were not kept:\n%s", between(body, `<textarea`, "</textarea>"))
				}
				msgToOwner := a.SMTP.WaitFor(t, tt.taken, "tried to invite you")
				if !strings.Contains(msgToOwner.Body, "already") || strings.Contains(msgToOwner.Body, "/invitation/") {
					t.Fatalf("the owner's mail does not explain it:\n%s", msgToOwner.Body)
				}
			})
		}
		api := x.call(t, x.readWrite, "POST", "/api/v1/users", `{"emails": ["editor@globex.test"], "role": "lite"}`)
		if api.status != http.StatusUnprocessableEntity || api.errorCode(t) != "invalid" || !strings.Contains(api.body, `"field":"emails"`) || strings.Contains(api.body, "Globex") {
			t.Errorf("the API's refusal: %d %s", api.status, api.body)
		}

		_, _, activity := acme.Get(t, "/account/activity")
		for _, email := range []string{"editor@globex.test", "lite@globex.test", "admin@acme.test", "gavin@hooli.test"} {
			if !strings.Contains(activity, email+": already has a Padlock sign-in") {
				t.Errorf("the inviter's Activity does not show the refusal of %s", email)
			}
		}
		for _, email := range []string{"new-editor@acme.test", "new-lite@acme.test", "new-creator@acme.test"} {
			if strings.Contains(activity, email) {
				t.Errorf("%s was invited although the invitation was refused", email)
			}
		}
		if u := testenv.Credentials(t, a.DB, "editor@globex.test").User; *u != *before {
			t.Fatalf("the other account's user changed: %+v, was %+v", u, before)
		}
		other := a.NewClient()
		other.SignIn(t, "editor@globex.test", testenv.Password)
	})
}
