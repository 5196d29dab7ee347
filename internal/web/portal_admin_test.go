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

// clientAdmin is an account with a portal whose administrator is signed in
// at the portal, other users of that portal, and a second portal of the
// same account with a user.
type clientAdmin struct {
	a                *testenv.TestApp
	staff            *testenv.Client // the account's Administrator
	p, p2            *padlock.Portal
	boss, boss2      *padlock.User // the portal's administrators
	lite, other      *padlock.User // a Lite user of p, a user of p2
	bossClient       *testenv.Client
	liteClient       *testenv.Client
	staffAdminUserID int64
}

func newClientAdmin(t *testing.T, d string) *clientAdmin {
	t.Helper()
	a, staff, org, _ := signedInAdmin(t, d)
	f := &clientAdmin{a: a, staff: staff}
	// The staff grant the role with the portal's ordinary invitation form.
	f.p, f.boss = portalWithUser(t, a, staff, org, "boss@initech.test", padlock.RolePortalAdministrator)
	f.boss2 = invitePortalUser(t, a, staff, f.p, "boss2@initech.test", padlock.RolePortalAdministrator)
	f.lite = invitePortalUser(t, a, staff, f.p, "lite@initech.test", padlock.RoleLite)
	org2 := &padlock.Organization{AccountID: org.AccountID, Name: "Hooli", CreatedAt: a.Clock.Now()}
	if err := a.DB.Conn().CreateOrganization(t.Context(), org2); err != nil {
		t.Fatal(err)
	}
	f.p2, f.other = portalWithUser(t, a, staff, org2, "client@hooli.test", padlock.RoleLite)
	f.staffAdminUserID = userID(t, a, "admin@acme.test")
	f.bossClient, f.liteClient = a.NewClient(), a.NewClient()
	portalSignIn(t, f.bossClient, f.boss.Email)
	portalSignIn(t, f.liteClient, f.lite.Email)
	return f
}

// enablePortalMFA sets MFA up for a signed-in portal user from My Settings.
func enablePortalMFA(t *testing.T, a *testenv.TestApp, c *testenv.Client) {
	t.Helper()
	if status, _, _ := c.PostForm(t, "/portal/settings/mfa/enroll", nil); status != http.StatusSeeOther {
		t.Fatalf("start enrollment: %d", status)
	}
	_, _, body := c.Get(t, "/portal/settings/mfa/enroll")
	e := enrolled{secret: decodeSecret(t, secretOnPage(body))}
	if status, loc, _ := c.PostForm(t, "/portal/settings/mfa/verify", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
		t.Fatalf("verify: %d %q", status, loc)
	}
}

func TestAPortalAdminSeesAndInvitesTheirPortalsUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := newClientAdmin(t, d)
		status, _, body := f.bossClient.Get(t, "/portal/users")
		if status != http.StatusOK {
			t.Fatalf("GET /portal/users: %d", status)
		}
		for _, want := range []string{f.lite.Email, f.boss2.Email, "Portal administrator", `class="padlock open"`, `href="/portal/users"`, `href="/portal/activity"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the Users page lacks %q", want)
			}
		}
		if strings.Contains(body, f.other.Email) || strings.Contains(body, "admin@acme.test") {
			t.Error("the Users page shows someone outside the portal")
		}
		if _, _, csv := f.bossClient.Get(t, "/portal/users.csv"); !strings.Contains(csv, f.lite.Email) || strings.Contains(csv, f.other.Email) {
			t.Error("the CSV export is not the portal's users")
		}

		post(t, f.bossClient, "/portal/users", url.Values{"emails": {"new@initech.test"}, "role": {"editor"}}, http.StatusSeeOther)
		f.a.SMTP.WaitFor(t, "new@initech.test", "invit")
		u := testenv.Credentials(t, f.a.DB, "new@initech.test").User
		if u.PortalID != f.p.ID || u.Role != padlock.RoleEditor || u.Status != padlock.StatusInvited {
			t.Fatalf("invited: portal %d, %s, %s", u.PortalID, u.Role, u.Status)
		}
		if e := eventOf(t, f.a, f.p.AccountID, padlock.EventInvited, u.ID); e.ActorID != f.boss.ID || e.PortalID != f.p.ID {
			t.Errorf("invitation event: %+v", e)
		}
		post(t, f.bossClient, fmt.Sprintf("/portal/users/%d/resend", u.ID), nil, http.StatusSeeOther)

		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
		}{
			{"the Portal administrator role", url.Values{"emails": {"x@initech.test"}, "role": {"portal_administrator"}}, "role-error"},
			{"a staff role", url.Values{"emails": {"x@initech.test"}, "role": {"administrator"}}, "role-error"},
			{"an unknown role", url.Values{"emails": {"x@initech.test"}, "role": {"owner"}}, "role-error"},
			{"a malformed address", url.Values{"emails": {"not-an-address"}, "role": {"lite"}}, "emails-error"},
		} {
			t.Run("refuses "+tc.name, func(t *testing.T) {
				status, _, body := f.bossClient.PostForm(t, "/portal/users", tc.form)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+tc.field+`"`) {
					t.Errorf("status %d, want 422 with %s", status, tc.field)
				}
			})
		}
		if _, err := f.a.DB.Conn().CredentialsByEmail(t.Context(), "x@initech.test"); err == nil {
			t.Error("a refused invitation created a user")
		}
	})
}

