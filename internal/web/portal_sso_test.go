package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/testenv/webauthntest"
)

// newAccountOf is an account whose Administrator is signed in, without SSO
// of its own.
func newAccountOf(t *testing.T, a *testenv.TestApp, name, domain string) *ssoAccount {
	t.Helper()
	email := "admin@" + domain
	s := &ssoAccount{a: a, user: a.CreateAccount(t, name, email), admin: a.NewClient(), settings: "/account/settings/sso"}
	s.admin.SignIn(t, email, testenv.Password)
	return s
}

// newSSOPortal gives owner's account a client portal for a new
// organization, with one portal user, boss@domain, who accepted their
// invitation; connects the portal to idp on its SSO tab, as the account's
// Administrator does (metadata pasted, then Test connection, as boss); and
// turns the portal's SSO on.
func newSSOPortal(t *testing.T, owner *ssoAccount, org, domain string, idp *ssotest.IDP, requireMFA bool) *ssoAccount {
	t.Helper()
	a := owner.a
	o := &padlock.Organization{AccountID: owner.user.AccountID, Name: org, CreatedAt: a.Clock.Now()}
	if err := a.DB.Conn().CreateOrganization(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	p := newPortal(t, a, owner.admin, o, requireMFA)
	s := &ssoAccount{a: a, admin: owner.admin, user: owner.user, idp: idp, portal: p, settings: fmt.Sprintf("/account/portals/%d/sso", p.ID)}
	invitePortalUser(t, a, s.admin, p, "boss@"+domain, padlock.RoleLite)
	s.connect(t, "boss@"+domain)
	s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}})
	return s
}

// portalSSOLink is where the "Sign in with SSO" of a portal's sign-in page
// goes, "" when the page offers none.
func portalSSOLink(page string) string {
	m := regexp.MustCompile(`<a href="([^"]*)" role="button" class="secondary" id="portal-sso">`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// A portal user signs in from their portal's own sign-in page, which offers
// "Sign in with SSO" while the portal's SSO is on, through the real
// bindings at the portal's addresses, and gets a session of the portal's
// surface only.
func TestAPortalUserSignsInWithTheirPortalsIdentityProvider(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		p := newSSOPortal(t, acme, "Initech", "initech.test", ssotest.Start(t, "idp-initech", a.Clock.Now), false)
		if !strings.HasPrefix(p.sp.ACSURL, a.URL+"/portal/sso/") || p.publicID == acme.publicID {
			t.Fatalf("the portal's ACS is %s, the account's %s", p.sp.ACSURL, acme.sp.ACSURL)
		}

		c := a.NewClient()
		_, _, page := c.Get(t, "/portal/login?sso="+p.publicID+"&next="+url.QueryEscape("/portal/settings"))
		link := portalSSOLink(page)
		if link != "/portal/sso/"+p.publicID+"/login?next=%2fportal%2fsettings" && link != "/portal/sso/"+p.publicID+"/login?next=%2Fportal%2Fsettings" {
			t.Fatalf("the portal's sign-in page offers %q", link)
		}
		status, _, page := c.PostForm(t, "/portal/login", url.Values{"email": {"boss@initech.test"}, "password": {"wrong"}, "sso": {p.publicID}})
		if status == http.StatusSeeOther || portalSSOLink(page) == "" {
			t.Fatalf("after a wrong password (%d) the page no longer offers SSO", status)
		}
		for _, path := range []string{"/portal/login", "/portal/login?sso=" + acme.publicID, "/login", "/login?sso=" + p.publicID} {
			if _, _, page := c.Get(t, path); portalSSOLink(page) != "" {
				t.Errorf("%s offers the portal's SSO", path)
			}
		}

		p.idp.SignInAs("boss@initech.test", "")
		status, loc, body := c.Get(t, link)
		if status != http.StatusFound || !strings.HasPrefix(loc, p.idp.SSOURL()) {
			t.Fatalf("Sign in with SSO: %d %q\n%s", status, loc, body)
		}
		form := p.idpForm(t, c, loc)
		if form.Action != p.sp.ACSURL {
			t.Fatalf("the IdP answers to %s, want the portal's ACS %s", form.Action, p.sp.ACSURL)
		}
		if status, loc, body := p.postToACS(t, c, form.SAMLResponse, form.RelayState); status != http.StatusSeeOther || loc != "/portal/settings" {
			t.Fatalf("ACS: %d %q\n%s", status, loc, between(body, "<main", "</main>"))
		}
		if status, _, _ := c.Get(t, "/portal/settings"); status != http.StatusOK {
			t.Fatalf("the portal after SSO: %d", status)
		}
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusNotFound {
			t.Fatalf("the account's pages after a portal's SSO: %d, want 404 as for any portal session", status)
		}
		if e := p.lastEvent(t, padlock.EventSignIn); e == nil || e.Detail != "SSO" || e.PortalID != p.portal.ID {
			t.Fatalf("sign-in event: %+v", e)
		}

		p.saveOptions(t, url.Values{"jit_role": {"lite"}})
		if _, _, page := a.NewClient().Get(t, "/portal/login?sso="+p.publicID); portalSSOLink(page) != "" {
			t.Fatal("the sign-in page offers SSO after the portal turned it off")
		}
		if status, _, _ := a.NewClient().Get(t, link); status != http.StatusNotFound {
			t.Fatalf("the sign-in link after the portal turned SSO off: %d", status)
		}
	})
}

