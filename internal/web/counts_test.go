package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Counts read as sentences: one invitation, one user who has MFA.
func TestCountsReadAsSentences(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		h := newHeldForms(t, d)
		postedTo(t, h.admin, "/account/users", url.Values{"emails": {"one@acme.test"}, "role": {"lite"}})
		_, _, body := h.admin.Get(t, "/account/users")
		if !strings.Contains(body, "1 invitation sent.") || !strings.Contains(body, "1 of 3 users has MFA") {
			t.Fatalf("one invitation: %q, %q", between(body, `id="flash">`, "<"), between(body, `id="mfa-count">`, "<"))
		}
		postedTo(t, h.admin, "/account/users", url.Values{"emails": {"two@acme.test\nthree@acme.test"}, "role": {"lite"}})
		_, _, body = h.admin.Get(t, "/account/users")
		if !strings.Contains(body, "2 invitations sent.") {
			t.Fatalf("two invitations: %q", between(body, `id="flash">`, "<"))
		}
		if _, _, body := h.admin.Get(t, "/account/settings"); !strings.Contains(body, "4 of 5 users have no MFA yet") {
			t.Fatalf("the settings page counts: %q", between(body, `id="mfa-coverage">`, "</p>"))
		}
		portal := newPortal(t, h.a, h.admin, h.org, false)
		postedTo(t, h.admin, "/account/portals/"+itoa(portal.ID)+"/users", url.Values{"emails": {"client@contoso.test"}, "role": {"lite"}})
		_, _, body = h.admin.Get(t, "/account/portals/"+itoa(portal.ID))
		if !strings.Contains(body, "1 invitation sent.") || !strings.Contains(body, "0 of 1 user has MFA") {
			t.Fatalf("a portal's counts: %q, %q", between(body, `id="flash">`, "<"), between(body, `id="mfa-count">`, "<"))
		}
		if _, _, body := h.admin.Get(t, "/account/portals/"+itoa(portal.ID)+"/delete"); !strings.Contains(body, "Its 1 user will no longer be able to sign in, and is signed out now.") {
			t.Fatal("the delete page does not count one user as one")
		}
	})
}