func TestAPortalAdminDeactivatesReactivatesAndResetsMFAAuditedAndEmailed(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := newClientAdmin(t, d)
		enablePortalMFA(t, f.a, f.liteClient)
		page := fmt.Sprintf("/portal/users/%d", f.lite.ID)
		if _, _, body := f.bossClient.Get(t, page); !strings.Contains(body, `id="reset-mfa"`) || !strings.Contains(body, `id="deactivate"`) {
			t.Fatal("the user's page offers no Reset MFA or Deactivate")
		}
		if status, _, body := f.bossClient.Get(t, page+"/reset-mfa"); status != http.StatusOK || !strings.Contains(body, `id="confirm-reset-mfa"`) {
			t.Fatalf("confirmation: %d", status)
		}
		if loc := post(t, f.bossClient, page+"/reset-mfa", nil, http.StatusSeeOther); loc != page {
			t.Errorf("reset went to %q", loc)
		}
		if u := testenv.Credentials(t, f.a.DB, f.lite.Email).User; u.HasMFA() {
			t.Fatal("the user still has MFA")
		}
		if status, loc, _ := f.liteClient.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/login") {
			t.Fatalf("the user's session survived the reset: %d %q", status, loc)
		}
		if e := eventOf(t, f.a, f.p.AccountID, padlock.EventMFAReset, f.lite.ID); e.ActorID != f.boss.ID || e.PortalID != f.p.ID {
			t.Errorf("reset event: %+v", e)
		}
		f.a.SMTP.WaitFor(t, f.lite.Email, "MFA was reset")

		portalSignIn(t, f.liteClient, f.lite.Email)
		post(t, f.bossClient, page+"/deactivate", nil, http.StatusSeeOther)
		if status, _, _ := f.liteClient.Get(t, "/portal/"); status != http.StatusSeeOther {
			t.Fatalf("a deactivated user's session survived: %d", status)
		}
		f.a.SMTP.WaitFor(t, f.lite.Email, "was deactivated")
		post(t, f.bossClient, page+"/reactivate", nil, http.StatusSeeOther)
		f.a.SMTP.WaitFor(t, f.lite.Email, "is back")
		portalSignIn(t, f.a.NewClient(), f.lite.Email)
		for _, kind := range []string{padlock.EventDeactivated, padlock.EventReactivated} {
			if e := eventOf(t, f.a, f.p.AccountID, kind, f.lite.ID); e.ActorID != f.boss.ID || e.PortalID != f.p.ID {
				t.Errorf("%s event: %+v", kind, e)
			}
		}

		// The MSP sees what the client's administrator did, with its portal.
		_, _, activity := f.staff.Get(t, "/account/activity")
		for _, want := range []string{"MFA reset", "User deactivated", "User reactivated", f.boss.Email, f.p.Name} {
			if !strings.Contains(activity, want) {
				t.Errorf("Account > Activity lacks %q", want)
			}
		}
		// The portal's Activity shows its own events only.
		status, _, own := f.bossClient.Get(t, "/portal/activity")
		if status != http.StatusOK || !strings.Contains(own, "MFA reset") || !strings.Contains(own, f.lite.Email) {
			t.Fatalf("portal Activity: %d, shows the reset: %v", status, strings.Contains(own, "MFA reset"))
		}
		if strings.Contains(own, f.other.Email) || strings.Contains(own, "/account/activity") {
			t.Error("the portal's Activity shows another portal's events or links to the account's")
		}
		if status, _, body := f.bossClient.Get(t, "/portal/activity?user="+url.QueryEscape(f.other.Email)); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="user-error"`) {
			t.Errorf("filtering by another portal's user: %d", status)
		}
		if status, _, _ := f.bossClient.Get(t, "/portal/activity?user="+url.QueryEscape(f.lite.Email)); status != http.StatusOK {
			t.Errorf("filtering by the portal's user: %d", status)
		}
		for _, q := range []string{"before=abc", "before=-5", "category=nope", "from=yesterday"} {
			if status, _, _ := f.bossClient.Get(t, "/portal/activity?"+q); status != http.StatusUnprocessableEntity {
				t.Errorf("/portal/activity?%s: %d, want 422", q, status)
			}
		}
	})
}

func TestAPortalAdminCannotActOnThemselvesOrAnotherPortalAdmin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := newClientAdmin(t, d)
		for _, tc := range []struct {
			name string
			u    *padlock.User
			want int
		}{{"themselves", f.boss, http.StatusConflict}, {"another portal administrator", f.boss2, http.StatusForbidden}} {
			t.Run(tc.name, func(t *testing.T) {
				page := fmt.Sprintf("/portal/users/%d", tc.u.ID)
				if _, _, body := f.bossClient.Get(t, page); strings.Contains(body, `id="deactivate"`) || !strings.Contains(body, `id="no-actions"`) {
					t.Error("the page offers actions")
				}
				for _, action := range []string{"/deactivate", "/reset-mfa", "/reactivate", "/resend"} {
					if status, _, _ := f.bossClient.PostForm(t, page+action, nil); status != tc.want {
						t.Errorf("POST %s: %d, want %d", page+action, status, tc.want)
					}
				}
				if u := testenv.Credentials(t, f.a.DB, tc.u.Email).User; u.Status != padlock.StatusActive {
					t.Errorf("%s is %s", tc.u.Email, u.Status)
				}
			})
		}
		if status, _, _ := f.bossClient.Get(t, "/portal/users"); status != http.StatusOK {
			t.Fatalf("the portal administrator lost their session: %d", status)
		}
	})
}

// clientRoutes are the portal administrator's routes that take a user id.
func clientRoutes(user int64) []struct{ method, path string } {
	base := fmt.Sprintf("/portal/users/%d", user)
	return []struct{ method, path string }{
		{"GET", base},
		{"GET", base + "/reset-mfa"},
		{"POST", base + "/deactivate"},
		{"POST", base + "/reactivate"},
		{"POST", base + "/resend"},
		{"POST", base + "/reset-mfa"},
	}
}

// A portal administrator reaches the users of their own portal only: another
// portal's, another account's and staff users are not found, and so is
// every page of the account.
func TestAPortalAdminReachesOnlyTheirOwnPortalsUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := newClientAdmin(t, d)
		f.a.CreateAccount(t, "Globex IT", "admin@globex.test")
		globex := f.a.NewClient()
		globex.SignIn(t, "admin@globex.test", testenv.Password)
		gorg := &padlock.Organization{AccountID: userAccount(t, f.a, "admin@globex.test"), Name: "Umbrella", CreatedAt: f.a.Clock.Now()}
		if err := f.a.DB.Conn().CreateOrganization(t.Context(), gorg); err != nil {
			t.Fatal(err)
		}
		_, gu := portalWithUser(t, f.a, globex, gorg, "client@umbrella.test", padlock.RoleLite)

		for _, tc := range []struct {
			name string
			id   int64
		}{
			{"a user of another portal of the account", f.other.ID},
			{"a user of another account's portal", gu.ID},
			{"a member of the account's staff", f.staffAdminUserID},
			{"a user that does not exist", 99999},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, r := range clientRoutes(tc.id) {
					if status := do(t, f.bossClient, r.method, r.path); status != http.StatusNotFound {
						t.Errorf("%s %s: %d, want 404", r.method, r.path, status)
					}
				}
			})
		}
		for _, email := range []string{f.other.Email, gu.Email, "admin@acme.test"} {
			if u := testenv.Credentials(t, f.a.DB, email).User; u.Status != padlock.StatusActive {
				t.Errorf("%s is now %s", email, u.Status)
			}
		}
		// Every page of the account, ids of this account's own portal and
		// users included, is not found.
		ids := strings.NewReplacer("{portal}", itoa(f.p.ID), "{id}", itoa(f.lite.ID))
		for _, r := range accountRoutes(f.a) {
			if r.Public() {
				continue
			}
			path := samplePath(ids.Replace(r.Path))
			if status := do(t, f.bossClient, r.Method, path); status != http.StatusNotFound {
				t.Errorf("%s %s: %d, want 404", r.Method, path, status)
			}
		}
	})
}

// Other portal roles get 403 on every page of the portal's administration,
// and no menu entry for it.
func TestOnlyAPortalAdminOpensThePortalAdministration(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := newClientAdmin(t, d)
		editor := invitePortalUser(t, f.a, f.staff, f.p, "editor@initech.test", padlock.RoleEditor)
		editorClient := f.a.NewClient()
		portalSignIn(t, editorClient, editor.Email)
		for _, c := range []*testenv.Client{f.liteClient, editorClient} {
			for _, r := range f.a.Web.RouteTable() {
				if r.Surface != padlock.SurfacePortal || r.Permission() != padlock.PermManagePortalUsers {
					continue
				}
				path := strings.ReplaceAll(r.Path, "{id}", itoa(f.lite.ID))
				if status := do(t, c, r.Method, path); status != http.StatusForbidden {
					t.Errorf("%s %s: %d, want 403", r.Method, path, status)
				}
			}
			if _, _, body := c.Get(t, "/portal/"); strings.Contains(body, `href="/portal/users"`) {
				t.Error("the menu offers Users to a portal user who may not open it")
			}
		}
		if u := testenv.Credentials(t, f.a.DB, f.lite.Email).User; u.Status != padlock.StatusActive {
			t.Errorf("the walk changed the Lite user: %s", u.Status)
		}
	})
}

// Portal administrator is a portal role: no form or service gives it to a
// member of the account's staff.
func TestPortalAdminIsNeverAStaffRole(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		staff := testenv.Credentials(t, a.DB, "admin@acme.test").User
		ed := a.AddUser(t, staff, "ed@acme.test", padlock.RoleEditor)
		role := string(padlock.RolePortalAdministrator)
		if status, _, body := admin.PostForm(t, "/account/users", url.Values{"emails": {"x@acme.test"}, "role": {role}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="role-error"`) {
			t.Errorf("staff invitation as portal administrator: %d", status)
		}
		if status, _, _ := admin.PostForm(t, fmt.Sprintf("/account/users/%d/role", ed.ID), url.Values{"role": {role}}); status != http.StatusUnprocessableEntity {
			t.Errorf("staff role change to portal administrator: %d", status)
		}
		if _, _, body := admin.Get(t, "/account/users/new"); strings.Contains(body, role) {
			t.Error("the staff invitation form offers Portal administrator")
		}
		if _, _, body := admin.Get(t, fmt.Sprintf("/account/users/%d", ed.ID)); strings.Contains(body, role) {
			t.Error("the staff role form offers Portal administrator")
		}
		if _, _, body := admin.Get(t, "/account/settings/sso"); strings.Contains(body, role) {
			t.Error("the SSO form offers Portal administrator for new users")
		}
		if status, _, body := admin.PostForm(t, "/account/settings/sso/options", url.Values{"jit": {"on"}, "jit_role": {role}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="jit_role-error"`) {
			t.Errorf("SSO just-in-time role portal administrator: %d", status)
		}
		// The services refuse it too, whatever a form sends.
		if _, err := a.Admin.Invite(t.Context(), actor(staff), 0, []string{"y@acme.test"}, padlock.RolePortalAdministrator); err == nil {
			t.Error("Invite made a staff member a portal administrator")
		}
		if err := a.Admin.SetRole(t.Context(), actor(staff), ed.ID, padlock.RolePortalAdministrator); err == nil {
			t.Error("SetRole made a staff member a portal administrator")
		}
		if got := testenv.Credentials(t, a.DB, ed.Email).User.Role; got != padlock.RoleEditor {
			t.Errorf("the Editor is now %s", got)
		}
		// Given to a portal user by the staff, and taken back.
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		page := fmt.Sprintf("/account/portals/%d/users/%d", p.ID, pu.ID)
		post(t, admin, page+"/role", url.Values{"role": {role}}, http.StatusSeeOther)
		if got := testenv.Credentials(t, a.DB, pu.Email).User.Role; got != padlock.RolePortalAdministrator {
			t.Fatalf("the portal user is %s", got)
		}
		post(t, admin, page+"/role", url.Values{"role": {"lite"}}, http.StatusSeeOther)
	})
}

// The portal's requirement holds its administrator like anyone, and their
// Users page shows deadlines and who is overdue, as the staff's does.
func TestAPortalAdminIsHeldToThePortalsRequirementAndSeesWhoIsOverdue(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := newClientAdmin(t, d)
		form := url.Values{"name": {f.p.Name}, "require_mfa": {"on"}, "grace_days": {"0"}}
		post(t, f.staff, fmt.Sprintf("/account/portals/%d", f.p.ID), form, http.StatusSeeOther)
		if status, loc, _ := f.bossClient.Get(t, "/portal/users"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
			t.Fatalf("a portal administrator without MFA reached Users: %d %q", status, loc)
		}
		enrollThroughForcedScreens(t, f.a, f.bossClient, "/portal/users")
		status, _, body := f.bossClient.Get(t, "/portal/users")
		if status != http.StatusOK {
			t.Fatalf("Users after enrolling: %d", status)
		}
		for _, want := range []string{"Must set up by", `id="overdue-count"`, "MFA required", `class="badge overdue"`, `class="padlock closed"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the Users page lacks %q", want)
			}
		}
		if strings.Contains(body, `id="remind-all"`) {
			t.Error("the portal administrator is offered reminders, which stay with the MSP")
		}
	})
}
