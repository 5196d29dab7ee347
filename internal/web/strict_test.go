package web_test

import (
	"encoding/base32"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/testenv/webauthntest"
)

// requireStrict saves Account > Settings > Authentication with MFA
// required at the level given, long sessions and the grace given.
func requireStrict(t *testing.T, c *testenv.Client, level, graceDays string) (int, string) {
	t.Helper()
	form := url.Values{"require_mfa": {"on"}, "mfa_level": {level}, "grace_days": {graceDays},
		"session_idle_minutes": {"43200"}, "session_lifetime_hours": {"720"}}
	status, _, body := c.PostForm(t, "/account/settings/authentication", form)
	return status, body
}

// enableAppAt sets up an authenticator app through My Settings > MFA of the
// surface under base ("" or "/portal") and returns its secret.
func enableAppAt(t *testing.T, a *testenv.TestApp, c *testenv.Client, base string) enrolled {
	t.Helper()
	c.PostForm(t, base+"/settings/mfa/enroll", nil)
	_, _, body := c.Get(t, base+"/settings/mfa/enroll")
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secretOnPage(body))
	if err != nil || len(secret) != 20 {
		t.Fatalf("enrollment page at %q: %v\n%.400s", base, err, body)
	}
	e := enrolled{secret: secret}
	if status, loc, _ := c.PostForm(t, base+"/settings/mfa/verify", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
		t.Fatalf("verify: %d %q", status, loc)
	}
	c.PostForm(t, base+"/settings/mfa/recovery-codes/saved", nil)
	a.Clock.Advance(30 * time.Second)
	return e
}

