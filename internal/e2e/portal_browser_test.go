package e2e

import (
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestAClientPortalThatRequiresMFA follows the client-portal story: the
// Administrator creates a portal for an organization with "Require MFA for
// access to this portal" ticked and invites a client; the client accepts, is
// walked through MFA setup at sign-in and sees the organization's shared
// document and nothing else; once the Administrator unticks the requirement,
// the client turns MFA off and signs in with the password alone.
func TestAClientPortalThatRequiresMFA(t *testing.T) {
	t.Parallel()
	const clientEmail = "peter@initech.example"
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		a.CreateAccount(t, "Acme IT", adminEmail)
		p := startBrowser(t, a.URL)

		p.step("sign in as the administrator")
		signIn(p, adminEmail)
		expectSignedIn(p)

		p.step("create the organization")
		p.click(`main a[href="/organizations/new"]`)
		p.fill("#name", "Initech")
		p.submit("main form")
		p.waitText(".banner.ok", "Initech")
		p.waitText("main h1", "Initech")
		shared := addDocument(p, "Printer runbook", "Turn it off and on again.", true)
		private := addDocument(p, "Internal notes", "Their server password is in the vault.", false)

		p.step("create a client portal that requires MFA")
		p.click(`header nav a[href="/account/users"]`)
		p.click(`nav.tabs a[href="/account/portals"]`)
		p.waitText("main h1", "Client portals")
		p.click("#new-portal")
		p.expectPath("/account/portals/new")
		p.choose("#organization", "Initech")
		p.fill("#name", "Initech portal")
		p.toggle("#require_mfa")
		expectChecked(p, "#require_mfa", true)
		p.click("#save-portal")
		p.waitText(".banner.ok", "created")
		p.waitText("main h1", "Initech portal")
		p.waitText("#mfa-count", "MFA required")
		portalPath := p.path()

		p.step("invite a portal user")
		p.fill("#emails", clientEmail)
		p.choose("#role", "Lite: views shared documents")
		p.click("#invite-portal-users")
		p.expectPath(portalPath)
		p.waitText(".banner.ok", "1 invitation sent")
		expectPadlock(p, clientEmail, "open")

		// The client uses their own browser.
		client := p.newWindow()
		client.step("accept the portal invitation")
		mail := a.SMTP.WaitFor(t, clientEmail, "invited")
		client.open("/portal/invitation/" + testenv.LinkToken(t, mail.Body, a.URL+"/portal/invitation/"))
		client.waitText("main h1", "Join")
		client.fill("#name", "Peter Gibbons")
		client.fill("#password", testenv.Password)
		client.submit("main form")
		client.expectPath("/portal/login")
		client.waitText(".banner.ok", "Sign in with your email and new password")

		client.step("sign in at the portal and meet the requirement")
		signInToPortal(client, clientEmail)
		expectForcedPortalEnrollment(client)

		client.step("set up MFA as required")
		secret := readSecretKey(client)
		client.fill("#code", freshCode(a, secret))
		client.click(`main form[action="/portal/settings/mfa/verify"] button[type="submit"]`)
		client.expectPath("/portal/settings/mfa/recovery-codes")
		client.waitText("main h1", "Your recovery codes")
		if err := checkRecoveryCodes(client.texts("#recovery-codes li")); err != nil {
			client.fatalf("%v", err)
		}
		client.click("#codes-saved")

		client.step("see the shared document and nothing else")
		client.expectPath("/portal/")
		client.waitText(".banner.ok", "MFA is on")
		client.waitText("main h1", "Initech")
		if got := client.texts("#documents tbody td:first-child"); len(got) != 1 || got[0] != "Printer runbook" {
			client.fatalf("the portal lists %q, want only the shared document", got)
		}
		client.keep("portal-documents")
		client.click(`#documents a`)
		client.expectPath("/portal/documents/" + shared)
		client.waitText("main h1", "Printer runbook")
		client.waitText(".document-body", "Turn it off and on again.")
		client.open("/portal/documents/" + private)
		expectNotFound(client)
		client.open("/organizations")
		expectNotFound(client)

		client.step("find MFA cannot be turned off while required")
		client.open("/portal/")
		openPortalMFASettings(client)
		client.waitText("main article h2", "MFA is on")
		client.waitText("main", "cannot be turned off")
		if n := client.count("#password"); n != 0 {
			client.fatalf("the form to turn MFA off is shown while the portal requires MFA")
		}

		p.step("see the client's padlock closed")
		p.click(`nav.tabs a[href="/account/portals"]`)
		p.click(`#portals a[href="` + portalPath + `"]`)
		p.waitText("#mfa-count", "1 of 1 user has MFA")
		expectPadlock(p, clientEmail, "closed")
		p.keep("portal-page")

		p.step("see the portal on the list")
		p.click(`nav[aria-label=breadcrumb] a[href="/account/portals"]`)
		row := `#portals tr:has(a[href="` + portalPath + `"])`
		expectPortalRow(p, row, "Initech", "Initech portal", "Yes", "1", "1 of 1")
		p.keep("portals-list")

		p.step("stop requiring MFA")
		p.toggle(row + " details.action-menu summary")
		p.click(row + ` details.action-menu a[href="` + portalPath + `/edit"]`)
		p.waitText("main h1", "Edit client portal")
		if got := p.value("#name"); got != "Initech portal" {
			p.fatalf("the portal's name field holds %q", got)
		}
		expectChecked(p, "#require_mfa", true)
		p.toggle("#require_mfa")
		expectChecked(p, "#require_mfa", false)
		p.click("#save-portal")
		p.expectPath("/account/portals")
		p.waitText(".banner.ok", "Client portal saved")
		expectPortalRow(p, row, "Initech", "Initech portal", "No", "1", "1 of 1")

		client.step("turn MFA off now that the portal allows it")
		client.click(`nav.tabs a[href="/portal/settings/mfa"]`)
		client.waitText("main article h2", "MFA is on")
		client.fill("#password", testenv.Password)
		client.fill("#code", freshCode(a, secret))
		client.click(`main form[action="/portal/settings/mfa/disable"] button[type="submit"]`)
		client.expectPath("/portal/settings/mfa")
		client.waitText(".banner.ok", "MFA is off")
		client.waitText("main article h2", "MFA is off")

		client.step("sign out of the portal")
		client.click("#sign-out")
		client.expectPath("/portal/login")
		client.waitText(".banner.ok", "You have signed out")

		client.step("sign in with the password alone")
		signInToPortal(client, clientEmail)
		client.expectPath("/portal/")
		client.waitText("#documents", "Printer runbook")
	})
}

