package e2e

import (
	"encoding/base32"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestTheAdministratorRequiresMFAAndResetsALiteUser follows the article on
// enforced MFA: the Administrator checks who has MFA under Account > Users,
// requires it under Account > Settings, a Lite user is walked through setting
// it up at sign-in, and when that user is locked out the Administrator resets
// their MFA from the Edit User screen.
func TestTheAdministratorRequiresMFAAndResetsALiteUser(t *testing.T) {
	t.Parallel()
	const liteEmail = "lin@example.com"
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		admin := a.CreateAccount(t, "Acme IT", adminEmail)
		a.AddUser(t, admin, liteEmail, padlock.RoleLite)
		p := startBrowser(t, a.URL)

		p.step("sign in as the administrator")
		signIn(p, adminEmail)
		expectSignedIn(p)
		enableMFA(p, a)

		p.step("see who has MFA before requiring it")
		p.click(`header nav a[href="/account/users"]`)
		p.waitText("main h1", "Users")
		p.waitText("#mfa-count", "1 of 2 users has MFA")
		expectPadlock(p, adminEmail, "closed")
		expectPadlock(p, liteEmail, "open")
		p.keep("users-before")

		p.step("require MFA")
		p.click(`nav.tabs a[href="/account/settings"]`)
		p.expectPath("/account/settings")
		p.waitText("#mfa-coverage", "1 of 2 users has no MFA yet")
		if got := p.value("#grace_days"); got != "0" {
			p.fatalf("the grace period is %q days, want 0: users without MFA would not be stopped", got)
		}
		p.toggle("#require_mfa")
		expectChecked(p, "#require_mfa", true)
		p.click("#save-settings")
		p.expectPath("/account/settings")
		p.waitText(".banner.ok", "saved")
		expectChecked(p, "#require_mfa", true)
		p.waitText("#mfa-coverage", "MFA has been required since")
		p.keep("authentication-tab")
		a.SMTP.WaitFor(t, liteEmail, "now requires MFA")

		// The Lite user uses their own browser.
		lite := p.newWindow()
		lite.step("sign in as the lite user and meet the requirement")
		signIn(lite, liteEmail)
		expectForcedEnrollment(lite)

		lite.step("set up MFA as required")
		secret := readSecretKey(lite)
		lite.fill("#code", freshCode(a, secret))
		lite.click(`main form[action="/settings/mfa/verify"] button[type="submit"]`)
		lite.expectPath("/settings/mfa/recovery-codes")
		lite.waitText("main h1", "Your recovery codes")
		if err := checkRecoveryCodes(lite.texts("#recovery-codes li")); err != nil {
			lite.fatalf("%v", err)
		}
		lite.click("#codes-saved")
		expectSignedIn(lite)

		p.step("see the lite user's padlock closed")
		p.click(`nav.tabs a[href="/account/users"]`)
		p.waitText("#mfa-count", "2 of 2 users have MFA")
		expectPadlock(p, liteEmail, "closed")
		p.keep("users-after-enrollment")

		p.step("reset the lite user's MFA")
		p.click(`#users a[aria-label="Edit ` + liteEmail + `"]`)
		p.waitText("main h1", "Edit user")
		p.waitText("#user-mfa", "Set up")
		p.click("#reset-mfa")
		p.waitText("main h1", "Reset MFA for")
		p.click("#confirm-reset-mfa")
		p.waitText(".banner.ok", "signed out everywhere")
		p.waitText("#user-mfa", "Not set up")
		p.click(`nav[aria-label=breadcrumb] a[href="/account/users"]`)
		p.waitText("#mfa-count", "1 of 2 users has MFA")
		expectPadlock(p, liteEmail, "open")
		a.SMTP.WaitFor(t, liteEmail, "MFA was reset")

		lite.step("find the lite user signed out")
		lite.click(`header nav a[href="/settings"]`)
		lite.expectPath("/login")
		lite.waitText("main h1", "Sign in")

		lite.step("sign in again and meet the requirement again")
		signIn(lite, liteEmail)
		expectForcedEnrollment(lite)
	})
}

// expectPadlock checks the MFA padlock on the user's row of Account > Users:
// "closed" with MFA set up, "open" without, for the eye and for a screen
// reader alike.
func expectPadlock(p *page, email, state string) {
	p.t.Helper()
	cell := `#users tr:has(a[aria-label="Edit ` + email + `"]) td.mfa`
	if n := p.count(cell + " .padlock." + state); n != 1 {
		p.fatalf("%s has no %s padlock (%d)", email, state, n)
	}
	// Closed, it says which factor is the strongest: "MFA set up: App".
	want := map[string]string{"closed": "MFA set up:", "open": "MFA not set up"}[state]
	if got := p.texts(cell + " .visually-hidden"); len(got) != 1 || got[0] != want {
		p.fatalf("a screen reader hears %q for %s's padlock, want %q", got, email, want)
	}
}

// expectChecked checks a checkbox's state.
func expectChecked(p *page, sel string, want bool) {
	p.t.Helper()
	if got := p.count(sel + ":checked"); got != map[bool]int{false: 0, true: 1}[want] {
		p.fatalf("%s checked: %v, want %v", sel, got == 1, want)
	}
}

// expectForcedEnrollment checks that a sign-in was held at the MFA setup
// screen, with no way into the app but setting MFA up or signing out.
func expectForcedEnrollment(p *page) {
	p.t.Helper()
	p.expectPath("/settings/mfa/enroll")
	p.waitText("main h1", "Set up MFA to continue")
	if links := p.texts("header nav a:not(.brand)"); len(links) != 0 {
		p.fatalf("the forced setup screen links elsewhere: %q", links)
	}
	if n := p.count("header nav #sign-out"); n != 1 {
		p.fatalf("the forced setup screen has no Sign out button (%d)", n)
	}
	if n := p.count("main nav.tabs"); n != 0 {
		p.fatalf("the forced setup screen shows the My Settings tabs (%d)", n)
	}
	p.open("/organizations")
	p.expectPath("/settings/mfa/enroll")
	p.waitText("main h1", "Set up MFA to continue")
}

// readSecretKey opens the manual key on the setup screen and decodes it, as
// a person types it into an authenticator app.
func readSecretKey(p *page) []byte {
	p.t.Helper()
	p.toggle(`main details summary`)
	key := strings.ReplaceAll(p.text("#secret"), " ", "") // shown in groups of four
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key)
	if err != nil || len(secret) != mfa.SecretSize {
		p.fatalf("the key %q is not %d bytes of base32: %v", key, mfa.SecretSize, err)
	}
	return secret
}
