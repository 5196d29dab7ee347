package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestPortalSSOSignInThenForcedEnrollment: the Administrator connects a
// client portal that requires MFA to the client's identity provider on the
// portal's SSO tab (metadata by URL, Test connection, SSO on). A portal
// user without MFA opens the portal's sign-in page, chooses "Sign in with
// SSO", is signed in by the identity provider (whose page posts back with
// JavaScript, as real ones do) at the portal's own address, and is then
// held at the portal's enrollment, like after a password, until MFA is set
// up.
func TestPortalSSOSignInThenForcedEnrollment(t *testing.T) {
	t.Parallel()
	const clientEmail = "peter@initech.example"
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		a.SSO.AllowPrivateMetadataHosts = true // the test IdP is on 127.0.0.1
		admin0 := a.CreateAccount(t, "Acme IT", adminEmail)
		ctx, actor := context.Background(), auth.Actor{User: admin0, Address: "test"}
		org, err := a.Docs.CreateOrganization(ctx, actor, "Initech")
		if err != nil {
			t.Fatal(err)
		}
		portal, err := a.Admin.CreatePortal(ctx, actor, admin.PortalInput{OrganizationID: org.ID, Name: "Initech portal", RequireMFA: true})
		if err != nil {
			t.Fatal(err)
		}
		joinPortal(t, a, admin0, portal.ID, clientEmail, padlock.RoleLite)
		idp := ssotest.Start(t, "idp-initech", a.Clock.Now)
		idp.SignInAs(clientEmail, "")
		tab := fmt.Sprintf("/account/portals/%d/sso", portal.ID)

		p := startBrowser(t, a.URL)
		p.step("open the portal's SSO tab")
		signIn(p, adminEmail)
		expectSignedIn(p)
		p.open(fmt.Sprintf("/account/portals/%d/edit", portal.ID))
		p.click("#portal-tab-sso")
		p.expectPath(tab)
		p.waitText("#sso-heading", "Initech portal")
		entityID := p.text("#sp-entity-id")
		if !strings.HasPrefix(entityID, a.URL+"/portal/sso/") {
			p.fatalf("the portal's entity ID is %q", entityID)
		}
		_, _, metadata := testenv.NewClientFor(a.URL).Get(t, strings.TrimPrefix(entityID, a.URL))
		idp.Trust(t, []byte(metadata))

		p.step("connect the client's identity provider and test it")
		p.fill("#metadata_url", idp.URL+"/metadata")
		p.click("#save-idp")
		p.waitText(".banner.ok", "Identity provider saved")
		p.click("#sso-test")
		p.waitText("#sso-test-outcome", "The connection works")
		p.click("#sso-test-back")
		p.expectPath(tab)
		p.toggle("#enabled")
		p.click("#save-sso-options")
		p.waitText(".banner.ok", "Single sign-on settings saved")
		p.waitText("#sso-status", "On")
		signInPage := strings.TrimPrefix(p.text("#sp-signin-page"), a.URL)

		// The client uses their own browser.
		client := p.newWindow()
		client.step("sign in with SSO from the portal's sign-in page")
		client.open(signInPage)
		client.click("#portal-sso")
		waitPath(client, "/portal/settings/mfa/enroll")
		expectForcedPortalEnrollment(client)

		client.step("set up MFA as the portal requires")
		secret := readSecretKey(client)
		client.fill("#code", freshCode(a, secret))
		client.click(`main form[action="/portal/settings/mfa/verify"] button[type="submit"]`)
		client.expectPath("/portal/settings/mfa/recovery-codes")
		client.click("#codes-saved")
		client.expectPath("/portal/")
		if n := client.count("#sign-out"); n != 1 {
			client.fatalf("no Sign out button after signing in (%d)", n)
		}
		client.keep("after-portal-sso-and-enrollment")
	})
}
