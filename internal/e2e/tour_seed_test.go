package e2e

import (
	"context"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// seedTour fills the account with what the pages show: people with long
// addresses, an organization with a shared document, a client portal that
// requires MFA with its users, single sign-on with a test identity provider
// for the account and another for the portal, and the single-use links of
// every kind.
func seedTour(tr *tour) {
	t, a, d := tr.t, tr.a, &tr.d
	t.Helper()
	ctx := context.Background()
	admin0 := a.CreateAccount(t, "Acme IT", tourAdmin)
	actor := auth.Actor{User: admin0, Address: "test"}
	d.admin = admin0
	d.editorID = a.AddUser(t, admin0, tourEditor, padlock.RoleEditor).ID
	a.AddUser(t, admin0, tourLocked, padlock.RoleLite)
	d.invitationToken = invite(t, a, admin0, 0, tourInvitee, padlock.RoleManager, "/invitation/")

	org, err := a.Docs.CreateOrganization(ctx, actor, "Initech Holdings, Consolidated Subsidiaries and Regional Offices")
	if err != nil {
		t.Fatal(err)
	}
	d.orgID = org.ID
	doc := &padlock.Document{OrganizationID: org.ID, SharedWithPortal: true,
		Title: "Printer runbook for the third-floor multifunction devices",
		Body: "Turn it off and on again. Drivers: https://support.initech.example/downloads/printers/multifunction/" +
			"third-floor/driver-package-2024-11-enterprise-edition.zip\nAdmin panel: https://10.20.30.40:8443/admin/configuration/network/advanced"}
	if err := a.Docs.CreateDocument(ctx, actor, doc); err != nil {
		t.Fatal(err)
	}
	d.docID = doc.ID

	portal, err := a.Admin.CreatePortal(ctx, actor, admin.PortalInput{OrganizationID: org.ID, Name: "Initech Holdings client portal", RequireMFA: true})
	if err != nil {
		t.Fatal(err)
	}
	d.portalID = portal.ID
	d.clientID = joinPortal(t, a, admin0, portal.ID, tourClient, padlock.RoleEditor).ID
	joinPortal(t, a, admin0, portal.ID, tourClientLock, padlock.RoleLite)
	joinPortal(t, a, admin0, portal.ID, tourClientBoss, padlock.RolePortalAdministrator)
	d.portalInviteTok = invite(t, a, admin0, portal.ID, tourClientNew, padlock.RoleLite, "/portal/invitation/")

	idp := connectSSO(t, a, admin0, "example.com")
	idp.SignInAs(tourAdmin, "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	rec, err := a.SSO.Settings(ctx, actor, 0)
	if err != nil {
		t.Fatal(err)
	}
	d.ssoID = rec.PublicID
	connectSSOTo(t, a, admin0, portal.ID, sso.OptionsInput{Enabled: true, JITRole: "lite"})
	if rec, err = a.SSO.Settings(ctx, actor, portal.ID); err != nil {
		t.Fatal(err)
	}
	d.portalSSOID = rec.PublicID

	key := &padlock.APIKey{AccountID: admin0.AccountID, Name: "nightly MFA coverage report for every client portal", Prefix: "pdk_AbCdEfGh",
		Access: padlock.APIRead, CreatedBy: admin0.ID, CreatedAt: a.Clock.Now(), ExpiresAt: a.Clock.Now().AddDate(0, 0, 90)}
	if err := a.DB.Conn().CreateAPIKey(ctx, key, auth.HashToken("a key the tour never uses")); err != nil {
		t.Fatal(err)
	}
	d.apiKeyID = key.ID

	d.resetToken = resetToken(t, a, tourEditor, "/reset/")
	d.portalResetToken = resetToken(t, a, tourClient, "/portal/reset/")
	d.unlockToken = lockOut(t, a, padlock.SurfaceAccount, tourLocked, "/unlock/")
	d.portalUnlockToken = lockOut(t, a, padlock.SurfacePortal, tourClientLock, "/portal/unlock/")
}

// invite invites email and returns the token of the emailed link.
func invite(t *testing.T, a *testenv.TestApp, by *padlock.User, portalID int64, email string, role padlock.Role, prefix string) string {
	t.Helper()
	if _, err := a.Admin.Invite(context.Background(), auth.Actor{User: by}, portalID, []string{email}, role); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	msg := a.SMTP.WaitFor(t, email, "invited")
	return testenv.LinkToken(t, msg.Body, a.URL+prefix)
}

// joinPortal invites a portal user, who accepts.
func joinPortal(t *testing.T, a *testenv.TestApp, by *padlock.User, portalID int64, email string, role padlock.Role) *padlock.User {
	t.Helper()
	token := invite(t, a, by, portalID, email, role, "/portal/invitation/")
	u, err := a.Auth.AcceptInvitation(context.Background(), token, "User "+email, testenv.Password, "test")
	if err != nil {
		t.Fatalf("accept invitation %s: %v", email, err)
	}
	return u
}

// resetToken asks for a password reset link for email and returns its token.
func resetToken(t *testing.T, a *testenv.TestApp, email, prefix string) string {
	t.Helper()
	if err := a.Auth.RequestPasswordReset(context.Background(), email, "test"); err != nil {
		t.Fatal(err)
	}
	msg := a.SMTP.WaitFor(t, email, "Reset your")
	return testenv.LinkToken(t, msg.Body, a.URL+prefix)
}

// lockOut types wrong passwords for email until sign-in locks, and returns
// the token of the emailed unlock link.
func lockOut(t *testing.T, a *testenv.TestApp, sf padlock.Surface, email, prefix string) string {
	t.Helper()
	for range a.Auth.Config.LockoutThreshold {
		a.Auth.SignInTo(context.Background(), sf, email, "not-the-password", "test")
	}
	msg := a.SMTP.WaitFor(t, email, "was locked")
	return testenv.LinkToken(t, msg.Body, a.URL+prefix)
}
