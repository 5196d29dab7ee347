package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A 404 keeps a signed-in caller's menu, on either surface; a caller held
// at enrollment keeps only sign-out, and a caller without a session gets
// no menu.
func TestANotFoundPageKeepsTheMenuOfASignedInUser(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		h := newHeldForms(t, d)
		portal, _ := portalWithUser(t, h.a, h.admin, h.org, "client@contoso.test", padlock.RoleLite)
		client := h.a.NewClient()
		portalSignIn(t, client, "client@contoso.test")

		status, _, body := h.admin.Get(t, "/no/such/page")
		if status != http.StatusNotFound || !strings.Contains(body, `href="/account/users"`) || !strings.Contains(body, `id="sign-out"`) {
			t.Fatalf("an Administrator's 404: %d, menu shown %v", status, strings.Contains(body, `href="/account/users"`))
		}
		status, _, body = client.Get(t, "/portal/no/such/page")
		if status != http.StatusNotFound || !strings.Contains(body, `href="/portal/settings"`) || !strings.Contains(body, portal.Name) {
			t.Fatalf("a portal user's 404: %d, menu shown %v", status, strings.Contains(body, `href="/portal/settings"`))
		}
		if _, _, body := h.editor.Get(t, "/account/users"); !strings.Contains(body, `href="/settings"`) {
			t.Fatal("a refused page (403) drops the menu")
		}
		if _, _, body := h.a.NewClient().Get(t, "/no/such/page"); strings.Contains(body, `id="sign-out"`) {
			t.Fatal("a 404 without a session shows a menu")
		}
		requireMFA(t, h.admin, true, "0")
		_, _, body = h.editor.Get(t, "/no/such/page")
		if !strings.Contains(body, `id="sign-out"`) || strings.Contains(body, `href="/organizations"`) {
			t.Fatal("a 404 for a session held at enrollment offers more than sign-out")
		}
	})
}

// A failure is shown as an error: recovery codes asked for a second time.
func TestFailuresAreShownAsErrors(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, c, _ := signedInWithMFA(t, d)
		status, loc, _ := c.Get(t, "/settings/mfa/recovery-codes")
		if status != http.StatusSeeOther {
			t.Fatalf("recovery codes after they were saved: %d", status)
		}
		_, _, body := c.Get(t, loc)
		if !strings.Contains(body, `<p class="banner error" role="alert" id="flash">Recovery codes are shown only once`) {
			t.Fatalf("the failure is not shown as an error: %q", between(body, `<p class="banner`, "</p>"))
		}
	})
}
