package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// signedInAdmin starts a node with an account, an organization and a
// document, and returns a client signed in as its Administrator.
func signedInAdmin(t *testing.T, d string) (*testenv.TestApp, *testenv.Client, *padlock.Organization, *padlock.Document) {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
	org := &padlock.Organization{AccountID: admin.AccountID, Name: "Initech", CreatedAt: a.Clock.Now()}
	if err := a.DB.Conn().CreateOrganization(t.Context(), org); err != nil {
		t.Fatal(err)
	}
	doc := &padlock.Document{AccountID: admin.AccountID, OrganizationID: org.ID, Title: "Network", Body: "VLANs", UpdatedAt: a.Clock.Now()}
	if err := a.DB.Conn().CreateDocument(t.Context(), doc); err != nil {
		t.Fatal(err)
	}
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	return a, c, org, doc
}

// needsState lists GET routes that only render in a particular moment of a
// flow; each has its own test.
var needsState = map[string]bool{
	"/login/mfa":                       true, // a pending sign-in (mfa_test.go)
	"/settings/mfa/recovery-codes":     true, // codes not yet acknowledged
	"/settings/mfa/recovery-codes.txt": true,
	"/settings/mfa/passkeys/new":       true, // a registration after the password (passkey_test.go)
}

// Every screen renders for an Administrator: a broken template fails here.
func TestEveryPageRendersForAnAdministrator(t *testing.T) {
	t.Parallel()
	a, c, org, doc := signedInAdmin(t, "sqlite")
	portal, portalUser := portalWithUser(t, a, c, org, "client@initech.test", padlock.RoleEditor)
	ids := map[string]string{"{id}": fmt.Sprint(userID(t, a, "admin@acme.test")), "{org}": fmt.Sprint(org.ID), "{doc}": fmt.Sprint(doc.ID), "{portal}": fmt.Sprint(portal.ID)}
	c.PostForm(t, "/settings/mfa/enroll", nil) // so the enrollment screen has something to show
	for _, r := range accountRoutes(a) {
		if r.Method != "GET" || r.Public() || needsState[r.Path] {
			continue
		}
		path := strings.ReplaceAll(r.Path, "{$}", "")
		path = strings.ReplaceAll(path, "{portal}/users/{id}", "{portal}/users/"+fmt.Sprint(portalUser.ID)) // a portal user
		path = strings.ReplaceAll(path, "api-keys/{id}", "api-keys/"+fmt.Sprint(seedAPIKey(t, a, "admin@acme.test")))
		for k, v := range ids {
			path = strings.ReplaceAll(path, k, v)
		}
		status, _, body := c.Get(t, path)
		if path == "/" {
			if status != http.StatusSeeOther {
				t.Errorf("GET /: %d", status)
			}
			continue
		}
		if status != http.StatusOK {
			t.Errorf("GET %s: %d\n%.300s", path, status, body)
		}
	}
}

func TestBadInputGetsAClearAnswerAndChangesNothing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, org, doc := signedInAdmin(t, d)
		docPath := fmt.Sprintf("/organizations/%d/documents/%d", org.ID, doc.ID)
		cases := []struct {
			name, path string
			form       url.Values
			status     int
			field      string
		}{
			{"an empty organization name", "/organizations", url.Values{"name": {"  "}}, 422, "name-error"},
			{"a duplicate organization name", "/organizations", url.Values{"name": {"Initech"}}, 409, "name-error"},
			{"an overlong organization name", "/organizations", url.Values{"name": {strings.Repeat("x", 101)}}, 422, "name-error"},
			{"a document without a title", fmt.Sprintf("/organizations/%d/documents", org.ID), url.Values{"title": {""}, "body": {"x"}}, 422, "title-error"},
			{"an overlong document", docPath, url.Values{"title": {"Network"}, "body": {strings.Repeat("x", 100_001)}}, 422, "body-error"},
			{"no invitation addresses", "/account/users", url.Values{"emails": {""}, "role": {"editor"}}, 422, "emails-error"},
			{"a malformed invitation address", "/account/users", url.Values{"emails": {"a@b.test, not-an-address"}, "role": {"editor"}}, 422, "emails-error"},
			{"an unknown role", "/account/users", url.Values{"emails": {"x@acme.test"}, "role": {"owner"}}, 422, "role-error"},
			{"an empty name", "/settings/profile", url.Values{"name": {""}}, 422, "name-error"},
			{"a short new password", "/settings/password", url.Values{"current": {testenv.Password}, "password": {"short"}}, 422, "password-error"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := c.PostForm(t, tc.path, tc.form)
				if status != tc.status || !strings.Contains(body, `id="`+tc.field+`"`) {
					t.Fatalf("status %d (want %d), field error %s shown: %v", status, tc.status, tc.field, strings.Contains(body, tc.field))
				}
			})
		}
		// Nothing was half-written: one organization, the document intact,
		// and no user from the batch that contained a malformed address.
		orgs, _ := a.DB.Conn().OrganizationsAfter(t.Context(), org.AccountID, "", 10)
		got, _ := a.DB.Conn().Document(t.Context(), org.AccountID, org.ID, doc.ID)
		if len(orgs) != 1 || got.Body != "VLANs" {
			t.Fatalf("bad input changed data: %d orgs, body %q", len(orgs), got.Body)
		}
		if _, err := a.DB.Conn().CredentialsByEmail(t.Context(), "a@b.test"); err == nil {
			t.Fatal("half of a failed invitation batch was written")
		}
	})
}

