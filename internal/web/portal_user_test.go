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

// subjectsTo returns the subjects of the mail delivered to one address.
func subjectsTo(a *testenv.TestApp, to string) []string {
	var out []string
	for _, m := range a.SMTP.Messages() {
		for _, r := range m.To {
			if r == to {
				out = append(out, m.Subject)
			}
		}
	}
	return out
}

// eventOf returns the account's newest event of the kind about the target,
// or fails the test.
func eventOf(t *testing.T, a *testenv.TestApp, accountID int64, kind string, target int64) padlock.Event {
	t.Helper()
	events, err := a.DB.Conn().Events(t.Context(), accountID, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Kind == kind && e.TargetID == target {
			return e
		}
	}
	t.Fatalf("no %s event about user %d", kind, target)
	return padlock.Event{}
}

func post(t *testing.T, c *testenv.Client, path string, form url.Values, want int) string {
	t.Helper()
	status, loc, body := c.PostForm(t, path, form)
	if status != want {
		t.Fatalf("POST %s: %d, want %d\n%.600s", path, status, want, body)
	}
	return loc
}

func TestAPortalUsersRoleChangeDeactivationAndReactivationAreAuditedAndEmailed(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		client := a.NewClient()
		portalSignIn(t, client, pu.Email)
		page := fmt.Sprintf("/account/portals/%d/users/%d", p.ID, pu.ID)

		post(t, admin, page+"/role", url.Values{"role": {"editor"}}, http.StatusSeeOther)
		if u, _ := a.DB.Conn().PortalUser(t.Context(), p.AccountID, p.ID, pu.ID); u.Role != padlock.RoleEditor {
			t.Fatalf("role is %s, want editor", u.Role)
		}
		if e := eventOf(t, a, p.AccountID, padlock.EventRoleChanged, pu.ID); e.Detail != "Lite → Editor" || e.PortalID != p.ID {
			t.Errorf("role event: %+v", e)
		}

		loc := post(t, admin, page+"/deactivate", nil, http.StatusSeeOther)
		if loc != page {
			t.Errorf("deactivate went to %q, want the user's page", loc)
		}
		if status, loc, _ := client.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/login") {
			t.Fatalf("a deactivated portal user's session survived: %d %q", status, loc)
		}
		if status, _, _ := a.NewClient().PostForm(t, "/portal/login", url.Values{"email": {pu.Email}, "password": {testenv.Password}}); status != http.StatusUnauthorized {
			t.Fatalf("a deactivated portal user signed in: %d", status)
		}
		if e := eventOf(t, a, p.AccountID, padlock.EventDeactivated, pu.ID); e.PortalID != p.ID {
			t.Errorf("deactivation event not attributed to the portal: %+v", e)
		}
		if _, _, body := admin.Get(t, page); !strings.Contains(body, `id="reactivate"`) {
			t.Errorf("the page of a deactivated user offers no Reactivate")
		}

		post(t, admin, page+"/reactivate", nil, http.StatusSeeOther)
		portalSignIn(t, a.NewClient(), pu.Email)
		eventOf(t, a, p.AccountID, padlock.EventReactivated, pu.ID)

		a.DeliverMail(t)
		got := strings.Join(subjectsTo(a, pu.Email), "\n")
		for _, want := range []string{"Your role in " + p.Name, "access to " + p.Name + " on Padlock was deactivated", "access to " + p.Name + " on Padlock is back"} {
			if !strings.Contains(got, want) {
				t.Errorf("no mail %q to the portal user; got:\n%s", want, got)
			}
		}
		_, _, activity := admin.Get(t, "/account/activity")
		for _, label := range []string{"Role changed", "User deactivated", "User reactivated"} {
			if !strings.Contains(activity, label) {
				t.Errorf("Account > Activity lacks %q", label)
			}
		}
	})
}

