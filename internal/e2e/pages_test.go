package e2e

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The tour opens every page Padlock serves, as each kind of person who
// reaches it: someone not signed in, an Administrator before and after
// setting up MFA, an Editor in a grace period and then held at "Set up MFA
// to continue", and a portal user held at setup and then signed in with
// MFA. The layout and accessibility tests check each page it opens.
//
// Its pages come from the route table: TestTheTourOpensEveryPage fails
// when a GET route is neither opened by a stop below nor skipped in
// tourSkips with the reason, so a new page cannot be left out.

// The people of the tour, all in one account.
const (
	tourAdmin      = adminEmail
	tourEditor     = "edith.editor@example.com"
	tourLocked     = "lin.locked@example.com"
	tourInvitee    = "maximilian.featherstonehaugh-worthington@subsidiary.initech-holdings.example"
	tourClient     = "peter.gibbons@initech.example"
	tourClientLock = "milton.waddams@initech.example"
	tourClientNew  = "samir.nagheenanajar@initech.example"
	tourClientBoss = "joanna.administrator@initech.example"
)

// tourSkips are the GET routes the tour does not open, with the reason.
var tourSkips = map[string]string{
	"GET /healthz":                                    "plain text for the load balancer",
	"GET /readyz":                                     "plain text for the load balancer",
	"GET /metrics":                                    "Prometheus text",
	"GET /static/{file...}":                           "stylesheets and icons, not pages",
	"GET /{$}":                                        "redirects to /organizations",
	"GET /account/users.csv":                          "a CSV download",
	"GET /account/activity.csv":                       "a CSV download",
	"GET /account/coverage.csv":                       "a CSV download",
	"GET /sso/{id}/metadata":                          "SAML metadata (XML) for the identity provider",
	"GET /portal/sso/{id}/metadata":                   "a portal's SAML metadata (XML) for the client's identity provider",
	"GET /api/v1/me":                                  "JSON API",
	"GET /api/v1/users":                               "JSON API",
	"GET /api/v1/users/{id}":                          "JSON API",
	"GET /api/v1/coverage":                            "JSON API",
	"GET /api/v1/activity":                            "JSON API",
	"GET /api/v1/settings":                            "JSON API",
	"GET /api/v1/portals":                             "JSON API",
	"GET /api/v1/organizations":                       "JSON API",
	"GET /api/v1/organizations/{org}":                 "JSON API",
	"GET /api/v1/organizations/{org}/documents":       "JSON API",
	"GET /api/v1/organizations/{org}/documents/{doc}": "JSON API",
	"GET /api/v1/portals/{portal}/users":              "JSON API",
	"GET /api/v1/portals/{portal}":                    "JSON API",
	"GET /api/v1/portals/{portal}/users/{id}":         "JSON API",
	"GET /api/v1/openapi.json":                        "the API's OpenAPI document (JSON)",
	"GET /settings/mfa/recovery-codes.txt":            "a text file download",
	"GET /portal/settings/mfa/recovery-codes.txt":     "a text file download",
	"GET /account/portals/{portal}/users.csv":         "a CSV download",
	"GET /portal/users.csv":                           "a CSV download",
	"GET /settings/mfa/passkeys/new":                  "only after the password, on a node with a host name; passkey_browser_test.go opens it",
	"GET /portal/settings/mfa/passkeys/new":           "only after the password, on a node with a host name; passkey_browser_test.go opens it",
}

// tourStop is one page of the tour.
type tourStop struct {
	// name says whose page it is and what it shows, in failure messages.
	name string
	// route is the route that serves the page, as the route table writes
	// it ("GET /account/users/{id}"), or "" for the page of a path no route
	// serves.
	route string
	// path is where the page is, with ids and tokens from the seeded data.
	// A stop without a path is reached by via instead.
	path func(d *tourData) string
	// via reaches a page that only a form leads to, leaving the browser on it.
	via func(tr *tour)
	// status is the HTTP status the page is served with; 0 means 200.
	status int64
}

// tourLeg is a stretch of the tour as one person in one state: what it
// takes to get there, then the pages.
type tourLeg struct {
	who   string
	enter func(tr *tour)
	stops []tourStop
}

// tourData is what the tour seeded: the ids and single-use tokens its
// paths need, and the secrets of the authenticator apps it set up.
type tourData struct {
	setupToken                       string
	admin                            *padlock.User
	editorID, clientID               int64
	orgID, docID, portalID           int64
	apiKeyID                         int64
	ssoID, portalSSOID               string
	resetToken, portalResetToken     string
	unlockToken, portalUnlockToken   string
	invitationToken, portalInviteTok string
	secrets                          map[string][]byte
}

