package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// What a page says when it gives back a form that MFA held.
const (
	notSaved      = "Your change was not saved."
	filledInAgain = "What you typed is filled in again below"
	makeItAgain   = "Make it again to save it."
)

// heldForms is an account whose Administrator has MFA, with an Editor
// without MFA, an organization and a document.
type heldForms struct {
	a      *testenv.TestApp
	user   *padlock.User // the Administrator
	admin  *testenv.Client
	editor *testenv.Client
	org    *padlock.Organization
	doc    string // the document's path
}

func newHeldForms(t *testing.T, d string) *heldForms {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	u := a.CreateAccount(t, "Acme IT", "admin@acme.test")
	a.AddUser(t, u, "editor@acme.test", padlock.RoleEditor)
	h := &heldForms{a: a, user: u, admin: a.NewClient(), editor: a.NewClient()}
	h.admin.SignIn(t, "admin@acme.test", testenv.Password)
	enableMFA(t, a, h.admin)
	orgPath := postedTo(t, h.admin, "/organizations", url.Values{"name": {"Contoso"}})
	h.doc = postedTo(t, h.admin, orgPath+"/documents", url.Values{"title": {"Firewall rules"}, "body": {"Allow 22 from the office."}})
	var err error
	var id int64
	fmt.Sscanf(strings.TrimPrefix(orgPath, "/organizations/"), "%d", &id)
	if h.org, err = a.DB.Conn().Organization(t.Context(), u.AccountID, id); err != nil {
		t.Fatal(err)
	}
	h.editor.SignIn(t, "editor@acme.test", testenv.Password)
	return h
}

// storedTitle is the document's title as saved.
func (h *heldForms) storedTitle(t *testing.T) string {
	t.Helper()
	var id int64
	fmt.Sscanf(h.doc[strings.LastIndex(h.doc, "/")+1:], "%d", &id)
	d, err := h.a.DB.Conn().Document(t.Context(), h.org.AccountID, h.org.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return d.Title
}

// hold sends the form as the editor while the account requires MFA at
// once, checks that it is turned away to enrollment with the way back to
// page, and lifts the requirement again, so the editor reaches page
// without setting MFA up.
func (h *heldForms) hold(t *testing.T, path string, form url.Values, page string) {
	t.Helper()
	requireMFA(t, h.admin, true, "0")
	status, loc, _ := h.editor.PostForm(t, path, form)
	if want := "/settings/mfa/enroll?next=" + url.QueryEscape(page); status != http.StatusSeeOther || loc != want {
		t.Fatalf("POST %s under the requirement: %d %q, want %s", path, status, loc, want)
	}
	requireMFA(t, h.admin, false, "0")
}

// The story of the issue: an Editor presses Save as the grace period is
// cut to nothing. The save is not carried out, enrollment says so, and
// after it the Editor is back on the form with what they typed, which is
// saved only when they press Save again. No one else ever sees it.
func TestASaveCaughtByEnrollmentReturnsToItsFormAfterwards(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		h := newHeldForms(t, d)
		edit := h.doc + "/edit"
		requireMFA(t, h.admin, true, "7")
		if status, _, _ := h.editor.Get(t, edit); status != http.StatusOK {
			t.Fatalf("the edit page during the grace period: %d", status)
		}
		requireMFA(t, h.admin, true, "0")

		typed := url.Values{"title": {"Firewall rules, reviewed"}, "body": {"Allow 443 from the VPN <only>."}, "shared_with_portal": {"on"},
			"password": {"typed-in-the-wrong-box"}}
		status, loc, _ := h.editor.PostForm(t, h.doc, typed)
		if want := "/settings/mfa/enroll?next=" + url.QueryEscape(edit); status != http.StatusSeeOther || loc != want {
			t.Fatalf("Save under the requirement: %d %q, want %s", status, loc, want)
		}
		if _, _, body := h.editor.Get(t, loc); !strings.Contains(body, `id="notice"`) || !strings.Contains(body, notSaved) {
			t.Fatal("the enrollment page does not say the change was not saved")
		}
		if got := h.storedTitle(t); got != "Firewall rules" {
			t.Fatalf("the held save was carried out: the title is %q", got)
		}
		if _, _, body := h.admin.Get(t, edit); strings.Contains(body, "reviewed") || strings.Contains(body, notSaved) {
			t.Fatal("another user's session was given the held form")
		}

		enrollThroughForcedScreens(t, h.a, h.editor, edit)
		status, _, body := h.editor.Get(t, edit)
		if status != http.StatusOK || !strings.Contains(body, filledInAgain) {
			t.Fatalf("back on the form: %d, notice shown %v", status, strings.Contains(body, filledInAgain))
		}
		for _, want := range []string{`value="Firewall rules, reviewed"`, "Allow 443 from the VPN &lt;only&gt;.</textarea>", `name="shared_with_portal" checked`} {
			if !strings.Contains(body, want) {
				t.Errorf("the form is not filled in with %s", want)
			}
		}
		if strings.Contains(body, "typed-in-the-wrong-box") {
			t.Error("a password field was kept")
		}
		if got := h.storedTitle(t); got != "Firewall rules" {
			t.Fatalf("giving the form back saved it: the title is %q", got)
		}
		if _, _, again := h.editor.Get(t, edit); strings.Contains(again, "reviewed") || strings.Contains(again, notSaved) {
			t.Fatal("the held form was given back twice")
		}
		if loc := postedTo(t, h.editor, h.doc, url.Values{"title": {"Firewall rules, reviewed"}, "body": {"Allow 443."}}); loc != h.doc {
			t.Fatalf("saving again: %q", loc)
		}
		if got := h.storedTitle(t); got != "Firewall rules, reviewed" {
			t.Fatalf("saved again: the title is %q", got)
		}
	})
}

