package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestSSOSignInThenForcedEnrollment: in an account that requires MFA, a
// Lite user without MFA chooses "Sign in with SSO", is signed in by the
// identity provider (whose page posts back with JavaScript, as real ones
// do), and is then held at enrollment like after a password, until MFA is
// set up.
func TestSSOSignInThenForcedEnrollment(t *testing.T) {
	t.Parallel()
	const liteEmail = "lin@example.com"
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		admin := a.CreateAccount(t, "Acme IT", adminEmail)
		a.AddUser(t, admin, liteEmail, padlock.RoleLite)
		idp := connectSSO(t, a, admin, "example.com")
		requireMFANow(t, a, admin.AccountID)
		idp.SignInAs(liteEmail, "")

		p := startBrowser(t, a.URL)
		p.step("sign in with SSO")
		p.open("/login")
		p.fill("#sso_email", liteEmail)
		p.click("#sso-submit")
		waitPath(p, "/settings/mfa/enroll")
		expectForcedEnrollment(p)

		p.step("set up MFA as required")
		secret := readSecretKey(p)
		p.fill("#code", freshCode(a, secret))
		p.click(`main form[action="/settings/mfa/verify"] button[type="submit"]`)
		p.expectPath("/settings/mfa/recovery-codes")
		p.click("#codes-saved")
		expectSignedIn(p)
		p.keep("after-sso-and-enrollment")
	})
}

// connectSSO connects the account to a test IdP through the SSO service,
// as the settings page does, and turns SSO on for the domain.
func connectSSO(t *testing.T, a *testenv.TestApp, admin *padlock.User, domain string) *ssotest.IDP {
	t.Helper()
	// The Administrator has signed in, which proves the domain of their address.
	if err := a.DB.Conn().RecordSignIn(context.Background(), admin.ID, a.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	return connectSSOTo(t, a, admin, 0, sso.OptionsInput{Enabled: true, JITRole: "lite", Domains: domain})
}

// connectSSOTo connects the account (portalID 0) or one of its portals to
// a new test IdP through the SSO service, as the settings page does, and
// saves the options.
func connectSSOTo(t *testing.T, a *testenv.TestApp, admin *padlock.User, portalID int64, options sso.OptionsInput) *ssotest.IDP {
	t.Helper()
	ctx, actor := context.Background(), auth.Actor{User: admin, Address: "test"}
	idp := ssotest.Start(t, "idp-e2e", a.Clock.Now)
	rec, err := a.SSO.Settings(ctx, actor, portalID)
	if err != nil {
		t.Fatal(err)
	}
	metadata, err := a.SSO.Metadata(ctx, rec.Tenant().Surface(), rec.PublicID)
	if err != nil {
		t.Fatal(err)
	}
	idp.Trust(t, metadata)
	if err := a.SSO.SaveIDP(ctx, actor, portalID, sso.IDPInput{MetadataXML: idp.MetadataXML(t)}); err != nil {
		t.Fatal(err)
	}
	if err := a.SSO.SaveOptions(ctx, actor, portalID, options); err != nil {
		t.Fatal(err)
	}
	return idp
}

// requireMFANow turns the account's requirement on with no grace period,
// as Account > Settings does for an Administrator who has MFA.
func requireMFANow(t *testing.T, a *testenv.TestApp, accountID int64) {
	t.Helper()
	ctx, conn := context.Background(), a.DB.Conn()
	acct, err := conn.Account(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	acct.MFARequiredAt = a.Clock.Now()
	if err := conn.SaveAuthenticationSettings(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := conn.RecomputeMFADeadlines(ctx, accountID, acct.MFARequiredAt, 0); err != nil {
		t.Fatal(err)
	}
}

// waitPath waits until the browser shows the path, for pages that move on
// by themselves (a meta refresh, an auto-submitting form).
func waitPath(p *page, want string) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for p.path() != want {
		if time.Now().After(deadline) {
			p.fatalf("want to reach %s, but the browser shows %s", want, p.path())
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.shot("")
}