// addDocument adds a document to the organization the page shows, ticking
// "Share with client portal" or not, returns to the organization and
// returns the document's id.
func addDocument(p *page, title, body string, shared bool) string {
	p.t.Helper()
	p.step("add the document " + title)
	org := p.path()
	p.click(`main a[href="` + org + `/documents/new"]`)
	p.waitText("main h1", "New document")
	p.fill("#title", title)
	p.fill("#body", body)
	if shared {
		p.toggle("#shared_with_portal")
	}
	expectChecked(p, "#shared_with_portal", shared)
	p.submit("main form")
	p.waitText(".banner.ok", "Document saved")
	p.waitText("main h1", title)
	id := strings.TrimPrefix(p.path(), org+"/documents/")
	p.click(`nav[aria-label=breadcrumb] a[href="` + org + `"]`)
	p.waitText("main table", title)
	return id
}

// signInToPortal fills in and sends the portal's sign-in form.
func signInToPortal(p *page, email string) {
	p.t.Helper()
	if p.path() != "/portal/login" {
		p.open("/portal/login")
	}
	p.fill("#email", email)
	p.fill("#password", testenv.Password)
	p.submit("main form")
}

// expectForcedPortalEnrollment checks that a portal sign-in was held at the
// MFA setup screen, with no way into the portal but setting MFA up or
// signing out.
func expectForcedPortalEnrollment(p *page) {
	p.t.Helper()
	p.expectPath("/portal/settings/mfa/enroll")
	p.waitText("main h1", "Set up MFA to continue")
	if links := p.texts("header nav a:not(.brand)"); len(links) != 0 {
		p.fatalf("the forced setup screen links elsewhere: %q", links)
	}
	if n := p.count("header nav #sign-out"); n != 1 {
		p.fatalf("the forced setup screen has no Sign out button (%d)", n)
	}
}

// openPortalMFASettings goes to My Settings > MFA from the portal's
// navigation bar.
func openPortalMFASettings(p *page) {
	p.t.Helper()
	p.click(`header nav a[href="/portal/settings"]`)
	p.click(`nav.tabs a[href="/portal/settings/mfa"]`)
	p.expectPath("/portal/settings/mfa")
}

// expectNotFound checks that the browser shows the "no page here" screen
// at the address it was sent to.
func expectNotFound(p *page) {
	p.t.Helper()
	p.waitText("main h1", "Not Found")
}

// expectPortalRow checks the cells of a portal's row on Account > Client
// portals: organization, portal, MFA required, users, with MFA.
func expectPortalRow(p *page, row string, want ...string) {
	p.t.Helper()
	got := p.texts(row + " td")
	if len(got) < len(want) {
		p.fatalf("the portal's row has cells %q, want %q", got, want)
	}
	for i, w := range want {
		if got[i] != w {
			p.fatalf("the portal's row has cells %q, want %q", got[:len(want)], want)
		}
	}
}
