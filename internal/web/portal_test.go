package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// newPortal creates a portal for org through Account > Client portals.
func newPortal(t *testing.T, a *testenv.TestApp, admin *testenv.Client, org *padlock.Organization, requireMFA bool) *padlock.Portal {
	t.Helper()
	form := url.Values{"organization": {fmt.Sprint(org.ID)}, "name": {org.Name + " portal"}}
	if requireMFA {
		form.Set("require_mfa", "on")
	}
	status, loc, body := admin.PostForm(t, "/account/portals", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/account/portals/") {
		t.Fatalf("create portal: %d %q\n%.400s", status, loc, body)
	}
	var id int64
	fmt.Sscanf(strings.TrimPrefix(loc, "/account/portals/"), "%d", &id)
	p, err := a.DB.Conn().Portal(t.Context(), org.AccountID, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// portalWithUser creates a portal for org and a portal user who accepted
// their invitation from the emailed /portal/invitation link.
func portalWithUser(t *testing.T, a *testenv.TestApp, admin *testenv.Client, org *padlock.Organization, email string, role padlock.Role) (*padlock.Portal, *padlock.User) {
	t.Helper()
	p := newPortal(t, a, admin, org, false)
	return p, invitePortalUser(t, a, admin, p, email, role)
}

func invitePortalUser(t *testing.T, a *testenv.TestApp, admin *testenv.Client, p *padlock.Portal, email string, role padlock.Role) *padlock.User {
	t.Helper()
	status, _, body := admin.PostForm(t, fmt.Sprintf("/account/portals/%d/users", p.ID), url.Values{"emails": {email}, "role": {string(role)}})
	if status != http.StatusSeeOther {
		t.Fatalf("invite portal user: %d\n%.400s", status, body)
	}
	msg := a.SMTP.WaitFor(t, email, "invit")
	if !strings.Contains(msg.Body, "/portal/invitation/") {
		t.Fatalf("the invitation does not lead to the portal:\n%s", msg.Body)
	}
	token := testenv.LinkToken(t, msg.Body, "/portal/invitation/")
	c := a.NewClient()
	if status, loc, _ := c.PostForm(t, "/portal/invitation/"+token, url.Values{"name": {"Client " + email}, "password": {testenv.Password}}); status != http.StatusSeeOther || loc != "/portal/login" {
		t.Fatalf("accept portal invitation: %d %q", status, loc)
	}
	c2, err := a.DB.Conn().CredentialsByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return c2.User
}

// portalSignIn signs a client in at /portal/login.
func portalSignIn(t *testing.T, c *testenv.Client, email string) string {
	t.Helper()
	status, loc, body := c.PostForm(t, "/portal/login", url.Values{"email": {email}, "password": {testenv.Password}})
	if status != http.StatusSeeOther {
		t.Fatalf("portal sign-in %s: %d\n%.400s", email, status, body)
	}
	return loc
}

// twoOrganizations is an account with organizations X and Y, a document of
// each shared with its portal, one that is not, and a portal for each with
// a user.
type twoOrganizations struct {
	a                          *testenv.TestApp
	admin                      *testenv.Client
	x, y                       *padlock.Organization
	xShared, xPrivate, yShared *padlock.Document
	px, py                     *padlock.Portal
}

func setUpTwoOrganizations(t *testing.T, d string) *twoOrganizations {
	t.Helper()
	a, admin, x, _ := signedInAdmin(t, d)
	f := &twoOrganizations{a: a, admin: admin, x: x}
	f.y = &padlock.Organization{AccountID: x.AccountID, Name: "Globex", CreatedAt: a.Clock.Now()}
	if err := a.DB.Conn().CreateOrganization(t.Context(), f.y); err != nil {
		t.Fatal(err)
	}
	doc := func(org *padlock.Organization, title string, shared bool) *padlock.Document {
		dd := &padlock.Document{AccountID: org.AccountID, OrganizationID: org.ID, Title: title, Body: "text of " + title, UpdatedAt: a.Clock.Now(), SharedWithPortal: shared}
		if err := a.DB.Conn().CreateDocument(t.Context(), dd); err != nil {
			t.Fatal(err)
		}
		return dd
	}
	f.xShared, f.xPrivate, f.yShared = doc(x, "X shared runbook", true), doc(x, "X private notes", false), doc(f.y, "Y shared runbook", true)
	f.px, _ = portalWithUser(t, a, admin, x, "lite@x.test", padlock.RoleLite)
	invitePortalUser(t, a, admin, f.px, "creator@x.test", padlock.RoleCreator)
	f.py, _ = portalWithUser(t, a, admin, f.y, "lite@y.test", padlock.RoleLite)
	return f
}

func TestAPortalUserSeesOnlyTheirOrganizationsSharedDocuments(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := setUpTwoOrganizations(t, d)
		c := f.a.NewClient()
		if loc := portalSignIn(t, c, "lite@x.test"); loc != "/portal/" {
			t.Fatalf("landed on %q", loc)
		}
		status, _, body := c.Get(t, "/portal/")
		if status != 200 || !strings.Contains(body, "X shared runbook") || strings.Contains(body, "X private notes") || strings.Contains(body, "Y shared") {
			t.Fatalf("the portal's documents: %d\n%s", status, between(body, "<main", "</main>"))
		}
		if status, _, body := c.Get(t, fmt.Sprintf("/portal/documents/%d", f.xShared.ID)); status != 200 || !strings.Contains(body, "text of X shared runbook") {
			t.Fatalf("shared document: %d", status)
		}
		for _, doc := range []*padlock.Document{f.xPrivate, f.yShared} {
			for _, path := range []string{"/portal/documents/%d"} { // editing is refused to Lite users outright
				if status, _, _ := c.Get(t, fmt.Sprintf(path, doc.ID)); status != http.StatusNotFound {
					t.Errorf("%s: %d, want 404", fmt.Sprintf(path, doc.ID), status)
				}
			}
		}
		// Lite users view; they cannot add or edit.
		if status, _, _ := c.PostForm(t, "/portal/documents", url.Values{"title": {"x"}}); status != http.StatusForbidden {
			t.Fatalf("a Lite portal user created a document: %d", status)
		}
	})
}

