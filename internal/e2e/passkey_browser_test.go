package e2e

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpwebauthn "github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestAddAPasskeySignInWithItAndRemoveIt registers a passkey from My
// Settings > MFA with Chromium's virtual authenticator (a security key that
// answers at once), signs out, signs in with the password and the passkey
// as the second step, then with the passkey alone (a discoverable
// credential, the user verified), and removes it again.
func TestAddAPasskeySignInWithItAndRemoveIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		// A host name, not an IP address: WebAuthn refuses those.
		a := testenv.StartApp(t, d, testenv.Options{Localhost: true})
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("server log:\n%s", a.Log)
			}
		})
		a.CreateAccount(t, "Acme IT", adminEmail)
		p := startBrowser(t, a.URL)
		p.virtualAuthenticator(securityKey)
		// The page tour runs on an address, where no page offers passkeys:
		// the passkey pages are checked here, once (on SQLite).
		check := func(name string) {}
		if d == "sqlite" {
			axeCore := readAxeCore(t)
			check = func(name string) { p.checkPageOnEveryScreen(name, axeCore) }
		}

		p.step("sign in with the password")
		signIn(p, adminEmail)
		p.expectPath("/organizations")

		p.step("add a passkey after the password")
		p.open("/settings/mfa")
		check("MFA off, passkeys offered")
		p.toggle("#add-passkey-summary")
		p.fill("#add_password", testenv.Password)
		p.click("#add-passkey")
		p.expectPath("/settings/mfa/passkeys/new")
		check("add a passkey")
		p.fill("#name", "Virtual key")
		p.toggle("#create-passkey")
		p.waitPath("/settings/mfa/recovery-codes")
		p.waitText("main h1", "Your recovery codes")
		codes := p.texts("#recovery-codes li")
		if len(codes) != 10 {
			p.fatalf("%d recovery codes after the first passkey", len(codes))
		}
		p.click("#codes-saved")
		p.expectPath("/settings/mfa")
		p.waitText("main", "Virtual key")
		check("MFA on with a passkey")

		p.step("sign out and sign in with the password and the passkey")
		p.click("#sign-out")
		p.expectPath("/login")
		signIn(p, adminEmail)
		p.expectPath("/login/mfa")
		p.waitText("#passkey-form", "Use your authenticator app")
		check("second step with a passkey")
		p.toggle("#use-passkey")
		p.waitPath("/organizations")
		expectSignedIn(p)

		p.step("sign out and sign in with the passkey alone")
		p.click("#sign-out")
		p.expectPath("/login")
		p.waitText("#passkey-signin", "Sign in with a passkey")
		check("sign-in offering a passkey")
		p.toggle("#passkey-signin-button")
		p.waitPath("/organizations")
		expectSignedIn(p)

		p.step("remove the passkey, the last factor, with a recovery code")
		stored := storedPasskey(p, a)
		if stored.LastUsedAt.IsZero() {
			p.fatalf("the passkey's use was not stored: %+v", stored)
		}
		id := strconv.FormatInt(stored.ID, 10)
		p.open("/settings/mfa")
		p.toggle("#passkey-" + id + "-title + p + details + details summary")
		p.fill("#remove"+id+"_password", testenv.Password)
		p.fill("#remove"+id+"_code", codes[0])
		p.click("#remove-" + id)
		p.expectPath("/settings/mfa")
		p.waitText("#flash", "Passkey removed")
		p.waitText("main", "MFA is off")
	})
}

// The authenticators Chromium plays through the DevTools WebAuthn domain,
// each answering without a touch.
var (
	// platformAuthenticator is a passkey kept by the computer itself
	// (Windows Hello, Touch ID): it holds discoverable credentials and
	// verifies the user.
	platformAuthenticator = cdpwebauthn.VirtualAuthenticatorOptions{
		Protocol: cdpwebauthn.AuthenticatorProtocolCtap2, Ctap2version: cdpwebauthn.Ctap2versionCtap21,
		Transport: cdpwebauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
		IsUserVerified: true, AutomaticPresenceSimulation: true}
	// securityKey is a current USB key with a PIN: it holds discoverable
	// credentials and verifies the user.
	securityKey = cdpwebauthn.VirtualAuthenticatorOptions{
		Protocol: cdpwebauthn.AuthenticatorProtocolCtap2, Ctap2version: cdpwebauthn.Ctap2versionCtap21,
		Transport: cdpwebauthn.AuthenticatorTransportUsb, HasResidentKey: true, HasUserVerification: true,
		IsUserVerified: true, AutomaticPresenceSimulation: true}
	// basicSecurityKey is a USB key without a PIN or room for
	// discoverable credentials: a second factor only.
	basicSecurityKey = cdpwebauthn.VirtualAuthenticatorOptions{
		Protocol: cdpwebauthn.AuthenticatorProtocolCtap2, Ctap2version: cdpwebauthn.Ctap2versionCtap21,
		Transport: cdpwebauthn.AuthenticatorTransportUsb, AutomaticPresenceSimulation: true}
)

// virtualAuthenticator gives the tab an authenticator of those options and
// returns its id.
func (p *page) virtualAuthenticator(o cdpwebauthn.VirtualAuthenticatorOptions) cdpwebauthn.AuthenticatorID {
	p.t.Helper()
	var id cdpwebauthn.AuthenticatorID
	p.do("add a virtual authenticator", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, cdpwebauthn.Enable, cdpwebauthn.EnableParams{}); err != nil {
			return err
		}
		res, err := cdp.Call(ctx, t, cdpwebauthn.AddVirtualAuthenticator, cdpwebauthn.AddVirtualAuthenticatorParams{Options: &o})
		id = res.AuthenticatorID
		return err
	}))
	return id
}

// virtualCredentials lists the credentials the authenticator holds.
func (p *page) virtualCredentials(id cdpwebauthn.AuthenticatorID) []*cdpwebauthn.Credential {
	p.t.Helper()
	var creds []*cdpwebauthn.Credential
	p.do("read the authenticator's credentials", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		res, err := cdp.Call(ctx, t, cdpwebauthn.GetCredentials, cdpwebauthn.GetCredentialsParams{AuthenticatorID: id})
		creds = res.Credentials
		return err
	}))
	return creds
}

// waitPath waits for the browser to land on path, for pages that a script
// submits once the authenticator has answered.
func (p *page) waitPath(path string) {
	p.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		loc := run(p, "read the location", chromedp.Location())
		if u, err := url.Parse(loc); err == nil && u.Path == path {
			return
		}
		if time.Now().After(deadline) {
			p.fatalf("want to be on %s, but the browser shows %s", path, loc)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
