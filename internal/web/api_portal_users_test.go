package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A script runs a portal user's whole lifecycle as the portal user's page
// does, through the same services: invite as Portal administrator, change
// the portal role, send a new invitation (the old link void), delete the
// user (their session ends), and delete the portal (its users gone, the
// organization kept); each audited with the key's name.
func TestAKeyRunsAPortalUsersLifecycleAndDeletesThePortal(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		org, err := x.a.Docs.CreateOrganization(t.Context(), actor(adminOf(t, x)), "Initech")
		if err != nil {
			t.Fatal(err)
		}
		p, client := portalWithUser(t, x.a, x.admin, org, "client@initech.test", padlock.RoleLite)
		session := x.a.NewClient()
		portalSignIn(t, session, client.Email)
		users := fmt.Sprintf("/api/v1/portals/%d/users", p.ID)
		byKey := func(t *testing.T, kind string, target int64) {
			t.Helper()
			if e := eventOf(t, x.a, p.AccountID, kind, target); e.ActorLabel != "API key: nightly-report" || e.ActorID != 0 {
				t.Errorf("%s not audited with the key's name: %+v", kind, e)
			}
		}

		if ans := x.call(t, x.readWrite, "POST", users, `{"emails": ["dee@initech.test"], "role": "portal_administrator"}`); ans.status != http.StatusAccepted {
			t.Fatalf("invite a Portal administrator: %d %s", ans.status, ans.body)
		}
		dee := userID(t, x.a, "dee@initech.test")
		if ans := x.call(t, x.readOnly, "GET", users+"/"+itoa(dee), ""); !strings.Contains(ans.body, `"role":"portal_administrator"`) || !strings.Contains(ans.body, `"status":"invited"`) {
			t.Fatalf("the invited Portal administrator: %d %s", ans.status, ans.body)
		}
		cl := users + "/" + itoa(client.ID)
		for _, role := range []string{"portal_administrator", "creator"} {
			if ans := x.call(t, x.readWrite, "PATCH", cl, `{"role": "`+role+`"}`); ans.status != http.StatusOK || !strings.Contains(ans.body, `"role":"`+role+`"`) {
				t.Fatalf("role %s: %d %s", role, ans.status, ans.body)
			}
		}

		x.a.DeliverMail(t)
		first := testenv.LinkToken(t, mailsTo(x.a, "dee@initech.test")[0], "/portal/invitation/")
		if ans := x.call(t, x.readWrite, "POST", users+"/"+itoa(dee)+"/resend", ""); ans.status != http.StatusOK || !strings.Contains(ans.body, `"status":"invited"`) {
			t.Fatalf("resend: %d %s", ans.status, ans.body)
		}
		x.a.DeliverMail(t)
		msgs := mailsTo(x.a, "dee@initech.test")
		if len(msgs) != 2 {
			t.Fatalf("%d invitation mails, want 2", len(msgs))
		}
		c := x.a.NewClient()
		if status, _, _ := c.Get(t, "/portal/invitation/"+first); status != http.StatusNotFound {
			t.Errorf("the first link after a resend: %d", status)
		}
		if status, _, _ := c.Get(t, "/portal/invitation/"+testenv.LinkToken(t, msgs[1], "/portal/invitation/")); status != http.StatusOK {
			t.Errorf("the new link: %d", status)
		}
		byKey(t, padlock.EventInvited, dee)
		if ans := x.call(t, x.readWrite, "POST", cl+"/resend", ""); ans.status != http.StatusConflict || ans.errorCode(t) != padlock.ECONFLICT {
			t.Fatalf("resend to a user who accepted: %d %s", ans.status, ans.body)
		}

		if ans := x.call(t, x.readWrite, "DELETE", cl, ""); ans.status != http.StatusNoContent || ans.body != "" {
			t.Fatalf("delete the portal user: %d %s", ans.status, ans.body)
		}
		if status, _, _ := session.Get(t, "/portal/"); status != http.StatusSeeOther {
			t.Fatalf("the deleted portal user's session: %d", status)
		}
		byKey(t, padlock.EventUserDeleted, client.ID)
		for _, m := range []string{"GET", "DELETE"} {
			if ans := x.call(t, x.readWrite, m, cl, ""); ans.status != http.StatusNotFound {
				t.Fatalf("%s the deleted portal user: %d", m, ans.status)
			}
		}

		portal := fmt.Sprintf("/api/v1/portals/%d", p.ID)
		if ans := x.call(t, x.readWrite, "DELETE", portal, ""); ans.status != http.StatusNoContent {
			t.Fatalf("delete the portal: %d %s", ans.status, ans.body)
		}
		if _, err := x.a.DB.Conn().CredentialsByEmail(t.Context(), "dee@initech.test"); err == nil {
			t.Fatal("the deleted portal's user is still there")
		}
		if e := eventOf(t, x.a, p.AccountID, padlock.EventPortalDeleted, 0); e.ActorLabel != "API key: nightly-report" || e.PortalID != p.ID {
			t.Errorf("the portal's deletion is not audited with the key's name: %+v", e)
		}
		for _, m := range []string{"GET", "DELETE"} {
			if ans := x.call(t, x.readWrite, m, portal, ""); ans.status != http.StatusNotFound {
				t.Fatalf("%s the deleted portal: %d", m, ans.status)
			}
		}
		if ans := x.call(t, x.readOnly, "GET", fmt.Sprintf("/api/v1/organizations/%d", org.ID), ""); ans.status != http.StatusOK {
			t.Fatalf("the organization of the deleted portal: %d", ans.status)
		}
	})
}

// The screens' permission rules hold on the API: a Manager's session runs
// the lifecycle, an Editor's is refused each step and changes nothing.
func TestOnlyThoseWhoManagePortalsDeletePortalsAndTheirUsersThroughTheAPI(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		adminUser := testenv.Credentials(t, a.DB, "admin@acme.test").User
		a.AddUser(t, adminUser, "max@acme.test", padlock.RoleManager)
		a.AddUser(t, adminUser, "eve@acme.test", padlock.RoleEditor)
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		send := func(c *testenv.Client, method, path string) int {
			req, _ := http.NewRequest(method, a.URL+path, nil)
			req.Header.Set("Origin", a.URL)
			status, _, _ := c.Do(t, req)
			return status
		}
		user := fmt.Sprintf("/api/v1/portals/%d/users/%d", p.ID, pu.ID)
		portal := fmt.Sprintf("/api/v1/portals/%d", p.ID)
		eve := a.NewClient()
		eve.SignIn(t, "eve@acme.test", testenv.Password)
		for _, r := range []struct{ method, path string }{{"POST", user + "/resend"}, {"DELETE", user}, {"DELETE", portal}} {
			if status := send(eve, r.method, r.path); status != http.StatusForbidden {
				t.Errorf("an Editor's session: %s %s: %d, want 403", r.method, r.path, status)
			}
		}
		if _, err := a.DB.Conn().PortalUser(t.Context(), p.AccountID, p.ID, pu.ID); err != nil {
			t.Fatalf("the Editor's refused requests deleted the portal user: %v", err)
		}
		max := a.NewClient()
		max.SignIn(t, "max@acme.test", testenv.Password)
		if status := send(max, "DELETE", user); status != http.StatusNoContent {
			t.Fatalf("a Manager's session deleting a portal user: %d", status)
		}
		if status := send(max, "DELETE", portal); status != http.StatusNoContent {
			t.Fatalf("a Manager's session deleting a portal: %d", status)
		}
	})
}