// tour is one run of the tour in one tab.
type tour struct {
	t     *testing.T
	a     *testenv.TestApp
	p     *page
	d     tourData
	pages int
}

// fixed is a stop's path as it is, for routes without parameters.
func fixed(path string) func(*tourData) string {
	return func(*tourData) string { return path }
}

// stopAt opens the page of a route without parameters.
func stopAt(name, route string) tourStop {
	return tourStop{name: name, route: route, path: fixed(strings.TrimPrefix(route, "GET "))}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// tourLegs is the tour, in order: each leg starts where the one before left
// the browser.
func tourLegs() []tourLeg {
	return []tourLeg{
		{
			who:   "before setup",
			enter: func(tr *tour) { tr.d.setupToken = setupToken(tr.t, tr.a) },
			stops: []tourStop{
				{name: "setup", route: "GET /setup/{token}", path: func(d *tourData) string { return "/setup/" + d.setupToken }},
			},
		},
		{
			who:   "not signed in",
			enter: seedTour,
			stops: []tourStop{
				stopAt("sign-in", "GET /login"),
				{name: "sign-in refused", route: "POST /login", via: func(tr *tour) {
					signIn(tr.p, "nobody@example.com")
					tr.p.waitText("#signin-error", "")
				}, status: 401},
				stopAt("forgotten password", "GET /forgot"),
				{name: "new password", route: "GET /reset/{token}", path: func(d *tourData) string { return "/reset/" + d.resetToken }},
				{name: "new password, link not valid", route: "GET /reset/{token}", path: fixed("/reset/not-a-token"), status: 404},
				{name: "unlock sign-in", route: "GET /unlock/{token}", path: func(d *tourData) string { return "/unlock/" + d.unlockToken }},
				{name: "invitation", route: "GET /invitation/{token}", path: func(d *tourData) string { return "/invitation/" + d.invitationToken }},
				// With a real id this link leaves for the identity provider;
				// Padlock's own page is the one for an id it does not know.
				{name: "SSO link of no account", route: "GET /sso/{id}/login", path: fixed("/sso/no-such-account/login"), status: 404},
				{name: "no such page", path: fixed("/no-such-page"), status: 404},
				stopAt("portal sign-in", "GET /portal/login"),
				{name: "a portal's own sign-in page, with SSO", route: "GET /portal/login", path: func(d *tourData) string { return "/portal/login?sso=" + d.portalSSOID }},
				{name: "portal SSO link of no portal", route: "GET /portal/sso/{id}/login", path: fixed("/portal/sso/no-such-portal/login"), status: 404},
				stopAt("portal forgotten password", "GET /portal/forgot"),
				{name: "portal new password", route: "GET /portal/reset/{token}", path: func(d *tourData) string { return "/portal/reset/" + d.portalResetToken }},
				{name: "portal unlock sign-in", route: "GET /portal/unlock/{token}", path: func(d *tourData) string { return "/portal/unlock/" + d.portalUnlockToken }},
				{name: "portal invitation", route: "GET /portal/invitation/{token}", path: func(d *tourData) string { return "/portal/invitation/" + d.portalInviteTok }},
			},
		},
		{
			who:   "administrator without MFA",
			enter: func(tr *tour) { signIn(tr.p, tourAdmin); tr.p.expectPath("/organizations") },
			stops: []tourStop{
				stopAt("account settings, warning that you have no MFA", "GET /account/settings"),
				stopAt("MFA off", "GET /settings/mfa"),
				stopAt("set up MFA", "GET /settings/mfa/enroll"),
			},
		},
		{
			who:   "administrator who has just set up MFA",
			enter: func(tr *tour) { tr.confirmEnrollment(tourAdmin, "") },
			stops: []tourStop{stopAt("recovery codes", "GET /settings/mfa/recovery-codes")},
		},
		{
			who: "administrator at the MFA code screen",
			enter: func(tr *tour) {
				tr.p.click("#codes-saved")
				tr.requireMFAWithGrace()
				signOut(tr.p)
				signIn(tr.p, tourAdmin)
				tr.p.expectPath("/login/mfa")
			},
			stops: []tourStop{stopAt("MFA code", "GET /login/mfa")},
		},
		{
			who: "administrator with MFA",
			enter: func(tr *tour) {
				tr.p.fill("#code", freshCode(tr.a, tr.d.secrets[tourAdmin]))
				tr.p.submit(challengeForm)
				tr.p.expectPath("/organizations")
			},
			stops: []tourStop{
				stopAt("organizations", "GET /organizations"),
				stopAt("new organization", "GET /organizations/new"),
				{name: "organization", route: "GET /organizations/{org}", path: orgPath("")},
				{name: "new document", route: "GET /organizations/{org}/documents/new", path: orgPath("/documents/new")},
				{name: "document", route: "GET /organizations/{org}/documents/{doc}", path: docPath("")},
				{name: "edit document", route: "GET /organizations/{org}/documents/{doc}/edit", path: docPath("/edit")},
				stopAt("users", "GET /account/users"),
				stopAt("invite users", "GET /account/users/new"),
				stopAt("MFA coverage", "GET /account/coverage"),
				{name: "edit user", route: "GET /account/users/{id}", path: func(d *tourData) string { return "/account/users/" + itoa(d.editorID) }},
				{name: "reset a user's MFA", route: "GET /account/users/{id}/reset-mfa", path: func(d *tourData) string { return "/account/users/" + itoa(d.editorID) + "/reset-mfa" }},
				stopAt("account settings, MFA required with a grace period", "GET /account/settings"),
				stopAt("activity", "GET /account/activity"),
				stopAt("single sign-on", "GET /account/settings/sso"),
				{name: "SSO connection test", route: "POST /sso/{id}/acs", via: func(tr *tour) {
					tr.p.click("#sso-test")
					tr.p.waitText("main h1", "SSO connection test")
					tr.p.expectPath("/sso/" + tr.d.ssoID + "/acs")
				}},
				stopAt("API keys", "GET /account/api-keys"),
				{name: "a new API key, shown once", route: "POST /account/api-keys", via: func(tr *tour) {
					tr.p.fill("#name", "monitoring-coverage-check")
					tr.p.fill("#code", freshCode(tr.a, tr.d.secrets[tourAdmin]))
					tr.p.click("#create-api-key")
					tr.p.waitText("#new-key", "copy your key now")
				}},
				{name: "revoke an API key", route: "GET /account/api-keys/{id}/revoke", path: func(d *tourData) string { return "/account/api-keys/" + itoa(d.apiKeyID) + "/revoke" }},
				stopAt("client portals", "GET /account/portals"),
				stopAt("new client portal", "GET /account/portals/new"),
				{name: "client portal", route: "GET /account/portals/{portal}", path: portalPath("")},
				{name: "edit client portal", route: "GET /account/portals/{portal}/edit", path: portalPath("/edit")},
				{name: "client portal single sign-on", route: "GET /account/portals/{portal}/sso", path: portalPath("/sso")},
				{name: "delete client portal", route: "GET /account/portals/{portal}/delete", path: portalPath("/delete")},
				{name: "portal user", route: "GET /account/portals/{portal}/users/{id}", path: func(d *tourData) string { return portalPath("/users/" + itoa(d.clientID))(d) }},
				{name: "reset a portal user's MFA", route: "GET /account/portals/{portal}/users/{id}/reset-mfa", path: func(d *tourData) string { return portalPath("/users/" + itoa(d.clientID) + "/reset-mfa")(d) }},
				{name: "delete a portal user", route: "GET /account/portals/{portal}/users/{id}/delete", path: func(d *tourData) string { return portalPath("/users/" + itoa(d.clientID) + "/delete")(d) }},
				stopAt("my settings", "GET /settings"),
				stopAt("MFA on", "GET /settings/mfa"),
				{name: "no such page, signed in", path: fixed("/organizations/no-such-page"), status: 404},
			},
		},
		{
			who: "editor in a grace period",
			enter: func(tr *tour) {
				signOut(tr.p)
				signIn(tr.p, tourEditor)
				tr.p.expectPath("/organizations")
				tr.p.waitText("#mfa-grace", "Set it up by")
			},
			stops: []tourStop{
				stopAt("organizations", "GET /organizations"),
				{name: "organization", route: "GET /organizations/{org}", path: orgPath("")},
				{name: "document", route: "GET /organizations/{org}/documents/{doc}", path: docPath("")},
				{name: "new document", route: "GET /organizations/{org}/documents/new", path: orgPath("/documents/new")},
				{name: "edit document", route: "GET /organizations/{org}/documents/{doc}/edit", path: docPath("/edit")},
				{name: "a page the role may not open", route: "GET /account/users", path: fixed("/account/users"), status: 403},
				stopAt("my settings", "GET /settings"),
				stopAt("MFA off", "GET /settings/mfa"),
				stopAt("set up MFA", "GET /settings/mfa/enroll"),
			},
		},
		{
			who: "editor held at Set up MFA",
			enter: func(tr *tour) {
				tr.a.Clock.Advance(8 * 24 * time.Hour) // past the grace period, and every session's lifetime
				signIn(tr.p, tourEditor)
				tr.p.expectPath("/settings/mfa/enroll")
			},
			stops: []tourStop{stopAt("set up MFA to continue", "GET /settings/mfa/enroll")},
		},
		{
			who:   "editor who has just set up MFA when held",
			enter: func(tr *tour) { tr.confirmEnrollment(tourEditor, "") },
			stops: []tourStop{stopAt("recovery codes", "GET /settings/mfa/recovery-codes")},
		},
		{
			who: "portal user held at Set up MFA",
			enter: func(tr *tour) {
				tr.p.click("#codes-saved")
				signOut(tr.p)
				signInToPortal(tr.p, tourClient)
				tr.p.expectPath("/portal/settings/mfa/enroll")
			},
			stops: []tourStop{stopAt("set up MFA to continue", "GET /portal/settings/mfa/enroll")},
		},
		{
			who:   "portal user who has just set up MFA",
			enter: func(tr *tour) { tr.confirmEnrollment(tourClient, "/portal") },
			stops: []tourStop{stopAt("recovery codes", "GET /portal/settings/mfa/recovery-codes")},
		},
		{
			who: "portal user with MFA",
			enter: func(tr *tour) {
				tr.p.click("#codes-saved")
				tr.p.expectPath("/portal/settings/mfa")
			},
			stops: []tourStop{
				{name: "no such page", path: fixed("/portal/no-such-page"), status: 404},
				{name: "shared documents", route: "GET /portal/{$}", path: fixed("/portal/")},
				{name: "document", route: "GET /portal/documents/{doc}", path: func(d *tourData) string { return "/portal/documents/" + itoa(d.docID) }},
				stopAt("new document", "GET /portal/documents/new"),
				{name: "edit document", route: "GET /portal/documents/{doc}/edit", path: func(d *tourData) string { return "/portal/documents/" + itoa(d.docID) + "/edit" }},
				stopAt("my settings", "GET /portal/settings"),
				stopAt("MFA on", "GET /portal/settings/mfa"),
			},
		},
		{
			who: "portal administrator with MFA",
			enter: func(tr *tour) {
				signOut(tr.p)
				signInToPortal(tr.p, tourClientBoss)
				tr.p.expectPath("/portal/settings/mfa/enroll")
				tr.confirmEnrollment(tourClientBoss, "/portal")
				tr.p.click("#codes-saved")
				tr.p.expectPath("/portal/")
			},
			stops: []tourStop{
				stopAt("users", "GET /portal/users"),
				{name: "user", route: "GET /portal/users/{id}", path: func(d *tourData) string { return "/portal/users/" + itoa(d.clientID) }},
				{name: "reset a user's MFA", route: "GET /portal/users/{id}/reset-mfa", path: func(d *tourData) string { return "/portal/users/" + itoa(d.clientID) + "/reset-mfa" }},
				stopAt("activity", "GET /portal/activity"),
			},
		},
		{
			who: "portal user at the MFA code screen",
			enter: func(tr *tour) {
				signOut(tr.p)
				signInToPortal(tr.p, tourClient)
				tr.p.expectPath("/portal/login/mfa")
			},
			stops: []tourStop{stopAt("MFA code", "GET /portal/login/mfa")},
		},
		{
			who: "portal user with only an app, held at adding a passkey",
			enter: func(tr *tour) {
				tr.requirePasskeysOfThePortal()
				tr.p.fill("#code", freshCode(tr.a, tr.d.secrets[tourClient]))
				tr.p.submit(`main form[action="/portal/login/mfa"]`)
				tr.p.expectPath("/portal/settings/mfa/enroll")
			},
			stops: []tourStop{stopAt("add a passkey to continue", "GET /portal/settings/mfa/enroll")},
		},
	}
}

func orgPath(rest string) func(*tourData) string {
	return func(d *tourData) string { return "/organizations/" + itoa(d.orgID) + rest }
}

func docPath(rest string) func(*tourData) string {
	return func(d *tourData) string { return orgPath("/documents/" + itoa(d.docID) + rest)(d) }
}

func portalPath(rest string) func(*tourData) string {
	return func(d *tourData) string { return "/account/portals/" + itoa(d.portalID) + rest }
}

// runTour walks the tour in the browser on a fresh node, seeding it on the
// way, and calls check on every page with its name. It returns how many
// pages it checked. The tests run it on SQLite alone: the pages are the
// same templates over the same data on either database, and the other
// browser tests already run on both.
func runTour(t *testing.T, p *page, a *testenv.TestApp, check func(name string)) int {
	t.Helper()
	tr := &tour{t: t, a: a, p: p, d: tourData{secrets: map[string][]byte{}}}
	for _, leg := range tourLegs() {
		p.step(leg.who)
		leg.enter(tr)
		for _, s := range leg.stops {
			name := leg.who + ": " + s.name
			p.step(name)
			if s.via != nil {
				s.via(tr)
			} else {
				tr.open(s.path(&tr.d), s.status)
			}
			check(name)
			tr.pages++
		}
	}
	return tr.pages
}

// open navigates to a path and checks that the browser shows that page,
// not a redirect elsewhere, served with the status.
func (tr *tour) open(path string, status int64) {
	p := tr.p
	p.t.Helper()
	if status == 0 {
		status = 200
	}
	ctx, cancel := p.stepContext()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.base+path))
	cancel()
	if err != nil {
		p.fatalf("open %s: %v", path, err)
	}
	u, _ := url.Parse(path)
	p.expectPath(u.Path)
	if resp.Status != status {
		p.fatalf("%s answered %d, want %d", path, resp.Status, status)
	}
}