// The portal's own MFA requirement applies to an SSO sign-in, through the
// same decision as a password: the challenge or enrollment when it asks for
// MFA, even where the account (which requires MFA and accepts its IdP's)
// would decide otherwise; the IdP's MFA only when the portal accepts its
// context, and only while it does.
func TestAPortalSSOSignInIsHeldToThePortalsRequirement(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		enableMFA(t, a, acme.admin)
		if status, body := requireMFA(t, acme.admin, true, "0"); status != http.StatusSeeOther {
			t.Fatalf("require MFA: %d\n%s", status, body)
		}
		acme.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "domains": {"acme.test"}, "accept_idp_mfa": {"on"}, "mfa_contexts": {mfaContext}})
		idp := ssotest.Start(t, "idp-clients", a.Clock.Now)
		strict := newSSOPortal(t, acme, "Initech", "initech.test", idp, true)
		lax := newSSOPortal(t, acme, "Hooli", "hooli.test", idp, false)
		invitePortalUser(t, a, acme.admin, strict.portal, "mfa@initech.test", padlock.RoleLite)
		enroller := a.NewClient()
		portalSignIn(t, enroller, "mfa@initech.test")
		enrollThroughForcedScreens(t, a, enroller, "/portal/")

		signIn := func(t *testing.T, p *ssoAccount, email, context string) (*testenv.Client, string) {
			t.Helper()
			p.idp.SignInAs(email, context)
			c := a.NewClient()
			status, loc, body := p.signIn(t, c, "/portal/")
			if status != http.StatusSeeOther {
				t.Fatalf("ACS: %d\n%s", status, between(body, "<main", "</main>"))
			}
			return c, loc
		}
		t.Run("a user without MFA goes to enrollment, though the account accepts the IdP's MFA", func(t *testing.T) {
			c, loc := signIn(t, strict, "boss@initech.test", mfaContext)
			if !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
				t.Fatalf("landed on %q, want enrollment", loc)
			}
			if status, loc, _ := c.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
				t.Fatalf("a portal page before enrollment: %d %q", status, loc)
			}
		})
		t.Run("a user with MFA goes to the challenge", func(t *testing.T) {
			if _, loc := signIn(t, strict, "mfa@initech.test", ""); !strings.HasPrefix(loc, "/portal/login/mfa") {
				t.Fatalf("landed on %q, want the challenge", loc)
			}
		})
		t.Run("a portal that does not require MFA lets its user in, though the account requires it", func(t *testing.T) {
			if _, loc := signIn(t, lax, "boss@hooli.test", ""); loc != "/portal/" {
				t.Fatalf("landed on %q", loc)
			}
		})
		t.Run("the IdP's MFA counts once the portal accepts its context, and only while it does", func(t *testing.T) {
			strict.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "accept_idp_mfa": {"on"}, "mfa_contexts": {mfaContext}})
			if _, loc := signIn(t, strict, "boss@initech.test", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"); !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
				t.Fatalf("another context: landed on %q, want enrollment", loc)
			}
			c, loc := signIn(t, strict, "boss@initech.test", mfaContext)
			if loc != "/portal/" {
				t.Fatalf("the accepted context: landed on %q", loc)
			}
			if e := strict.lastEvent(t, padlock.EventSignIn); e == nil || e.Detail != "SSO with MFA at the identity provider" || e.PortalID != strict.portal.ID {
				t.Fatalf("sign-in event: %+v", e)
			}
			if status, _, _ := c.Get(t, "/portal/"); status != http.StatusOK {
				t.Fatalf("with the IdP's MFA accepted: %d", status)
			}
			strict.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}})
			if status, loc, _ := c.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
				t.Fatalf("after the portal stopped accepting it: %d %q, want enrollment", status, loc)
			}
		})
	})
}