func TestDeletingAPortalUserEndsTheirSessionsAndKeepsTheirActivity(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleCreator)
		other := invitePortalUser(t, a, admin, p, "stays@initech.test", padlock.RoleLite)
		client := a.NewClient()
		portalSignIn(t, client, pu.Email)
		page := fmt.Sprintf("/account/portals/%d/users/%d", p.ID, pu.ID)

		if status, _, body := admin.Get(t, page+"/delete"); status != http.StatusOK || !strings.Contains(body, "no longer be able to sign in") {
			t.Fatalf("confirmation: %d", status)
		}
		if loc := post(t, admin, page+"/delete", nil, http.StatusSeeOther); loc != fmt.Sprintf("/account/portals/%d", p.ID) {
			t.Errorf("delete went to %q, want the portal's page", loc)
		}
		if _, err := a.DB.Conn().PortalUser(t.Context(), p.AccountID, p.ID, pu.ID); err == nil {
			t.Fatal("the portal user is still there")
		}
		if status, loc, _ := client.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/login") {
			t.Fatalf("a deleted portal user's session survived: %d %q", status, loc)
		}
		if status, _, _ := admin.Get(t, page); status != http.StatusNotFound {
			t.Errorf("the deleted user's page: %d", status)
		}
		if e := eventOf(t, a, p.AccountID, padlock.EventUserDeleted, pu.ID); e.PortalID != p.ID || !strings.Contains(e.Detail, pu.Email) {
			t.Errorf("delete event: %+v", e)
		}
		if _, err := a.DB.Conn().PortalUser(t.Context(), p.AccountID, p.ID, other.ID); err != nil {
			t.Fatalf("deleting one portal user touched another: %v", err)
		}
		if _, _, activity := admin.Get(t, "/account/activity"); !strings.Contains(activity, "User deleted") || !strings.Contains(activity, pu.Email) {
			t.Error("Account > Activity does not tell of the deletion")
		}
		// The address is free again.
		post(t, admin, fmt.Sprintf("/account/portals/%d/users", p.ID), url.Values{"emails": {pu.Email}, "role": {"lite"}}, http.StatusSeeOther)
		if got := testenv.Credentials(t, a.DB, pu.Email).User; got.Status != padlock.StatusInvited || got.PortalID != p.ID {
			t.Errorf("invited again: %s in portal %d", got.Status, got.PortalID)
		}
	})
}

func TestResendingAPortalInvitationVoidsTheOldLink(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		post(t, admin, fmt.Sprintf("/account/portals/%d/users", p.ID), url.Values{"emails": {"dee@initech.test"}, "role": {"lite"}}, http.StatusSeeOther)
		a.DeliverMail(t)
		first := testenv.LinkToken(t, mailsTo(a, "dee@initech.test")[0], "/portal/invitation/")
		id := userID(t, a, "dee@initech.test")
		page := fmt.Sprintf("/account/portals/%d/users/%d", p.ID, id)
		if _, _, body := admin.Get(t, page); !strings.Contains(body, `id="resend-invitation"`) {
			t.Fatal("an invited user's page offers no Resend invitation")
		}

		post(t, admin, page+"/resend", nil, http.StatusSeeOther)
		a.DeliverMail(t)
		msgs := mailsTo(a, "dee@initech.test")
		if len(msgs) != 2 {
			t.Fatalf("%d invitation mails, want 2", len(msgs))
		}
		second := testenv.LinkToken(t, msgs[1], "/portal/invitation/")
		c := a.NewClient()
		if status, _, _ := c.Get(t, "/portal/invitation/"+first); status != http.StatusNotFound {
			t.Errorf("old link: %d", status)
		}
		if status, _, _ := c.Get(t, "/portal/invitation/"+second); status != http.StatusOK {
			t.Errorf("new link: %d", status)
		}
		if e := eventOf(t, a, p.AccountID, padlock.EventInvited, id); e.PortalID != p.ID {
			t.Errorf("invitation event: %+v", e)
		}
		post(t, admin, fmt.Sprintf("/account/portals/%d/users/%d/resend", p.ID, pu.ID), nil, http.StatusConflict)
	})
}