func TestPortalCreatorsAddAndEditSharedDocumentsOfTheirOrganization(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := setUpTwoOrganizations(t, d)
		c := f.a.NewClient()
		portalSignIn(t, c, "creator@x.test")
		status, loc, _ := c.PostForm(t, "/portal/documents", url.Values{"title": {"Printer how-to"}, "body": {"Press the green button."}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/documents/") {
			t.Fatalf("create: %d %q", status, loc)
		}
		if status, _, _ := c.PostForm(t, loc, url.Values{"title": {"Printer how-to"}, "body": {"Press the blue button."}}); status != http.StatusSeeOther {
			t.Fatalf("edit: %d", status)
		}
		// The account's staff see it in the organization, shared.
		_, _, body := f.admin.Get(t, fmt.Sprintf("/organizations/%d", f.x.ID))
		if !strings.Contains(body, "Printer how-to") {
			t.Fatal("the staff do not see the client's document")
		}
		if status, _, _ := c.PostForm(t, fmt.Sprintf("/portal/documents/%d", f.yShared.ID), url.Values{"title": {"hijack"}, "body": {"x"}}); status != http.StatusNotFound {
			t.Fatalf("edit another organization's document: %d", status)
		}
		if status, _, body := c.PostForm(t, "/portal/documents", url.Values{"title": {""}}); status != 422 || !strings.Contains(body, `id="title-error"`) {
			t.Fatalf("empty title: %d", status)
		}
	})
}