// signInWithApp signs in on the surface under base with the password and
// a code, and returns where the code led.
func signInWithApp(t *testing.T, a *testenv.TestApp, c *testenv.Client, base, email string, e enrolled) string {
	t.Helper()
	status, loc, _ := c.PostForm(t, base+"/login", url.Values{"email": {email}, "password": {testenv.Password}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, base+"/login/mfa") {
		t.Fatalf("password step at %q: %d %q", base, status, loc)
	}
	code := mfa.Code(e.secret, mfa.Step(a.Clock.Now()), mfa.Digits)
	status, loc, body := c.PostForm(t, base+"/login/mfa", url.Values{"code": {code}})
	if status != http.StatusSeeOther {
		t.Fatalf("code step: %d\n%.400s", status, body)
	}
	return loc
}

// addPasskeyAt adds a passkey on the surface under base as the browser
// would, and returns where the last step led.
func addPasskeyAt(t *testing.T, c *testenv.Client, au *webauthntest.Authenticator, base string) string {
	t.Helper()
	if status, loc, body := c.PostForm(t, base+"/settings/mfa/passkeys/begin", url.Values{"password": {testenv.Password}}); status != http.StatusSeeOther || loc != base+"/settings/mfa/passkeys/new" {
		t.Fatalf("begin: %d %q\n%.400s", status, loc, body)
	}
	_, _, body := c.Get(t, base+"/settings/mfa/passkeys/new")
	answer, _, err := au.Create(pageOptions(t, body))
	if err != nil {
		t.Fatal(err)
	}
	status, loc, body := c.PostForm(t, base+"/settings/mfa/passkeys", url.Values{"name": {"Key"}, "credential": {answer}})
	if status != http.StatusSeeOther {
		t.Fatalf("add passkey: %d\n%.600s", status, body)
	}
	return loc
}

func TestTheStrictLevelHoldsAStaffUserWithOnlyAnAppAtAPasskeyAfterTheGrace(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, au := passkeyNode(t, d)
		addPasskey(t, admin, au, "Admin key")
		recoveryCodesOnPage(t, admin)
		adminUser, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		a.AddUser(t, adminUser.User, "lite@acme.test", padlock.RoleLite)
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		app := enableAppAt(t, a, lite, "")

		if status, body := requireStrict(t, admin, padlock.MFALevelPhishingResistant, "2"); status != http.StatusSeeOther {
			t.Fatalf("require phishing-resistant MFA: %d\n%.800s", status, body)
		}
		notice := a.SMTP.WaitFor(t, "lite@acme.test", "now requires a passkey")
		if !strings.Contains(notice.Body, "before "+mailTime(a.Clock.Now().Add(2*24*time.Hour))) {
			t.Errorf("the notice does not give the strict level's deadline:\n%s", notice.Body)
		}
		_, _, list := admin.Get(t, "/account/users?mfa=no_passkey")
		if !strings.Contains(list, "lite@acme.test") || strings.Contains(list, "admin@acme.test") || !strings.Contains(list, `<small class="factor">App</small>`) {
			t.Fatalf("the filter without a phishing-resistant factor:\n%s", between(list, "<tbody>", "</tbody>"))
		}
		if _, _, cov := admin.Get(t, "/account/coverage"); !strings.Contains(cov, `<span class="passkeys">1 with a passkey</span>`) {
			t.Errorf("coverage does not count the one user with a passkey:\n%s", between(cov, "<tbody>", "</tbody>"))
		}
		// During the grace the app still signs in, with a banner.
		lite = a.NewClient()
		signInWithApp(t, a, lite, "", "lite@acme.test", app)
		status, _, body := lite.Get(t, "/settings")
		if status != http.StatusOK || !strings.Contains(body, "requires a passkey or security key") {
			t.Fatalf("during the grace: %d, banner %q", status, between(body, `id="mfa-grace">`, "</p>"))
		}
		// After it, the same session and a new sign-in with the app are
		// held at adding a passkey; the app's enrollment is not offered.
		a.Clock.Advance(2*24*time.Hour + time.Second)
		if status, loc, _ := lite.Get(t, "/settings"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("after the grace: %d %q", status, loc)
		}
		fresh := a.NewClient()
		signInWithApp(t, a, fresh, "", "lite@acme.test", app)
		if status, loc, _ := fresh.Get(t, "/settings"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("a sign-in with the app after the grace: %d %q", status, loc)
		}
		_, _, body = fresh.Get(t, "/settings/mfa/enroll")
		if !strings.Contains(body, "Add a passkey to continue") || strings.Contains(body, "Show secret key") {
			t.Fatalf("enrollment at the strict level:\n%.800s", between(body, "<main", "</main>"))
		}
		if status, loc, _ := fresh.Get(t, "/settings/mfa"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("held session reached My Settings > MFA: %d %q", status, loc)
		}
		// Adding a passkey lets this session in, and the users list shows it.
		if loc := addPasskeyAt(t, fresh, au, ""); loc != "/settings/mfa" {
			t.Fatalf("adding a passkey leads to %q", loc)
		}
		if status, _, _ := fresh.Get(t, "/settings"); status != http.StatusOK {
			t.Fatalf("after adding a passkey: %d", status)
		}
		if status, loc, _ := lite.Get(t, "/settings"); status != http.StatusSeeOther {
			t.Fatalf("the other session that proved only the app got in: %d %q", status, loc)
		}
		_, _, list = admin.Get(t, "/account/users?mfa=no_passkey")
		if strings.Contains(list, "lite@acme.test") || strings.Contains(list, "admin@acme.test") {
			t.Fatalf("users with passkeys listed as without:\n%s", between(list, "<tbody>", "</tbody>"))
		}
	})
}

