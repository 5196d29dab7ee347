package e2e

import (
	"context"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

const (
	adminEmail   = "ada@example.com"
	inviteeEmail = "grace@example.com"
)

// TestSetupInviteAndSignInInABrowser walks the first hour of an
// installation: set up the account, invite a colleague, and the colleague
// joins, signs in and signs out.
func TestSetupInviteAndSignInInABrowser(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		admin := startBrowser(t, a.URL)

		admin.step("set up the account")
		admin.open("/setup/" + setupToken(t, a))
		admin.fill("#account", "Acme IT")
		admin.fill("#name", "Ada Lovelace")
		admin.fill("#email", adminEmail)
		admin.fill("#password", testenv.Password)
		admin.submit("main form")
		admin.expectPath("/login")
		admin.waitText(".banner.ok", "account is ready")

		admin.step("sign in as the administrator")
		signIn(admin, adminEmail)
		admin.expectPath("/organizations")
		admin.waitText("main h1", "Organizations")

		admin.step("invite an editor")
		admin.click(`header nav a[href="/account/users"]`)
		admin.waitText("main h1", "Users")
		admin.click(`main a[href="/account/users/new"]`)
		admin.fill("#emails", inviteeEmail)
		admin.choose("#role", "Editor")
		admin.submit("main form")
		admin.expectPath("/account/users")
		admin.waitText(".banner.ok", "1 invitation sent")
		row := `#users tr:has(a[aria-label="Edit ` + inviteeEmail + `"])`
		admin.waitText(row, "Editor")
		admin.waitText(row+" .badge", "invited")

		admin.step("sign out the administrator")
		admin.click("#sign-out")
		admin.expectPath("/login")

		// The invitee uses their own browser: no cookies from the admin.
		invitee := admin.newWindow()
		invitee.step("accept the invitation")
		mail := a.SMTP.WaitFor(t, inviteeEmail, "invited")
		invitee.open("/invitation/" + testenv.LinkToken(t, mail.Body, a.URL+"/invitation/"))
		invitee.waitText("main h1", "Join Acme IT")
		invitee.fill("#name", "Grace Hopper")
		invitee.fill("#password", testenv.Password)
		invitee.submit("main form")
		invitee.expectPath("/login")
		invitee.waitText(".banner.ok", "Welcome to Acme IT")

		invitee.step("sign in as the invitee")
		signIn(invitee, inviteeEmail)
		invitee.click(`header nav a[href="/settings"]`)
		invitee.expectPath("/settings")
		invitee.waitText("main", inviteeEmail)
		invitee.waitText("main", "Editor in Acme IT")
		if n := invitee.count(`header nav a[href="/account/users"]`); n != 0 {
			invitee.fatalf("an Editor sees the Account link (%d)", n)
		}

		invitee.step("sign out the invitee")
		invitee.click("#sign-out")
		invitee.expectPath("/login")
		invitee.waitText("main h1", "Sign in")
		invitee.waitText(".banner.ok", "You have signed out")
		invitee.open("/organizations")
		invitee.expectPath("/login")
	})
}

// TestFormErrorsAppearBesideTheirFields checks that a refused form says what
// is wrong next to each field, where a screen reader also finds it.
func TestFormErrorsAppearBesideTheirFields(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		p := startBrowser(t, a.URL)

		p.step("submit a short password and a bad email")
		p.open("/setup/" + setupToken(t, a))
		p.fill("#account", "Acme IT")
		p.fill("#name", "Ada Lovelace")
		p.fill("#email", "ada.example.com")
		p.fill("#password", "short")
		p.submit("main form")

		p.step("see the errors beside their fields")
		p.waitText("label[for=email] .field-error#email-error", "valid email address")
		p.waitText("label[for=password] .field-error#password-error", "at least 12 characters")
		for _, f := range []string{"email", "password"} {
			if got := p.attr("#"+f, "aria-invalid"); got != "true" {
				p.fatalf("#%s has aria-invalid=%q, want \"true\"", f, got)
			}
		}
		if got := p.attr("#email", "aria-describedby"); got != "email-error" {
			p.fatalf("#email is described by %q, want the error", got)
		}
		for _, f := range []string{"account", "name"} {
			if got := p.attr("#"+f, "aria-invalid"); got != "" {
				p.fatalf("the valid field #%s has aria-invalid=%q", f, got)
			}
		}
		if n := p.count(".field-error"); n != 2 {
			p.fatalf("%d field errors on the page, want 2", n)
		}
		if got := p.value("#email"); got != "ada.example.com" {
			p.fatalf("the email field lost what was typed: %q", got)
		}
		if got := p.value("#password"); got != "" {
			p.fatalf("the password was sent back into the page: %q", got)
		}
	})
}

// startNode starts a Padlock node on the dialect's database and shows its
// log when the test fails.
func startNode(t *testing.T, d string) *testenv.TestApp {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", a.Log)
		}
	})
	return a
}

// setupToken is the one-time link token the operator gets on first start.
func setupToken(t *testing.T, a *testenv.TestApp) string {
	t.Helper()
	token, err := a.Auth.IssueSetupToken(context.Background())
	if err != nil || token == "" {
		t.Fatalf("issue setup token: %q, %v", token, err)
	}
	return token
}

// signIn fills in and sends the sign-in form from wherever the page is.
func signIn(p *page, email string) {
	p.t.Helper()
	if p.path() != "/login" {
		p.open("/login")
	}
	p.fill("#email", email)
	p.fill("#password", testenv.Password)
	p.submit("main form")
}