// Walks both route tables: a portal session opens no account page (404),
// an account session no portal page (404).
func TestPortalAndAccountSessionsNeverOpenTheOtherSurface(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := setUpTwoOrganizations(t, d)
		portal := f.a.NewClient()
		portalSignIn(t, portal, "lite@x.test")
		for _, r := range f.a.Web.RouteTable() {
			if r.Public() {
				continue
			}
			req, _ := http.NewRequest(r.Method, f.a.URL+samplePath(r.Path), strings.NewReader("title=x&name=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", f.a.URL)
			var c *testenv.Client
			if r.Surface == padlock.SurfaceAccount {
				c = portal
			} else {
				c = f.admin
			}
			if status, _, _ := c.Do(t, req); status != http.StatusNotFound {
				t.Errorf("%s %s with a session of the other surface: %d, want 404", r.Method, r.Path, status)
			}
		}
		// A portal token put in the account's cookie opens nothing either.
		stolen := testenv.NewClientFor(f.a.URL)
		u, _ := url.Parse(f.a.URL)
		stolen.Jar.SetCookies(u, []*http.Cookie{{Name: "padlock_session", Value: portal.CookieValue("padlock_portal_session"), Path: "/"}})
		if status, loc, _ := stolen.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("a portal token as an account session: %d %q", status, loc)
		}
		// Staff cannot sign in at the portal, clients not at the account.
		if status, _, _ := f.a.NewClient().PostForm(t, "/portal/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}}); status != 401 {
			t.Fatalf("staff signed in at the portal: %d", status)
		}
		if status, _, _ := f.a.NewClient().PostForm(t, "/login", url.Values{"email": {"lite@x.test"}, "password": {testenv.Password}}); status != 401 {
			t.Fatalf("a client signed in to the account: %d", status)
		}
	})
}

// The seed's MyGlue story: a portal created with "Require MFA for access to
// this portal" walks its user through enrollment; unchecking it lets them
// turn MFA off.
func TestAPortalThatRequiresMFAWalksItsUsersThroughEnrollment(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, doc := signedInAdmin(t, d)
		doc.SharedWithPortal = true
		if err := a.DB.Conn().UpdateDocument(t.Context(), doc); err != nil {
			t.Fatal(err)
		}
		p := newPortal(t, a, admin, org, true)
		invitePortalUser(t, a, admin, p, "client@initech.test", padlock.RoleLite)
		c := a.NewClient()
		if loc := portalSignIn(t, c, "client@initech.test"); !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
			t.Fatalf("sign-in landed on %q, want enrollment", loc)
		}
		for _, path := range []string{"/portal/", fmt.Sprintf("/portal/documents/%d", doc.ID), "/portal/settings"} {
			if status, loc, _ := c.Get(t, path); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
				t.Errorf("%s held at enrollment: %d %q", path, status, loc)
			}
		}
		e := enrollThroughForcedScreens(t, a, c, "/portal/")
		if status, _, body := c.Get(t, "/portal/"); status != 200 || !strings.Contains(body, doc.Title) {
			t.Fatalf("after enrollment: %d", status)
		}
		_, _, list := admin.Get(t, fmt.Sprintf("/account/portals/%d", p.ID))
		if !strings.Contains(list, "1 of 1 user has MFA") {
			t.Fatal("the portal's users list does not show the padlock closed")
		}
		// While required, MFA cannot be turned off; once unchecked it can.
		if status, _, _ := c.PostForm(t, "/portal/settings/mfa/disable", url.Values{"password": {testenv.Password}, "code": {e.code(a, 0)}}); status != http.StatusForbidden {
			t.Fatalf("disable while required: %d", status)
		}
		if status, _, _ := admin.PostForm(t, fmt.Sprintf("/account/portals/%d", p.ID), url.Values{"name": {p.Name}}); status != http.StatusSeeOther {
			t.Fatalf("uncheck the requirement: %d", status)
		}
		if status, _, _ := c.PostForm(t, "/portal/settings/mfa/disable", url.Values{"password": {testenv.Password}, "code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("disable once not required: %d", status)
		}
	})
}

