package e2e

import (
	"context"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestAPortalAdminResetsAPortalUsersMFA follows the client's own
// administrator: the MSP has made them Portal administrator of a portal that
// requires MFA; a colleague who lost their phone asks for help; the
// administrator finds them under Users, resets their MFA after confirming,
// and the colleague is signed out and set up again at their next sign-in.
func TestAPortalAdminResetsAPortalUsersMFA(t *testing.T) {
	t.Parallel()
	const bossEmail, clientEmail = "joanna@initech.example", "peter@initech.example"
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		staff := a.CreateAccount(t, "Acme IT", adminEmail)
		ctx, actor := context.Background(), auth.Actor{User: staff, Address: "test"}
		org, err := a.Docs.CreateOrganization(ctx, actor, "Initech")
		if err != nil {
			t.Fatal(err)
		}
		portal, err := a.Admin.CreatePortal(ctx, actor, admin.PortalInput{OrganizationID: org.ID, Name: "Initech portal", RequireMFA: true})
		if err != nil {
			t.Fatal(err)
		}
		joinPortal(t, a, staff, portal.ID, bossEmail, padlock.RolePortalAdministrator)
		client := joinPortal(t, a, staff, portal.ID, clientEmail, padlock.RoleLite)

		c := startBrowser(t, a.URL)
		c.step("the colleague signs in and sets MFA up")
		signInToPortal(c, clientEmail)
		enrollAtPortal(c, a)

		p := c.newWindow()
		p.step("the portal administrator signs in and sets MFA up")
		signInToPortal(p, bossEmail)
		enrollAtPortal(p, a)

		p.step("find the colleague under Users, padlock closed")
		p.click(`header nav a[href="/portal/users"]`)
		p.expectPath("/portal/users")
		p.waitText("main h1", "Users")
		p.waitText("#mfa-count", "2 of 2 users have MFA")
		userPath := "/portal/users/" + itoa(client.ID)
		p.click(`#users a[href="` + userPath + `"]`)
		p.expectPath(userPath)
		p.waitText("#user-mfa", "Set up")

		p.step("reset the colleague's MFA, after confirming")
		p.click("#reset-mfa")
		p.expectPath(userPath + "/reset-mfa")
		p.waitText("main h1", "Reset MFA for")
		p.click("#confirm-reset-mfa")
		p.expectPath(userPath)
		p.waitText(".banner.ok", "MFA reset")
		p.waitText("#user-mfa", "Not set up")
		a.SMTP.WaitFor(t, clientEmail, "MFA was reset")

		p.step("see the reset on the portal's Activity")
		p.click(`nav.tabs a[href="/portal/activity"]`)
		p.waitText("#activity", "MFA reset")

		c.step("the colleague is signed out, and set up again at the next sign-in")
		c.open("/portal/")
		c.expectPath("/portal/login")
		signInToPortal(c, clientEmail)
		enrollAtPortal(c, a)
	})
}

// enrollAtPortal completes the forced MFA setup of a portal sign-in, as the
// person would with their phone, and saves the recovery codes.
func enrollAtPortal(p *page, a *testenv.TestApp) {
	p.t.Helper()
	expectForcedPortalEnrollment(p)
	secret := readSecretKey(p)
	p.fill("#code", freshCode(a, secret))
	p.click(`main form[action="/portal/settings/mfa/verify"] button[type="submit"]`)
	p.expectPath("/portal/settings/mfa/recovery-codes")
	p.click("#codes-saved")
}