// confirmEnrollment finishes the MFA setup the page shows, as the person
// would with their phone, and leaves the browser on the recovery codes.
func (tr *tour) confirmEnrollment(email, base string) {
	p := tr.p
	p.t.Helper()
	secret := readSecretKey(p)
	tr.d.secrets[email] = secret
	p.fill("#code", freshCode(tr.a, secret))
	p.click(`main form[action="` + base + `/settings/mfa/verify"] button[type="submit"]`)
	p.expectPath(base + "/settings/mfa/recovery-codes")
}

// requireMFAWithGrace makes the account require MFA with a week's grace,
// as the Administrator would under Account > Settings.
func (tr *tour) requireMFAWithGrace() {
	tr.t.Helper()
	err := tr.a.Admin.SaveAuthSettings(context.Background(), auth.Actor{User: tr.d.admin, Address: "test"}, admin.AuthSettings{
		RequireMFA: true, GraceDays: 7, SessionIdle: 5 * time.Hour, SessionLifetime: 24 * time.Hour,
	})
	if err != nil {
		tr.t.Fatalf("require MFA: %v", err)
	}
}

// requirePasskeysOfThePortal raises the portal's requirement to
// phishing-resistant MFA only, without grace.
func (tr *tour) requirePasskeysOfThePortal() {
	tr.t.Helper()
	p, err := tr.a.DB.Conn().PortalByID(context.Background(), tr.d.portalID)
	if err == nil {
		err = tr.a.Admin.UpdatePortal(context.Background(), auth.Actor{User: tr.d.admin, Address: "test"}, p.ID,
			admin.PortalInput{Name: p.Name, RequireMFA: true, PhishingResistant: true})
	}
	if err != nil {
		tr.t.Fatalf("require passkeys of the portal: %v", err)
	}
}

