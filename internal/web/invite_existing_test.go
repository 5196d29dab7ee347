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

// Inviting an address that already has a Padlock user in this account, as
// staff or in another of its portals (a person in two portals), is refused
// beside the field with the addresses kept, without saying where: on the
// account's and a portal's screens and through the API. The owner is told
// by email and the refusal is on the inviter's Activity. An address of
// another account answers like any invitation: only its owner learns of
// it, nothing shows on the inviter's side, and the other account's user is
// unchanged and still signs in.
func TestInvitingAnAddressThatHasAUserIsRefusedBesideTheFieldWithinTheAccount(t *testing.T) {
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
			{"to the account, an address of this account", "/account/users", "editor", "admin@acme.test"},
			{"to a portal, a person of another portal of this account", portalUsers, "creator", "gavin@hooli.test"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				typed := "new-" + tt.role + "@acme.test\n" + tt.taken
				status, _, body := acme.PostForm(t, tt.path, url.Values{"emails": {typed}, "role": {tt.role}})
				msg := between(body, `id="emails-error">`, "<")
				if status != http.StatusUnprocessableEntity || !strings.Contains(msg, tt.taken+" already has a Padlock sign-in here") || strings.Contains(msg, "Hooli") {
					t.Fatalf("the refusal: %d, beside the field %q", status, msg)
				}
				if !strings.Contains(body, "new-"+tt.role+"@acme.test") || !strings.Contains(body, tt.taken+"</textarea>") {
					t.Errorf("the typed addresses were not kept:\n%s", between(body, `<textarea`, "</textarea>"))
				}
				if m := a.SMTP.WaitFor(t, tt.taken, "tried to invite you"); !strings.Contains(m.Body, "already") || strings.Contains(m.Body, "/invitation/") {
					t.Fatalf("the owner's mail does not explain it:\n%s", m.Body)
				}
			})
		}
		for _, tt := range []struct {
			name, path, role, fresh, taken, joining string
		}{
			{"to the account, an address of another account", "/account/users", "editor", "new@acme.test", "editor@globex.test", "Acme IT"},
			{"to a portal, an address of another account", portalUsers, "lite", "client@initech.test", "lite@globex.test", portal.Name},
		} {
			t.Run(tt.name, func(t *testing.T) {
				fresh := invitationAnswer(t, acme, tt.path, tt.fresh, tt.role)
				taken := invitationAnswer(t, acme, tt.path, tt.taken, tt.role)
				if fresh.status != http.StatusSeeOther || !strings.Contains(fresh.flash, "1 invitation sent") || taken != fresh {
					t.Fatalf("an address of another account got %+v, a new one %+v", taken, fresh)
				}
				m := a.SMTP.WaitFor(t, tt.taken, "tried to invite you")
				if !strings.Contains(m.Subject, tt.joining) || !strings.Contains(m.Body, "already") || strings.Contains(m.Body, "/invitation/") {
					t.Fatalf("the owner's mail does not explain it:\n%s\n%s", m.Subject, m.Body)
				}
			})
		}
		api := x.call(t, x.readWrite, "POST", "/api/v1/users", `{"emails": ["gavin@hooli.test"], "role": "lite"}`)
		if api.status != http.StatusUnprocessableEntity || api.errorCode(t) != "invalid" || !strings.Contains(api.body, `"field":"emails"`) || strings.Contains(api.body, "Hooli") {
			t.Errorf("the API's refusal: %d %s", api.status, api.body)
		}
		if api := x.call(t, x.readWrite, "POST", "/api/v1/users", `{"emails": ["admin@globex.test"], "role": "lite"}`); api.status != http.StatusAccepted {
			t.Errorf("the API's answer for another account's address: %d %s", api.status, api.body)
		}

		_, _, activity := acme.Get(t, "/account/activity")
		for _, email := range []string{"admin@acme.test", "gavin@hooli.test"} {
			if !strings.Contains(activity, email+": already has a Padlock sign-in") {
				t.Errorf("the inviter's Activity does not show the refusal of %s", email)
			}
		}
		for _, email := range []string{"new-editor@acme.test", "new-creator@acme.test", "globex.test"} {
			if strings.Contains(activity, email) {
				t.Errorf("the inviter's Activity mentions %s", email)
			}
		}
		if u := testenv.Credentials(t, a.DB, "editor@globex.test").User; *u != *before {
			t.Fatalf("the other account's user changed: %+v, was %+v", u, before)
		}
		other := a.NewClient()
		other.SignIn(t, "editor@globex.test", testenv.Password)
	})
}