func TestTheStrictLevelOfAPortalHoldsAPortalUserWithOnlyAnApp(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{Localhost: true})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		admin := a.NewClient()
		admin.SignIn(t, "admin@acme.test", testenv.Password)
		org := &padlock.Organization{AccountID: 1, Name: "Initech", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), org); err != nil {
			t.Fatal(err)
		}
		p, _ := portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		c := a.NewClient()
		portalSignIn(t, c, "client@initech.test")
		app := enableAppAt(t, a, c, "/portal")

		form := url.Values{"name": {p.Name}, "require_mfa": {"on"}, "mfa_level": {padlock.MFALevelPhishingResistant}, "grace_days": {"0"}}
		if status, _, body := admin.PostForm(t, fmt.Sprintf("/account/portals/%d", p.ID), form); status != http.StatusSeeOther {
			t.Fatalf("portal at the strict level: %d\n%.600s", status, body)
		}
		a.SMTP.WaitFor(t, "client@initech.test", p.Name+" now requires a passkey")
		if status, loc, _ := c.Get(t, "/portal/"); status != http.StatusSeeOther || loc != "/portal/settings/mfa/enroll?next=%2Fportal%2F" {
			t.Fatalf("the portal user's session after the change: %d %q", status, loc)
		}
		fresh := a.NewClient()
		signInWithApp(t, a, fresh, "/portal", "client@initech.test", app)
		if status, loc, _ := fresh.Get(t, "/portal/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/portal/settings/mfa/enroll") {
			t.Fatalf("a portal sign-in with the app: %d %q", status, loc)
		}
		if _, _, body := fresh.Get(t, "/portal/settings/mfa/enroll"); !strings.Contains(body, "Add a passkey to continue") {
			t.Fatalf("portal enrollment at the strict level:\n%.600s", between(body, "<main", "</main>"))
		}
		au := webauthntest.New(a.URL)
		if loc := addPasskeyAt(t, fresh, au, "/portal"); loc != "/portal/settings/mfa" {
			t.Fatalf("adding a passkey leads to %q", loc)
		}
		if status, _, _ := fresh.Get(t, "/portal/"); status != http.StatusOK {
			t.Fatalf("after adding a passkey: %d", status)
		}
		// The staff's requirement is untouched.
		if acct, _ := a.DB.Conn().Account(t.Context(), 1); acct.RequiresMFA() {
			t.Fatal("the portal's level changed the account")
		}
	})
}

func TestOnlyAnAdministratorLowersTheStrictLevel(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, au := passkeyNode(t, d)
		addPasskey(t, admin, au, "Admin key")
		recoveryCodesOnPage(t, admin)
		adminUser, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		a.AddUser(t, adminUser.User, "manager@acme.test", padlock.RoleManager)
		manager := a.NewClient()
		manager.SignIn(t, "manager@acme.test", testenv.Password)
		enableAppAt(t, a, manager, "")

		if status, body := requireStrict(t, admin, padlock.MFALevelAny, "5"); status != http.StatusSeeOther {
			t.Fatalf("administrator requires MFA: %d\n%.600s", status, between(body, "<main", "</main>"))
		}
		if status, body := requireStrict(t, manager, padlock.MFALevelPhishingResistant, "5"); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="mfa_level-error"`) {
			t.Fatalf("a Manager without a passkey raised the level: %d", status)
		}
		// A Manager with a passkey may raise the level: that tightens.
		addPasskeyAt(t, manager, au, "")
		if status, body := requireStrict(t, manager, padlock.MFALevelPhishingResistant, "5"); status != http.StatusSeeOther {
			t.Fatalf("a Manager raises the level: %d\n%.600s", status, between(body, "<main", "</main>"))
		}
		// Lowering it back is refused to the Manager, beside the field.
		status, body := requireStrict(t, manager, padlock.MFALevelAny, "5")
		if status != http.StatusForbidden && status != http.StatusUnprocessableEntity || !strings.Contains(body, "Only an Administrator may accept any MFA again") {
			t.Fatalf("a Manager lowered the level: %d\n%.600s", status, between(body, "<main", "</main>"))
		}
		if acct, _ := a.DB.Conn().Account(t.Context(), 1); !acct.RequiresPhishingResistant() {
			t.Fatal("the level was lowered anyway")
		}
		// A level that is neither is a field error, never a 500.
		if status, body := requireStrict(t, admin, "strongest", "5"); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="mfa_level-error"`) {
			t.Fatalf("an unknown level: %d", status)
		}
		if status, _ := requireStrict(t, admin, padlock.MFALevelAny, "5"); status != http.StatusSeeOther {
			t.Fatalf("administrator lowers the level: %d", status)
		}
		if acct, _ := a.DB.Conn().Account(t.Context(), 1); acct.RequiresPhishingResistant() || !acct.RequiresMFA() {
			t.Fatal("the administrator's change was not saved")
		}
		if n := countEvents(t, a, 0, padlock.EventMFALevelChanged); n != 2 {
			t.Errorf("%d level changes recorded, want 2", n)
		}
	})
}

