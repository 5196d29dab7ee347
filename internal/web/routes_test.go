package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// samplePath fills each {wildcard} of a pattern with a plausible value.
func samplePath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	return regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(p, "1")
}

func TestEveryRouteDeclaresAnAccessClass(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	for _, r := range a.Web.RouteTable() {
		if r.Access.String() == "unset" {
			t.Errorf("%s %s has no access class", r.Method, r.Path)
		}
	}
}

// Walks the table without a session: every route that is not public sends a
// browser to sign in and answers an API client 401.
func TestEveryNonPublicRouteRefusesACallerWithoutASession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		c := a.NewClient()
		for _, r := range a.Web.RouteTable() {
			if r.Public() {
				continue
			}
			req, _ := http.NewRequest(r.Method, a.URL+samplePath(r.Path), strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			status, loc, _ := c.Do(t, req)
			if strings.HasPrefix(r.Path, "/api/") {
				if status != http.StatusUnauthorized {
					t.Errorf("%s %s: status %d, want 401", r.Method, r.Path, status)
				}
				continue
			}
			login := r.Surface.Prefix() + "/login"
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, login) {
				t.Errorf("%s %s: status %d location %q, want a redirect to %s", r.Method, r.Path, status, loc, login)
			}
		}
	})
}

// Walks the table as a Lite user: every route needing a permission Lite
// lacks answers 403.
func TestEveryPermissionRouteRefusesARoleWithoutIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin, "lite@acme.test", padlock.RoleLite)
		c := a.NewClient()
		c.SignIn(t, "lite@acme.test", testenv.Password)
		for _, r := range a.Web.RouteTable() {
			if r.Surface != padlock.SurfaceAccount || r.Public() || r.Permission() == "" || padlock.RoleLite.Can(r.Permission()) || r.Path == "/logout" {
				continue
			}
			req, _ := http.NewRequest(r.Method, a.URL+samplePath(r.Path), strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", a.URL)
			status, _, _ := c.Do(t, req)
			if status != http.StatusForbidden {
				t.Errorf("%s %s as Lite: status %d, want 403", r.Method, r.Path, status)
			}
		}
	})
}

// Walks the portal's table as each portal role, Portal administrator
// included: a route needing a permission the role lacks answers 403, and one
// it has never does.
func TestEveryPortalPermissionRouteFollowsThePortalRoles(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		p := newPortal(t, a, admin, org, false)
		for _, role := range padlock.PortalRoles {
			email := strings.ReplaceAll(string(role), "_", "-") + "@initech.test"
			invitePortalUser(t, a, admin, p, email, role)
			c := a.NewClient()
			portalSignIn(t, c, email)
			for _, r := range a.Web.RouteTable() {
				if r.Surface != padlock.SurfacePortal || r.Permission() == "" {
					continue
				}
				req, _ := http.NewRequest(r.Method, a.URL+samplePath(r.Path), strings.NewReader(""))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", a.URL)
				status, _, _ := c.Do(t, req)
				if refused := status == http.StatusForbidden; refused == role.Can(r.Permission()) {
					t.Errorf("%s %s as %s: status %d", r.Method, r.Path, role.Label(), status)
				}
			}
		}
	})
}