// With a pending or enrollment-only portal session, every portal route sends
// the browser to the challenge or to enrollment.
func TestPendingPortalSessionsReachOnlyTheirNextStep(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p := newPortal(t, a, admin, org, true)
		invitePortalUser(t, a, admin, p, "held@initech.test", padlock.RoleEditor)
		invitePortalUser(t, a, admin, p, "mfa@initech.test", padlock.RoleEditor)
		withMFA := a.NewClient()
		portalSignIn(t, withMFA, "mfa@initech.test")
		enrollThroughForcedScreens(t, a, withMFA, "/portal/")
		withMFA.PostForm(t, "/portal/logout", nil)

		held, pending := a.NewClient(), a.NewClient()
		portalSignIn(t, held, "held@initech.test")
		if loc := portalSignIn(t, pending, "mfa@initech.test"); !strings.HasPrefix(loc, "/portal/login/mfa") {
			t.Fatalf("MFA user: %q", loc)
		}
		for _, r := range a.Web.RouteTable() {
			if r.Surface != padlock.SurfacePortal || r.Public() || strings.HasSuffix(r.Path, "/logout") {
				continue
			}
			for _, tc := range []struct {
				c    *testenv.Client
				want string
				ok   func(string) bool
			}{
				{pending, "/portal/login/mfa", func(p string) bool { return r.Access.String() == "challenge" }},
				{held, "/portal/settings/mfa/enroll", func(p string) bool { return r.Access.String() == "enrollment" }},
			} {
				if tc.ok(r.Path) {
					continue
				}
				req, _ := http.NewRequest(r.Method, a.URL+samplePath(r.Path), strings.NewReader("title=x&code=1"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", a.URL)
				status, loc, _ := tc.c.Do(t, req)
				if r.Access.String() == "challenge" && tc.c == held {
					tc.want = "/portal/"
				}
				if status != http.StatusSeeOther || !strings.HasPrefix(loc, tc.want) {
					t.Errorf("%s %s: %d %q, want a redirect to %s", r.Method, r.Path, status, loc, tc.want)
				}
			}
		}
	})
}

func TestDeletingAPortalEndsItsUsersSessionsAndNothingElse(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t, "postgres")
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	one := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	two := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	admin := one.CreateAccount(t, "Acme IT", "admin@acme.test")
	org := &padlock.Organization{AccountID: admin.AccountID, Name: "Initech", CreatedAt: clock.Now()}
	if err := one.DB.Conn().CreateOrganization(t.Context(), org); err != nil {
		t.Fatal(err)
	}
	ac := one.NewClient()
	ac.SignIn(t, "admin@acme.test", testenv.Password)
	p, _ := portalWithUser(t, one, ac, org, "client@initech.test", padlock.RoleLite)
	client := two.NewClient()
	portalSignIn(t, client, "client@initech.test")
	if status, _, _ := client.Get(t, "/portal/"); status != 200 {
		t.Fatalf("portal on node two: %d", status)
	}
	if status, _, body := ac.Get(t, fmt.Sprintf("/account/portals/%d/delete", p.ID)); status != 200 || !strings.Contains(body, "no longer be able to sign in") {
		t.Fatalf("confirmation: %d", status)
	}
	if status, _, _ := ac.PostForm(t, fmt.Sprintf("/account/portals/%d/delete", p.ID), nil); status != http.StatusSeeOther {
		t.Fatalf("delete: %d", status)
	}
	if status, loc, _ := client.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/login") {
		t.Fatalf("the deleted portal's session on node two: %d %q", status, loc)
	}
	if status, _, _ := two.NewClient().PostForm(t, "/portal/login", url.Values{"email": {"client@initech.test"}, "password": {testenv.Password}}); status != 401 {
		t.Fatalf("a deleted portal's user signed in: %d", status)
	}
	if _, err := one.DB.Conn().Organization(t.Context(), org.AccountID, org.ID); err != nil {
		t.Fatal("deleting the portal touched its organization")
	}
	if status, _, _ := ac.Get(t, "/organizations"); status != 200 {
		t.Fatal("the administrator's session ended")
	}
}

