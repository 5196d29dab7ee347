package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestADraftSurvivesTheRequirementArrivingMidEdit is the lost-work story:
// an Editor in the grace period edits a document while the Administrator
// cuts the grace to nothing. Save leads to enrollment, which says the
// change was not saved; after enrollment the Editor is back on the form
// with what they typed, and it is saved when they press Save again.
func TestADraftSurvivesTheRequirementArrivingMidEdit(t *testing.T) {
	t.Parallel()
	const editorEmail = "eve@example.com"
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		admin := a.CreateAccount(t, "Acme IT", adminEmail)
		a.AddUser(t, admin, editorEmail, padlock.RoleEditor)
		doc := storedDocument(t, a, admin, "Firewall rules", "Allow 22 from the office.")
		edit := fmt.Sprintf("/organizations/%d/documents/%d/edit", doc.OrganizationID, doc.ID)
		setGraceDays(t, a, admin.AccountID, 7)
		p := startBrowser(t, a.URL)

		p.step("mistype the password, then sign in")
		p.open("/login")
		p.fill("#email", editorEmail)
		p.fill("#password", "not-the-password")
		p.submit("main form")
		p.waitText("#signin-error", "")
		if got := p.value("#email"); got != editorEmail {
			p.fatalf("the email was not kept after a wrong password: %q", got)
		}
		if got := focused(p); got != "password" {
			p.fatalf("after a wrong password the cursor is in #%s, want #password", got)
		}
		p.fill("#password", testenv.Password)
		p.submit("main form")
		p.waitText("#mfa-grace", "Set it up by")

		p.step("edit the document during the grace period")
		p.open(edit)
		p.waitText("main h1", "Edit document")
		p.fill("#title", "Firewall rules, reviewed")
		p.fill("#body", "Allow 443 from the VPN only.")

		p.step("the administrator cuts the grace period to nothing")
		setGraceDays(t, a, admin.AccountID, 0)

		p.step("press Save and meet the requirement")
		p.submit(`main form[action$="/documents/` + fmt.Sprint(doc.ID) + `"]`)
		expectForcedEnrollment(p)
		p.waitText("#notice", "Your change was not saved")
		p.keep("enrollment-after-a-held-save")
		expectStoredTitle(p, a, doc, "Firewall rules")

		p.step("set up MFA")
		secret := readSecretKey(p)
		p.fill("#code", freshCode(a, secret))
		p.click(`main form[action="/settings/mfa/verify"] button[type="submit"]`)
		p.expectPath("/settings/mfa/recovery-codes")
		p.click("#codes-saved")

		p.step("find the form filled in again, not yet saved")
		p.expectPath(edit)
		p.waitText("#notice", "What you typed is filled in again")
		if got := p.value("#title"); got != "Firewall rules, reviewed" {
			p.fatalf("the title field holds %q, not what was typed", got)
		}
		if got := p.value("#body"); got != "Allow 443 from the VPN only." {
			p.fatalf("the text field holds %q, not what was typed", got)
		}
		p.keep("form-given-back")
		expectStoredTitle(p, a, doc, "Firewall rules")

		p.step("save it")
		p.submit(`main form[action$="/documents/` + fmt.Sprint(doc.ID) + `"]`)
		p.waitText(".banner.ok", "Document saved")
		p.waitText("main h1", "Firewall rules, reviewed")
		expectStoredTitle(p, a, doc, "Firewall rules, reviewed")

		p.step("the form is given back once")
		p.open(edit)
		if n := p.count("#notice"); n != 0 {
			p.fatalf("the held form came back a second time")
		}
	})
}

// storedDocument creates an organization with one document, as its
// Administrator would.
func storedDocument(t *testing.T, a *testenv.TestApp, admin *padlock.User, title, body string) *padlock.Document {
	t.Helper()
	ctx := context.Background()
	org, err := a.Docs.CreateOrganization(ctx, auth.Actor{User: admin}, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	doc := &padlock.Document{OrganizationID: org.ID, Title: title, Body: body}
	if err := a.Docs.CreateDocument(ctx, auth.Actor{User: admin}, doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// setGraceDays requires MFA of the account (from now, if it did not yet)
// with a grace period of days, as Account > Settings saves it.
func setGraceDays(t *testing.T, a *testenv.TestApp, accountID int64, days int) {
	t.Helper()
	ctx, conn := context.Background(), a.DB.Conn()
	acct, err := conn.Account(ctx, accountID)
	if err != nil {
		t.Fatal(err)
	}
	if acct.MFARequiredAt.IsZero() {
		acct.MFARequiredAt = a.Clock.Now()
	}
	acct.MFAGraceDays = days
	if err := conn.SaveAuthenticationSettings(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if err := conn.RecomputeMFADeadlines(ctx, accountID, acct.MFARequiredAt, days); err != nil {
		t.Fatal(err)
	}
}

// expectStoredTitle checks the document's title as saved.
func expectStoredTitle(p *page, a *testenv.TestApp, doc *padlock.Document, want string) {
	p.t.Helper()
	got, err := a.DB.Conn().Document(context.Background(), doc.AccountID, doc.OrganizationID, doc.ID)
	if err != nil {
		p.fatalf("read the document: %v", err)
	}
	if got.Title != want {
		p.fatalf("the stored title is %q, want %q", got.Title, want)
	}
}

// focused is the id of the element that has the keyboard's focus.
func focused(p *page) string {
	p.t.Helper()
	return run(p, "read the focus", chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
}
