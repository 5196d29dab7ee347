package web_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Every kind of bad response is refused with a page that says why, an
// audit event naming the reason, and no session. Each case answers a real
// request started by the same browser, so only the named fault is wrong.
func TestSSORefusesBadResponses(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		s.addUser(t, "editor@acme.test", padlock.RoleEditor)
		cases := []struct {
			name    string
			craft   func(id string) string
			before  func() // runs between crafting and posting
			message string // on the page
			reason  string // in the audit event
		}{
			{name: "an unsigned response and assertion", craft: s.crafted(t, ssotest.Response{Unsigned: true}),
				message: "is not signed", reason: "missing or invalid signature"},
			{name: "a response signed by another key", craft: s.crafted(t, ssotest.Response{SignWith: "mallory"}),
				message: "key that is not trusted for this single sign-on", reason: "signed by an untrusted key"},
			{name: "an expired assertion", craft: s.crafted(t, ssotest.Response{}), before: func() { a.Clock.Advance(5 * time.Minute) },
				message: "has expired", reason: "expired"},
			{name: "an assertion not yet valid", craft: func(id string) string {
				return s.idp.Craft(t, s.sp, ssotest.Response{Email: "editor@acme.test", InResponseTo: id, At: a.Clock.Now().Add(10 * time.Minute)})
			}, message: "not valid yet", reason: "not yet valid"},
			{name: "an assertion for another audience", craft: s.crafted(t, ssotest.Response{Audience: "https://other.example/sp"}),
				message: "meant for another service", reason: "wrong audience"},
			{name: "an answer to a request this server did not make", craft: func(string) string {
				return s.idp.Craft(t, s.sp, ssotest.Response{Email: "editor@acme.test", InResponseTo: "id-not-ours"})
			}, message: "does not answer a sign-in started from this browser", reason: "no matching request (InResponseTo)"},
			{name: "more than one assertion", craft: s.crafted(t, ssotest.Response{ExtraAssertion: true}),
				message: "more than one assertion", reason: "more than one assertion"},
			{name: "a forged assertion before the signed one", craft: s.crafted(t, ssotest.Response{Wrap: ssotest.WrapEvilFirst}),
				message: "more than one assertion", reason: "more than one assertion"},
			{name: "the signed assertion hidden in Extensions", craft: s.crafted(t, ssotest.Response{Wrap: ssotest.WrapSignedInExtensions}),
				message: "more than one assertion", reason: "more than one assertion"},
			{name: "an assertion changed after signing", craft: s.crafted(t, ssotest.Response{Wrap: ssotest.WrapTampered}),
				message: "signature does not match", reason: "missing or invalid signature"},
			{name: "the signature moved to the response", craft: s.crafted(t, ssotest.Response{Wrap: ssotest.WrapSignatureMoved}),
				message: "signature does not match", reason: "missing or invalid signature"},
			{name: "a signed response inside a forged one", craft: s.crafted(t, ssotest.Response{Wrap: ssotest.WrapResponseInResponse}),
				message: "tampered with", reason: "signature wrapping"},
			{name: "an encrypted assertion signed by nobody", craft: s.crafted(t, ssotest.Response{Unsigned: true, Encrypt: true}),
				message: "is not signed", reason: "missing or invalid signature"},
			{name: "an encrypted assertion signed by another key", craft: s.crafted(t, ssotest.Response{Encrypt: true, AssertionOnly: true, SignWith: "mallory"}),
				message: "key that is not trusted for this single sign-on", reason: "signed by an untrusted key"},
			{name: "a response that is not base64", craft: func(string) string { return "%%%" },
				message: "could not be read", reason: "malformed response"},
			{name: "a response that is not XML", craft: func(string) string { return base64.StdEncoding.EncodeToString([]byte("<<<")) },
				message: "could not be read", reason: "malformed response"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := a.NewClient()
				id, relay := s.startSignIn(t, c)
				response := tc.craft(id)
				if tc.before != nil {
					tc.before()
				}
				status, _, body := s.postToACS(t, c, response, relay)
				s.expectRefused(t, c, status, body, tc.message, tc.reason)
			})
		}
		for _, ok := range []struct {
			name string
			r    ssotest.Response
		}{
			{"while an honest response from the same IdP is accepted", ssotest.Response{}},
			{"and so is an assertion signed, then encrypted, in an unsigned response", ssotest.Response{AssertionOnly: true, Encrypt: true}},
		} {
			t.Run(ok.name, func(t *testing.T) {
				c := a.NewClient()
				id, relay := s.startSignIn(t, c)
				if status, loc, body := s.postToACS(t, c, s.crafted(t, ok.r)(id), relay); status != http.StatusSeeOther || loc != "/" {
					t.Fatalf("ACS: %d %q\n%s", status, loc, between(body, "<main", "</main>"))
				}
			})
		}
	})
}

// crafted answers request id for the editor, as r describes.
func (s *ssoAccount) crafted(t *testing.T, r ssotest.Response) func(id string) string {
	return func(id string) string {
		r.InResponseTo, r.Email = id, "editor@acme.test"
		return s.idp.Craft(t, s.sp, r)
	}
}

// expectRefused checks a refusal: the page, the event (on the portal's
// activity for a portal), and no session on either surface.
func (s *ssoAccount) expectRefused(t *testing.T, c *testenv.Client, status int, body, message, reason string) {
	t.Helper()
	if status != http.StatusUnauthorized || !strings.Contains(body, message) || !strings.Contains(body, `id="sso-error"`) {
		t.Fatalf("status %d, want 401 with %q\n%s", status, message, between(body, "<main", "</main>"))
	}
	e := s.lastEvent(t, padlock.EventSSOFailed)
	if e == nil || !strings.HasPrefix(e.Detail, reason) {
		t.Fatalf("audit event %+v, want reason %q", e, reason)
	}
	if want := s.portalID(); e.PortalID != want {
		t.Fatalf("audit event %+v, want it on portal %d (0: the account's)", e, want)
	}
	for _, page := range []string{"/organizations", "/portal/"} {
		if status, _, _ := c.Get(t, page); status != http.StatusSeeOther {
			t.Fatalf("a session was started: %s answers %d", page, status)
		}
	}
}

// portalID is the tenant's portal, 0 for the account.
func (s *ssoAccount) portalID() int64 {
	if s.portal == nil {
		return 0
	}
	return s.portal.ID
}
