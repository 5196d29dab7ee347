package e2e

import (
	"context"
	"slices"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// passkeyBrowser starts a node with a host name (WebAuthn refuses IP
// addresses) and an account, and a browser signed in as its Administrator.
func passkeyBrowser(t *testing.T, d string) (*testenv.TestApp, *page) {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{Localhost: true})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", a.Log)
		}
	})
	a.CreateAccount(t, "Acme IT", adminEmail)
	p := startBrowser(t, a.URL)
	p.step("sign in with the password")
	signIn(p, adminEmail)
	p.expectPath("/organizations")
	return a, p
}

// addFirstPasskey adds the administrator's first passkey from My Settings >
// MFA, as a person would, and saves the recovery codes it brings.
func addFirstPasskey(p *page, name string) {
	p.t.Helper()
	p.open("/settings/mfa")
	p.toggle("#add-passkey-summary")
	p.fill("#add_password", testenv.Password)
	p.click("#add-passkey")
	p.expectPath("/settings/mfa/passkeys/new")
	p.fill("#name", name)
	p.toggle("#create-passkey")
	p.waitPath("/settings/mfa/recovery-codes")
	p.click("#codes-saved")
	p.expectPath("/settings/mfa")
	p.waitText("main", name)
}

// signInWithPasswordAndPasskey signs out, then in with the password and
// the passkey as the second step.
func signInWithPasswordAndPasskey(p *page) {
	p.t.Helper()
	p.click("#sign-out")
	p.expectPath("/login")
	signIn(p, adminEmail)
	p.expectPath("/login/mfa")
	p.toggle("#use-passkey")
	p.waitPath("/organizations")
	expectSignedIn(p)
}

// storedPasskey is the administrator's one passkey as the server keeps it.
func storedPasskey(p *page, a *testenv.TestApp) *padlock.Passkey {
	p.t.Helper()
	admin, err := a.DB.Conn().CredentialsByEmail(context.Background(), adminEmail)
	if err != nil {
		p.fatalf("read the administrator: %v", err)
	}
	passkeys, err := a.DB.Conn().Passkeys(context.Background(), admin.User.ID)
	if err != nil || len(passkeys) != 1 {
		p.fatalf("stored passkeys: %v %+v", err, passkeys)
	}
	return passkeys[0]
}

// A passkey kept by the computer itself (a platform authenticator: transport
// "internal", the user verified) is added, used after the password, and
// signs in alone, being discoverable.
func TestAPlatformPasskeySignsInAfterThePasswordAndAlone(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, p := passkeyBrowser(t, d)
		device := p.virtualAuthenticator(platformAuthenticator)

		p.step("add a passkey kept by this computer")
		addFirstPasskey(p, "This laptop")
		if k := storedPasskey(p, a); !slices.Equal(k.Transports, []string{"internal"}) || k.Kind() != "passkey" {
			p.fatalf("stored as %v, a %s", k.Transports, k.Kind())
		}
		if creds := p.virtualCredentials(device); len(creds) != 1 || !creds[0].IsResidentCredential || creds[0].RpID != "localhost" {
			p.fatalf("the computer holds %+v", creds)
		}

		p.step("sign in with the password and the passkey")
		signInWithPasswordAndPasskey(p)

		p.step("sign in with the passkey alone")
		p.click("#sign-out")
		p.toggle("#passkey-signin-button")
		p.waitPath("/organizations")
		expectSignedIn(p)
		if k := storedPasskey(p, a); k.SignCount == 0 && k.LastUsedAt.IsZero() {
			p.fatalf("the passkey's use was not stored: %+v", k)
		}
	})
}

// A security key without a PIN or room for discoverable credentials (a
// cross-platform authenticator on USB) is added and used after the
// password; it cannot sign in alone, and the sign-in page says so and
// stays as it was.
func TestABasicSecurityKeyIsASecondFactorButCannotSignInAlone(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, p := passkeyBrowser(t, d)
		key := p.virtualAuthenticator(basicSecurityKey)

		p.step("add a security key")
		addFirstPasskey(p, "Blue key")
		if k := storedPasskey(p, a); !slices.Equal(k.Transports, []string{"usb"}) || k.Kind() != "security key" {
			p.fatalf("stored as %v, a %s", k.Transports, k.Kind())
		}
		if creds := p.virtualCredentials(key); len(creds) != 1 || creds[0].IsResidentCredential {
			p.fatalf("the key holds %+v", creds)
		}

		p.step("sign in with the password and the security key")
		signInWithPasswordAndPasskey(p)

		p.step("the security key cannot sign in alone")
		p.click("#sign-out")
		p.toggle("#passkey-signin-button")
		p.waitText("#passkey-signin [data-webauthn-status]", "No passkey was used")
		p.expectPath("/login")
		p.open("/organizations")
		p.expectPath("/login")
	})
}