func TestAPortalUsersRoleMustBeAPortalRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		for _, role := range []string{"administrator", "manager", "read_only", "owner", ""} {
			t.Run(fmt.Sprintf("%q", role), func(t *testing.T) {
				status, _, body := admin.PostForm(t, fmt.Sprintf("/account/portals/%d/users/%d/role", p.ID, pu.ID), url.Values{"role": {role}})
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="role-error"`) {
					t.Errorf("status %d, want 422 with the field's error\n%.600s", status, between(body, "<main", "</main>"))
				}
			})
		}
		if u, _ := a.DB.Conn().PortalUser(t.Context(), p.AccountID, p.ID, pu.ID); u.Role != padlock.RoleLite {
			t.Fatalf("role is %s, want lite", u.Role)
		}
	})
}

// lifecycleRoutes are the lifecycle's routes on the {portal} {id} user.
func lifecycleRoutes(portal, user int64) []struct{ method, path string } {
	base := fmt.Sprintf("/account/portals/%d/users/%d", portal, user)
	return []struct{ method, path string }{
		{"GET", base + "/delete"},
		{"POST", base + "/role"},
		{"POST", base + "/deactivate"},
		{"POST", base + "/reactivate"},
		{"POST", base + "/resend"},
		{"POST", base + "/delete"},
	}
}

func do(t *testing.T, c *testenv.Client, method, path string) int {
	t.Helper()
	if method == "GET" {
		status, _, _ := c.Get(t, path)
		return status
	}
	if method != "POST" { // the API's PATCH and DELETE
		req, _ := http.NewRequest(method, c.Base+path, strings.NewReader(`{"role": "creator"}`))
		req.Header.Set("Content-Type", "application/json")
		status, _, _ := c.Do(t, req)
		return status
	}
	status, _, _ := c.PostForm(t, path, url.Values{"role": {"creator"}})
	return status
}

// A portal user is reached only under their own portal of the caller's
// account: another account's portal or user, another portal's user or a
// staff user are not found, and nothing happens to them.
func TestThePortalUserLifecycleReachesOnlyUsersOfThePortalInThePath(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		org2 := &padlock.Organization{AccountID: org.AccountID, Name: "Hooli", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), org2); err != nil {
			t.Fatal(err)
		}
		_, pu2 := portalWithUser(t, a, admin, org2, "client@hooli.test", padlock.RoleLite)
		staff := userID(t, a, "admin@acme.test")

		a.CreateAccount(t, "Globex IT", "admin@globex.test")
		globex := a.NewClient()
		globex.SignIn(t, "admin@globex.test", testenv.Password)
		gorg := &padlock.Organization{AccountID: userAccount(t, a, "admin@globex.test"), Name: "Umbrella", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), gorg); err != nil {
			t.Fatal(err)
		}
		gp, gu := portalWithUser(t, a, globex, gorg, "client@umbrella.test", padlock.RoleLite)

		cases := []struct {
			name         string
			portal, user int64
		}{
			{"another account's portal and user", gp.ID, gu.ID},
			{"another account's user under this account's portal", p.ID, gu.ID},
			{"this account's user under another account's portal", gp.ID, pu.ID},
			{"a user of another portal of the account", p.ID, pu2.ID},
			{"a staff user under a portal path", p.ID, staff},
			{"a portal that does not exist", 99999, pu.ID},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, r := range lifecycleRoutes(tc.portal, tc.user) {
					if status := do(t, admin, r.method, r.path); status != http.StatusNotFound {
						t.Errorf("%s %s: %d, want 404", r.method, r.path, status)
					}
				}
			})
		}
		for _, u := range []struct {
			email string
			role  padlock.Role
		}{{pu.Email, padlock.RoleLite}, {pu2.Email, padlock.RoleLite}, {gu.Email, padlock.RoleLite}, {"admin@acme.test", padlock.RoleAdministrator}} {
			got := testenv.Credentials(t, a.DB, u.email).User
			if got.Status != padlock.StatusActive || got.Role != u.role {
				t.Errorf("%s is now %s, %s", u.email, got.Role, got.Status)
			}
		}
	})
}

func userAccount(t *testing.T, a *testenv.TestApp, email string) int64 {
	t.Helper()
	return testenv.Credentials(t, a.DB, email).User.AccountID
}

// Administrators and Managers carry out the whole lifecycle; every other
// role is refused each step.
func TestOnlyThoseWhoManagePortalsRunAPortalUsersLifecycle(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p := newPortal(t, a, admin, org, false)
		adminUser := testenv.Credentials(t, a.DB, "admin@acme.test").User
		for _, role := range padlock.Roles[1:] {
			a.AddUser(t, adminUser, string(role)+"@acme.test", role)
		}
		for _, role := range padlock.Roles {
			t.Run(role.Label(), func(t *testing.T) {
				c := admin
				if role != padlock.RoleAdministrator {
					c = a.NewClient()
					c.SignIn(t, string(role)+"@acme.test", testenv.Password)
				}
				pu := invitePortalUser(t, a, admin, p, string(role)+"@initech.test", padlock.RoleLite)
				allowed := role.Can(padlock.PermManagePortals)
				for _, r := range lifecycleRoutes(p.ID, pu.ID) {
					if strings.HasSuffix(r.path, "/resend") {
						continue // the user has accepted: a conflict for those allowed
					}
					status := do(t, c, r.method, r.path)
					if allowed && status >= 400 || !allowed && status != http.StatusForbidden {
						t.Errorf("%s: %s %s: %d", role.Label(), r.method, r.path, status)
					}
				}
				_, err := a.DB.Conn().PortalUser(t.Context(), p.AccountID, p.ID, pu.ID)
				if allowed == (err == nil) {
					t.Errorf("%s: after the lifecycle the user is there: %v", role.Label(), err == nil)
				}
			})
		}
	})
}