// A user who has a passkey but proves only a recovery code, once the strict
// level applies, is asked for the passkey and offered nothing else.
func TestTheStrictLevelAsksAUserWithAPasskeyForIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, c, au := passkeyNode(t, d)
		key, _ := addPasskey(t, c, au, "Laptop")
		codes := recoveryCodesOnPage(t, c)
		if status, body := requireStrict(t, c, padlock.MFALevelPhishingResistant, "0"); status != http.StatusSeeOther {
			t.Fatalf("require phishing-resistant MFA: %d\n%.600s", status, between(body, "<main", "</main>"))
		}
		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		if status, loc, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {codes[0]}}); status != http.StatusSeeOther {
			t.Fatalf("recovery code: %d %q", status, loc)
		}
		if status, loc, _ := c.Get(t, "/settings"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/mfa") {
			t.Fatalf("after a recovery code at the strict level: %d %q", status, loc)
		}
		status, _, body := c.Get(t, "/login/mfa")
		if status != http.StatusOK || !strings.Contains(body, `id="passkey-required"`) || strings.Contains(body, `name="code"`) {
			t.Fatalf("the challenge after a recovery code: %d\n%.800s", status, between(body, "<main", "</main>"))
		}
		answer, err := au.Get(pageOptions(t, body), key)
		if err != nil {
			t.Fatal(err)
		}
		if status, loc := postPasskey(t, c, answer); status != http.StatusSeeOther || loc != "/organizations" {
			t.Fatalf("the passkey after a recovery code: %d %q", status, loc)
		}
		if status, _, _ := c.Get(t, "/settings"); status != http.StatusOK {
			t.Fatalf("after the passkey: %d", status)
		}
	})
}

// At the strict level identity-provider MFA counts only for the contexts
// the account lists as phishing-resistant, read again at every click.
func TestIDPMFAMeetsTheStrictLevelOnlyForContextsListedAsPhishingResistant(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		s, _ := mfaAccount(t, d)
		a := s.a
		accept := url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "accept_idp_mfa": {"on"}, "mfa_contexts": {mfaContext}}
		s.saveOptions(t, accept)
		acct, err := a.DB.Conn().Account(t.Context(), 1)
		if err != nil {
			t.Fatal(err)
		}
		// A grace for those with an app (the Administrator), none left for
		// the Lite user without MFA, whose deadline passed already.
		acct.MFAStrictAt, acct.MFAGraceDays = a.Clock.Now(), 7
		if err := a.DB.Conn().SaveAuthenticationSettings(t.Context(), acct); err != nil {
			t.Fatal(err)
		}
		if status, _ := s.postOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "accept_idp_mfa": {"on"}, "mfa_contexts": {mfaContext},
			"strong_contexts": {"urn:example:not-accepted"}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("a phishing-resistant context that is not accepted: %d", status)
		}
		// IdP MFA of a context not listed is a weaker factor: the strict
		// level's grace, then enrollment of a passkey.
		s.idp.SignInAs("lite@acme.test", mfaContext)
		c := a.NewClient()
		s.signIn(t, c, "/organizations")
		if status, _, body := c.Get(t, "/organizations"); status != http.StatusOK || !strings.Contains(body, "requires a passkey or security key") {
			t.Fatalf("IdP MFA not listed, during the grace: %d", status)
		}
		a.Clock.Advance(7*24*time.Hour + time.Second)
		if status, loc, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("IdP MFA not listed, after the grace: %d %q", status, loc)
		}
		setStrong := func(contexts ...string) {
			t.Helper()
			cfg, err := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: 1})
			if err != nil {
				t.Fatal(err)
			}
			cfg.PhishingResistantContexts = contexts
			if err := a.DB.Conn().SaveSSOOptions(t.Context(), &cfg.SSOConfig, a.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		setStrong(mfaContext)
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("once the context is listed as phishing-resistant: %d", status)
		}
		setStrong()
		if status, loc, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("once the context is no longer listed: %d %q", status, loc)
		}
	})
}