// signOut presses Sign out, opening the menu first where it is folded away.
func signOut(p *page) {
	p.t.Helper()
	if !p.visible("#sign-out") {
		p.toggle("header details > summary")
	}
	p.click("#sign-out")
	p.waitText("main h1", "Sign in")
}

// visible reports whether the element is on the page and shown.
func (p *page) visible(sel string) bool {
	p.t.Helper()
	js := `(() => { const e = document.querySelector(` + jsString(sel) + `); return !!e && e.checkVisibility(); })()`
	return run(p, "look for "+sel, chromedp.Evaluate[bool](js))
}

// TestTheTourOpensEveryPage checks the tour against the route table: every
// GET route is opened by a stop or skipped with a reason, and every stop
// and skip names a route that exists.
func TestTheTourOpensEveryPage(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	table := map[string]bool{}
	for _, r := range a.Web.RouteTable() {
		table[r.Method+" "+r.Path] = true
	}
	opened := map[string]bool{}
	for _, leg := range tourLegs() {
		for _, s := range leg.stops {
			if s.route == "" {
				continue
			}
			if !table[s.route] {
				t.Errorf("the tour's stop %q names %q, which is not in the route table", leg.who+": "+s.name, s.route)
			}
			opened[s.route] = true
		}
	}
	for r := range tourSkips {
		if !table[r] {
			t.Errorf("tourSkips names %q, which is not in the route table", r)
		}
		if opened[r] {
			t.Errorf("%q is both skipped and opened by the tour", r)
		}
	}
	var missing []string
	for r := range table {
		if strings.HasPrefix(r, "GET ") && !opened[r] && tourSkips[r] == "" {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	for _, r := range missing {
		t.Errorf("no stop of the tour opens %s: add one to tourLegs (pages_test.go), or a reason to tourSkips", r)
	}
}