// A held form keeps no password or code, keeps nothing of a form too large
// to keep, belongs to its session alone, and is forgotten after an hour.
func TestAHeldFormKeepsNoSecretsBelongsToItsSessionAndExpires(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		h := newHeldForms(t, d)
		t.Run("passwords", func(t *testing.T) {
			h.hold(t, "/settings/password", url.Values{"current": {testenv.Password}, "password": {"lantern-meadow-quartz-new"}}, "/settings")
			_, _, body := h.editor.Get(t, "/settings")
			if !strings.Contains(body, makeItAgain) || strings.Contains(body, "lantern-meadow") || strings.Contains(body, testenv.Password) {
				t.Fatalf("the password form came back with something in it, or without its notice")
			}
		})
		t.Run("a form too large to keep", func(t *testing.T) {
			h.hold(t, h.doc, url.Values{"title": {"Huge"}, "body": {strings.Repeat("x", auth.MaxHeldForm)}}, h.doc+"/edit")
			_, _, body := h.editor.Get(t, h.doc+"/edit")
			if !strings.Contains(body, makeItAgain) || strings.Contains(body, `value="Huge"`) {
				t.Fatal("a form over the cap was kept, or its page does not say to make the change again")
			}
		})
		t.Run("another session of the same user", func(t *testing.T) {
			h.hold(t, "/settings/profile", url.Values{"name": {"Typed Name"}}, "/settings")
			other := h.a.NewClient()
			other.SignIn(t, "editor@acme.test", testenv.Password)
			if _, _, body := other.Get(t, "/settings"); strings.Contains(body, "Typed Name") || strings.Contains(body, notSaved) {
				t.Fatal("another session of the user was given the held form")
			}
			if _, _, body := h.editor.Get(t, "/settings"); !strings.Contains(body, `value="Typed Name"`) {
				t.Fatal("the session that sent the form did not get it back")
			}
		})
		t.Run("within the hour", func(t *testing.T) {
			h.hold(t, "/settings/profile", url.Values{"name": {"Typed Name"}}, "/settings")
			h.a.Clock.Advance(59 * time.Minute)
			if _, _, body := h.editor.Get(t, "/settings"); !strings.Contains(body, `value="Typed Name"`) {
				t.Fatal("a held form was forgotten within the hour")
			}
		})
		t.Run("after an hour", func(t *testing.T) {
			h.hold(t, "/settings/profile", url.Values{"name": {"Typed Name"}}, "/settings")
			h.a.Clock.Advance(61 * time.Minute)
			if _, _, body := h.editor.Get(t, "/settings"); strings.Contains(body, "Typed Name") || strings.Contains(body, notSaved) {
				t.Fatal("a held form was given back after an hour")
			}
		})
	})
}