func TestMalformedRequestsAreRefusedWithoutA500(t *testing.T) {
	t.Parallel()
	a, c, _, _ := signedInAdmin(t, "sqlite")
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"an oversized body", "POST", "/organizations", "name=" + strings.Repeat("x", 2<<20), http.StatusRequestEntityTooLarge},
		{"a malformed form", "POST", "/organizations", "name=%zz", http.StatusBadRequest},
		{"a non-numeric id", "GET", "/account/users/abc", "", http.StatusNotFound},
		{"a negative id", "GET", "/organizations/-1", "", http.StatusNotFound},
		{"an id that overflows", "GET", "/organizations/99999999999999999999999", "", http.StatusNotFound},
		{"an unknown path", "GET", "/no/such/page", "", http.StatusNotFound},
		{"a wrong method", "DELETE", "/organizations", "", http.StatusMethodNotAllowed},
		{"an API page size that is not a number", "GET", "/api/v1/users?limit=x", "", http.StatusUnprocessableEntity},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, a.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", a.URL)
			status, _, _ := c.Do(t, req)
			if status != tc.want {
				t.Fatalf("status %d, want %d", status, tc.want)
			}
		})
	}
}

func TestAPIErrorsAreJSONWithACode(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	status, _, body := a.NewClient().Get(t, "/api/v1/me")
	if status != 401 || !strings.Contains(body, `"code":"unauthorized"`) {
		t.Fatalf("%d %s", status, body)
	}
}

func TestDocumentsAreRenderedSafely(t *testing.T) {
	t.Parallel()
	a, c, org, _ := signedInAdmin(t, "sqlite")
	evil := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	status, loc, _ := c.PostForm(t, fmt.Sprintf("/organizations/%d/documents", org.ID), url.Values{"title": {evil}, "body": {evil}})
	if status != http.StatusSeeOther {
		t.Fatalf("create: %d", status)
	}
	if status, _, _ := c.PostForm(t, "/organizations", url.Values{"name": {evil}}); status != http.StatusSeeOther {
		t.Fatalf("create organization: %d", status)
	}
	// The document, and the lists that show its title and the
	// organization's name.
	for _, page := range []string{loc, fmt.Sprintf("/organizations/%d", org.ID), "/organizations"} {
		_, _, body := c.Get(t, page)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Fatalf("%s: markup was rendered, not escaped", page)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Fatalf("%s: escaped text missing", page)
		}
	}
	_ = a
}

func TestSecurityHeadersAreSetOnEveryPage(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	resp, err := http.Get(a.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	for h, want := range map[string]string{"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q", h, got)
		}
	}
}

func TestLogsNeverContainPasswordsOrTokens(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	c.PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {"a-wrong-secret-password"}})
	c.SignIn(t, "admin@acme.test", testenv.Password)
	c.PostForm(t, "/forgot", url.Values{"email": {"admin@acme.test"}})
	msg := a.SMTP.WaitFor(t, "admin@acme.test", "Reset")
	token := testenv.LinkToken(t, msg.Body, "/reset/")
	c.Get(t, "/reset/"+token)
	logs := a.Log.String()
	for _, secret := range []string{testenv.Password, "a-wrong-secret-password", c.CookieValue("padlock_session"), token} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the log contains a secret %q", secret[:6]+"…")
		}
	}
	if !strings.Contains(logs, `route="GET /reset/{token}"`) {
		t.Errorf("requests are not logged by route pattern:\n%s", logs)
	}
}