// Just-in-time creation is off by default on a portal too; turned on, it
// makes a user of this portal with the chosen portal role, never a Portal
// administrator, under the portal's requirement; an address that belongs
// to the staff or to another portal is neither matched nor created.
func TestJustInTimePortalUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newAccountOf(t, a, "Acme IT", "acme.test")
		idp := ssotest.Start(t, "idp-clients", a.Clock.Now)
		p := newSSOPortal(t, acme, "Initech", "initech.test", idp, true)
		newSSOPortal(t, acme, "Hooli", "hooli.test", idp, false)

		p.idp.SignInAs("newcomer@initech.test", "")
		status, _, body := p.signIn(t, a.NewClient(), "/portal/")
		if status != http.StatusUnauthorized || !strings.Contains(body, "this client portal has no Padlock user with your email") {
			t.Fatalf("JIT off: %d\n%s", status, between(body, "<main", "</main>"))
		}
		if e := p.lastEvent(t, padlock.EventSSOFailed); e == nil || e.Detail != "no user newcomer@initech.test" || e.PortalID != p.portal.ID {
			t.Fatalf("event: %+v", e)
		}
		for _, role := range []string{"portal_administrator", "administrator", "manager", ""} {
			status, body := p.postOptions(t, url.Values{"enabled": {"on"}, "jit": {"on"}, "jit_role": {role}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="jit_role-error"`) {
				t.Errorf("JIT role %q: %d", role, status)
			}
		}
		p.saveOptions(t, url.Values{"enabled": {"on"}, "jit": {"on"}, "jit_role": {"creator"}})
		status, loc, _ := p.signIn(t, a.NewClient(), "/portal/")
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
			t.Fatalf("JIT on: %d %q, want the portal's enrollment", status, loc)
		}
		u := testenv.Credentials(t, a.DB, "newcomer@initech.test").User
		if u.PortalID != p.portal.ID || u.Role != padlock.RoleCreator || u.Status != padlock.StatusActive || u.AccountID != acme.user.AccountID {
			t.Fatalf("JIT user: %+v", u)
		}
		if e := p.lastEvent(t, padlock.EventSSOUserCreated); e == nil || e.TargetID != u.ID || e.PortalID != p.portal.ID {
			t.Fatalf("event: %+v", e)
		}
		for _, email := range []string{"admin@acme.test", "boss@hooli.test"} {
			p.idp.SignInAs(email, "")
			c := a.NewClient()
			status, _, body := p.signIn(t, c, "/portal/")
			if status != http.StatusUnauthorized || !strings.Contains(body, "no Padlock user with your email") {
				t.Errorf("%s at Initech's ACS: %d\n%s", email, status, between(body, "<main", "</main>"))
			}
			if before := testenv.Credentials(t, a.DB, email).User; before.PortalID == p.portal.ID {
				t.Errorf("%s was moved into the portal", email)
			}
		}
	})
}

// Enforcing SSO on a portal closes password sign-in to its users but its
// break-glass users, who must be users of that portal; the account's staff
// and other portals keep their passwords.
func TestEnforcingSSOOnAPortal(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newAccountOf(t, a, "Acme IT", "acme.test")
		idp := ssotest.Start(t, "idp-clients", a.Clock.Now)
		p := newSSOPortal(t, acme, "Initech", "initech.test", idp, false)
		other := newSSOPortal(t, acme, "Hooli", "hooli.test", idp, false)
		invitePortalUser(t, a, acme.admin, p.portal, "glass@initech.test", padlock.RoleLite)

		enforce := url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "enforce": {"on"}}
		for _, email := range []string{"admin@acme.test", "boss@hooli.test", "nobody@initech.test"} {
			enforce.Set("break_glass", email)
			if status, body := p.postOptions(t, enforce); status != http.StatusUnprocessableEntity || !strings.Contains(body, "not an active user of this portal") {
				t.Errorf("break-glass %s: %d", email, status)
			}
		}
		if status, body := p.postOptions(t, url.Values{"jit_role": {"lite"}, "enforce": {"on"}}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="enforce-error"`) {
			t.Errorf("enforcing with SSO off: %d", status)
		}
		enforce.Set("break_glass", "glass@initech.test")
		p.saveOptions(t, enforce)

		c := a.NewClient()
		status, _, body := c.PostForm(t, "/portal/login", url.Values{"email": {"boss@initech.test"}, "password": {testenv.Password}})
		if e := p.lastEvent(t, padlock.EventSignInFailed); e == nil || !strings.Contains(e.Detail, "SSO is enforced") || e.PortalID != p.portal.ID {
			t.Fatalf("event: %+v", e)
		}
		_, _, wrong := a.NewClient().PostForm(t, "/portal/login", url.Values{"email": {"boss@initech.test"}, "password": {"wrong"}})
		if message := between(body, `id="signin-error">`, "<"); status == http.StatusSeeOther || message == "" || message != between(wrong, `id="signin-error">`, "<") {
			t.Fatalf("the password of a portal user under enforcement: %d\n%s", status, between(body, "<main", "</main>"))
		}
		if loc := portalSignIn(t, a.NewClient(), "glass@initech.test"); loc != "/portal/" {
			t.Fatalf("the break-glass user: %q", loc)
		}
		if loc := portalSignIn(t, a.NewClient(), "boss@hooli.test"); loc != "/portal/" {
			t.Fatalf("another portal's user: %q", loc)
		}
		a.NewClient().SignIn(t, "admin@acme.test", testenv.Password)
		if rec, _ := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: acme.user.AccountID, PortalID: other.portal.ID}); rec.Enforce {
			t.Fatal("enforcing one portal enforced another")
		}
	})
}