// Who may administer portals: Administrators and Managers; nobody else.
func TestPortalAdministrationPermissions(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p, pu := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		adminUser := &padlock.User{ID: userID(t, a, "admin@acme.test"), AccountID: org.AccountID, Role: padlock.RoleAdministrator}
		for _, role := range padlock.Roles[1:] {
			a.AddUser(t, adminUser, string(role)+"@acme.test", role)
		}
		other := &padlock.Organization{AccountID: org.AccountID, Name: "Other", CreatedAt: a.Clock.Now()}
		a.DB.Conn().CreateOrganization(t.Context(), other)
		for _, role := range padlock.Roles {
			t.Run(role.Label(), func(t *testing.T) {
				c := admin
				if role != padlock.RoleAdministrator {
					c = a.NewClient()
					c.SignIn(t, string(role)+"@acme.test", testenv.Password)
				}
				allowed := role == padlock.RoleAdministrator || role == padlock.RoleManager
				actions := []struct {
					name, method, path string
					form               url.Values
				}{
					{"list portals", "GET", "/account/portals", nil},
					{"create a portal", "POST", "/account/portals", url.Values{"organization": {fmt.Sprint(other.ID)}, "name": {"Other " + string(role)}}},
					{"edit a portal", "POST", fmt.Sprintf("/account/portals/%d", p.ID), url.Values{"name": {p.Name}}},
					{"invite a portal user", "POST", fmt.Sprintf("/account/portals/%d/users", p.ID), url.Values{"emails": {string(role) + "@client.test"}, "role": {"lite"}}},
					{"reset a portal user's MFA", "POST", fmt.Sprintf("/account/portals/%d/users/%d/reset-mfa", p.ID, pu.ID), nil},
				}
				for _, act := range actions {
					var status int
					if act.method == "GET" {
						status, _, _ = c.Get(t, act.path)
					} else {
						status, _, _ = c.PostForm(t, act.path, act.form)
					}
					if allowed && status >= 400 || !allowed && status != http.StatusForbidden {
						t.Errorf("%s may %s? status %d", role.Label(), act.name, status)
					}
				}
				if allowed {
					// Created one; delete it to keep the organization free.
					ps, _ := a.DB.Conn().Portals(t.Context(), org.AccountID, store.PortalPage{})
					for _, x := range ps {
						if x.OrganizationID == other.ID {
							if status, _, _ := c.PostForm(t, fmt.Sprintf("/account/portals/%d/delete", x.ID), nil); status != http.StatusSeeOther {
								t.Errorf("%s delete: %d", role.Label(), status)
							}
						}
					}
				} else if status, _, _ := c.PostForm(t, fmt.Sprintf("/account/portals/%d/delete", p.ID), nil); status != http.StatusForbidden {
					t.Errorf("%s may delete a portal? %d", role.Label(), status)
				}
			})
		}
	})
}

func TestPortalEventsAppearOnAccountActivity(t *testing.T) {
	t.Parallel()
	f := setUpTwoOrganizations(t, "sqlite")
	c := f.a.NewClient()
	portalSignIn(t, c, "lite@x.test")
	_, _, body := f.admin.Get(t, "/account/activity")
	if !strings.Contains(body, "lite@x.test") || !strings.Contains(body, `<td class="portal">`+f.px.Name+`</td>`) {
		t.Fatalf("the portal user's sign-in is not attributed to the portal:\n%s", between(body, "<table", "</table>"))
	}
}

func TestBadPortalInputGetsAClearAnswer(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p := newPortal(t, a, admin, org, false)
		cases := []struct {
			name, path string
			form       url.Values
			status     int
			field      string
		}{
			{"no organization", "/account/portals", url.Values{"name": {"X"}}, 422, "organization-error"},
			{"an organization of nobody", "/account/portals", url.Values{"organization": {"99999"}, "name": {"X"}}, 422, "organization-error"},
			{"a second portal for one organization", "/account/portals", url.Values{"organization": {fmt.Sprint(org.ID)}, "name": {"Again"}}, 409, "organization-error"},
			{"an empty name", fmt.Sprintf("/account/portals/%d", p.ID), url.Values{"name": {" "}}, 422, "name-error"},
			{"an account role for a portal user", fmt.Sprintf("/account/portals/%d/users", p.ID), url.Values{"emails": {"a@b.test"}, "role": {"administrator"}}, 422, "role-error"},
			{"a malformed address", fmt.Sprintf("/account/portals/%d/users", p.ID), url.Values{"emails": {"not-an-address"}, "role": {"lite"}}, 422, "emails-error"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := admin.PostForm(t, tc.path, tc.form)
				if status != tc.status || !strings.Contains(body, `id="`+tc.field+`"`) {
					t.Fatalf("status %d (want %d); %s shown: %v", status, tc.status, tc.field, strings.Contains(body, tc.field))
				}
			})
		}
		ps, _ := a.DB.Conn().Portals(t.Context(), org.AccountID, store.PortalPage{})
		if len(ps) != 1 || ps[0].Name != p.Name {
			t.Fatalf("bad input changed the portals: %+v", ps)
		}
		for _, path := range []string{"/account/portals/99999", "/account/portals/abc/edit", fmt.Sprintf("/account/portals/%d/users/99999", p.ID)} {
			if status, _, _ := admin.Get(t, path); status != http.StatusNotFound {
				t.Errorf("%s: %d", path, status)
			}
		}
	})
}