// Every form of the application names the page it is on, and that page
// gives back a form held from it. The forms are sent by an Administrator
// without MFA, who may send every one of them.
func TestEveryFormPageGivesBackAHeldForm(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		h := newHeldForms(t, d)
		portal := newPortal(t, h.a, h.admin, h.org, false)
		postedTo(t, h.admin, fmt.Sprintf("/account/portals/%d/users", portal.ID), url.Values{"emails": {"client@contoso.test"}, "role": {"lite"}})
		h.a.AddUser(t, h.user, "ops@acme.test", padlock.RoleAdministrator)
		h.editor = h.a.NewClient() // the sender, from here on
		h.editor.SignIn(t, "ops@acme.test", testenv.Password)
		values := strings.NewReplacer("{org}", itoa(h.org.ID), "{doc}", h.doc[strings.LastIndex(h.doc, "/")+1:], "{portal}", itoa(portal.ID))
		for _, r := range accountRoutes(h.a) {
			if r.Method != http.MethodPost || r.Public() || strings.HasPrefix(r.Path, "/api/") || r.Path == "/logout" ||
				r.Access.String() == "enrollment" || r.Access.String() == "challenge" {
				continue
			}
			if r.Form == "" {
				t.Errorf("POST %s names no page for its form", r.Path)
				continue
			}
			user := itoa(userID(t, h.a, "editor@acme.test"))
			if strings.Contains(r.Path, "/portals/") {
				user = itoa(userID(t, h.a, "client@contoso.test"))
			}
			if strings.Contains(r.Path, "/api-keys/") {
				user = itoa(seedAPIKey(t, h.a, "admin@acme.test"))
			}
			path := strings.ReplaceAll(values.Replace(r.Path), "{id}", user)
			page := strings.ReplaceAll(values.Replace(r.Form), "{id}", user)
			h.hold(t, path, url.Values{"name": {"x"}}, page)
			if status, _, body := h.editor.Get(t, page); status != http.StatusOK || !strings.Contains(body, `id="notice"`) || !strings.Contains(body, notSaved) {
				t.Errorf("POST %s: its page %s answers %d, notice shown %v", r.Path, page, status, strings.Contains(body, notSaved))
			}
		}
	})
}

// Held forms come back filled in, each into its own form on a page that
// has several.
func TestHeldFormsComeBackIntoTheirOwnForm(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		h := newHeldForms(t, d)
		h.hold(t, "/settings/profile", url.Values{"name": {"Eddie Editor"}}, "/settings")
		if _, _, body := h.editor.Get(t, "/settings"); !strings.Contains(body, `value="Eddie Editor"`) || !strings.Contains(body, filledInAgain) {
			t.Fatal("My Settings' profile form did not come back")
		}
		org := fmt.Sprintf("/organizations/%d/documents", h.org.ID)
		h.hold(t, org, url.Values{"title": {"Backup plan"}, "body": {"Nightly."}}, org+"/new")
		if _, _, body := h.editor.Get(t, org+"/new"); !strings.Contains(body, `value="Backup plan"`) || !strings.Contains(body, "Nightly.</textarea>") {
			t.Fatal("the new document form did not come back")
		}
	})
}