// A portal's SSO tab is the account's Administrators' alone, on the
// portal's Edit screen of their own account: a Manager, who edits portals,
// is refused it, and another account's Administrator finds no such portal.
// The tab shows the portal's own service-provider addresses, and Test
// connection succeeds only for a user of this portal.
func TestAPortalsSSOTabIsForTheAccountsAdministrators(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		p := newSSOPortal(t, acme, "Initech", "initech.test", ssotest.Start(t, "idp-initech", a.Clock.Now), false)
		routes := []struct{ method, path string }{
			{"GET", p.settings}, {"POST", p.settings + "/idp"}, {"POST", p.settings + "/options"}, {"POST", p.settings + "/test"},
		}

		_, _, edit := acme.admin.Get(t, fmt.Sprintf("/account/portals/%d/edit", p.portal.ID))
		if !strings.Contains(edit, `href="`+p.settings+`"`) {
			t.Fatal("the Administrator's Edit screen has no SSO tab")
		}
		_, _, tab := acme.admin.Get(t, p.settings)
		for _, want := range []string{p.sp.EntityID, p.sp.ACSURL, a.URL + "/portal/login?sso=" + p.publicID} {
			if !strings.Contains(tab, want) {
				t.Errorf("the SSO tab does not show %s", want)
			}
		}
		if strings.Contains(tab, acme.sp.EntityID) || strings.Contains(tab, `id="domains"`) {
			t.Error("the portal's SSO tab shows the account's entity ID or email domains")
		}

		t.Run("Test connection names a user of this portal only, and leads back to the tab", func(t *testing.T) {
			p.idp.SignInAs("admin@acme.test", "")
			res := p.testConnection(t)
			if !strings.Contains(res, "admin@acme.test is not an active user of this portal") || !strings.Contains(res, `href="`+p.settings+`"`) {
				t.Fatalf("test result:\n%s", between(res, "<main", "</main>"))
			}
		})
		t.Run("a Manager is refused", func(t *testing.T) {
			acme.addUser(t, "manager@acme.test", padlock.RoleManager)
			c := a.NewClient()
			c.SignIn(t, "manager@acme.test", testenv.Password)
			for _, r := range routes {
				if status := do(t, c, r.method, r.path); status != http.StatusForbidden {
					t.Errorf("%s %s as Manager: %d, want 403", r.method, r.path, status)
				}
			}
			_, _, edit := c.Get(t, fmt.Sprintf("/account/portals/%d/edit", p.portal.ID))
			if !strings.Contains(edit, "Edit client portal") || strings.Contains(edit, `href="`+p.settings+`"`) {
				t.Error("the Manager's Edit screen offers the SSO tab")
			}
		})
		t.Run("another account's Administrator finds no such portal", func(t *testing.T) {
			globex := newAccountOf(t, a, "Globex IT", "globex.test")
			for _, r := range routes {
				if status := do(t, globex.admin, r.method, r.path); status != http.StatusNotFound {
					t.Errorf("%s %s from another account: %d, want 404", r.method, r.path, status)
				}
			}
			rec, _ := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: acme.user.AccountID, PortalID: p.portal.ID})
			if !rec.Enabled || rec.JIT {
				t.Fatalf("the portal's settings changed: %+v", rec.SSOConfig)
			}
			if _, err := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: globex.user.AccountID, PortalID: p.portal.ID}); err == nil {
				t.Fatal("settings were made for another account's portal")
			}
		})
	})
}