// A client portal's user whose portal starts requiring MFA mid-edit gets
// their document back on the portal's edit page after enrollment.
func TestAPortalUsersHeldEditReturnsAfterEnrollment(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		h := newHeldForms(t, d)
		portal, _ := portalWithUser(t, h.a, h.admin, h.org, "client@contoso.test", padlock.RoleEditor)
		postedTo(t, h.admin, h.doc, url.Values{"title": {"Firewall rules"}, "body": {"Allow 22."}, "shared_with_portal": {"on"}})
		client := h.a.NewClient()
		portalSignIn(t, client, "client@contoso.test")
		doc := "/portal/documents/" + h.doc[strings.LastIndex(h.doc, "/")+1:]
		postedTo(t, h.admin, fmt.Sprintf("/account/portals/%d", portal.ID), url.Values{"name": {portal.Name}, "require_mfa": {"on"}})

		status, loc, _ := client.PostForm(t, doc, url.Values{"title": {"Rules from the client"}, "body": {"Please open 8443."}})
		if want := "/portal/settings/mfa/enroll?next=" + url.QueryEscape(doc+"/edit"); status != http.StatusSeeOther || loc != want {
			t.Fatalf("Save under the portal's requirement: %d %q, want %s", status, loc, want)
		}
		enrollThroughForcedScreens(t, h.a, client, doc+"/edit")
		_, _, body := client.Get(t, doc+"/edit")
		if !strings.Contains(body, `value="Rules from the client"`) || !strings.Contains(body, "Please open 8443.</textarea>") || !strings.Contains(body, filledInAgain) {
			t.Fatal("the portal's edit form did not come back filled in")
		}
		if got := h.storedTitle(t); got != "Firewall rules" {
			t.Fatalf("the held save was carried out: %q", got)
		}
	})
}

// A session whose identity provider's MFA stops counting is sent to the
// challenge; a form it sent meanwhile comes back after the code, wherever
// the user looked in between, to that session and not to another of the
// same user.
func TestAFormCaughtByTheChallengeReturnsAfterTheCode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		s, admin := mfaAccount(t, d)
		accept := url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "accept_idp_mfa": {"on"}, "mfa_contexts": {mfaContext}, "domains": {"acme.test"}}
		s.saveOptions(t, accept)
		s.idp.SignInAs("admin@acme.test", mfaContext)
		c := s.a.NewClient()
		if status, loc, _ := s.signIn(t, c, "/"); status != http.StatusSeeOther || loc != "/" {
			t.Fatalf("SSO with the IdP's MFA: %d %q", status, loc)
		}
		accept.Del("accept_idp_mfa")
		s.saveOptions(t, accept)

		status, loc, _ := c.PostForm(t, "/organizations", url.Values{"name": {"Northwind"}})
		if want := "/login/mfa?next=" + url.QueryEscape("/organizations/new"); status != http.StatusSeeOther || loc != want {
			t.Fatalf("a form under the challenge: %d %q, want %s", status, loc, want)
		}
		if _, _, body := c.Get(t, loc); !strings.Contains(body, notSaved) {
			t.Fatal("the challenge does not say the change was not saved")
		}
		if _, _, body := s.admin.Get(t, "/organizations/new"); strings.Contains(body, "Northwind") {
			t.Fatal("another session of the user was given the held form")
		}
		// The user looks elsewhere first; the form still comes first.
		if status, loc, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther || loc != "/login/mfa?next=%2Forganizations" {
			t.Fatalf("a page under the challenge: %d %q", status, loc)
		}
		status, loc, _ = c.PostForm(t, "/login/mfa", url.Values{"code": {admin.code(s.a, 0)}, "next": {"/organizations"}})
		if status != http.StatusSeeOther || loc != "/organizations/new" {
			t.Fatalf("the code: %d %q, want the form's page", status, loc)
		}
		if _, _, body := c.Get(t, loc); !strings.Contains(body, `value="Northwind"`) || !strings.Contains(body, filledInAgain) {
			t.Fatal("the form did not come back after the code")
		}
	})
}

// No password field of any page is ever kept in a held form.
func TestNoPasswordFieldIsKeptInAHeldForm(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v", err)
	}
	input := regexp.MustCompile(`<input[^>]*>`)
	name := regexp.MustCompile(`name="([^"]+)"`)
	found := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range input.FindAllString(string(b), -1) {
			m := name.FindStringSubmatch(tag)
			if m == nil || !strings.Contains(tag, `type="password"`) && !strings.Contains(tag, `autocomplete="one-time-code"`) {
				continue
			}
			found++
			if auth.KeepsField(m[1]) {
				t.Errorf("%s: the field %q would be kept in a held form", f, m[1])
			}
		}
	}
	if found < 5 {
		t.Fatalf("found %d password and code fields; the pattern is out of date", found)
	}
}