// While a portal enforces SSO, a passkey is no way around the client's
// identity provider either: only the portal's break-glass users may sign
// in with one, as with a password.
func TestPortalSSOEnforcementRefusesAPasskeySignInButToBreakGlassUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{Localhost: true})
		acme := newAccountOf(t, a, "Acme IT", "acme.test")
		p := newSSOPortal(t, acme, "Initech", "initech.test", ssotest.Start(t, "idp-initech", a.Clock.Now), false)
		c := a.NewClient()
		portalSignIn(t, c, "boss@initech.test")
		au := webauthntest.New(a.URL)
		c.PostForm(t, "/portal/settings/mfa/passkeys/begin", url.Values{"password": {testenv.Password}})
		_, _, body := c.Get(t, "/portal/settings/mfa/passkeys/new")
		answer, key, err := au.Create(pageOptions(t, body))
		if err != nil {
			t.Fatal(err)
		}
		if status, _, _ := c.PostForm(t, "/portal/settings/mfa/passkeys", url.Values{"name": {"Phone"}, "credential": {answer}}); status != http.StatusSeeOther {
			t.Fatalf("add a passkey: %d", status)
		}

		p.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "enforce": {"on"}})
		if status, _ := passkeySignIn(t, a.NewClient(), au, key, "/portal"); status != http.StatusUnauthorized {
			t.Fatalf("a passkey while the portal enforces SSO: %d", status)
		}
		if e := p.lastEvent(t, padlock.EventSignInFailed); e == nil || e.Detail != "passkey sign-in refused: SSO is enforced" || e.PortalID != p.portal.ID {
			t.Fatalf("event: %+v", e)
		}
		p.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "enforce": {"on"}, "break_glass": {"boss@initech.test"}})
		if status, loc := passkeySignIn(t, a.NewClient(), au, key, "/portal"); status != http.StatusSeeOther || loc != "/portal/settings" {
			t.Fatalf("a break-glass portal user's passkey: %d %q", status, loc)
		}
	})
}
