package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The account's and each portal's identity providers are apart: at a
// portal's ACS, a response for the account or for another portal is
// refused, each check on its own (the request it answers and its tenant,
// the signing key, audience, destination, issuer), with every other part
// of the response right; a request is used up only by its own tenant; and
// a tenant's addresses do not exist on the other surface.
func TestAPortalsACSRefusesResponsesForTheAccountAndForOtherPortals(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		clients := ssotest.Start(t, "idp-clients", a.Clock.Now) // one IdP for both portals
		p := newSSOPortal(t, acme, "Initech", "initech.test", clients, false)
		q := newSSOPortal(t, acme, "Hooli", "hooli.test", clients, false)
		const boss = "boss@initech.test"

		t.Run("the account's response, through its bindings, and the account's request left for it", func(t *testing.T) {
			acme.idp.SignInAs("admin@acme.test", "")
			c := a.NewClient()
			_, loc, _ := c.Get(t, acme.addresses+"/login")
			form := acme.idpForm(t, c, loc)
			status, _, body := p.postToACS(t, c, form.SAMLResponse, form.RelayState)
			p.expectRefused(t, c, status, body, "does not answer a sign-in started from this browser", "no matching request")
			if status, loc, body := acme.postToACS(t, c, form.SAMLResponse, form.RelayState); status != http.StatusSeeOther || loc != "/" {
				t.Fatalf("the same response at the account's ACS: %d %q\n%s", status, loc, between(body, "<main", "</main>"))
			}
		})
		t.Run("another portal's response, through its bindings", func(t *testing.T) {
			q.idp.SignInAs("boss@hooli.test", "")
			c := a.NewClient()
			_, loc, _ := c.Get(t, q.addresses+"/login")
			form := q.idpForm(t, c, loc)
			status, _, body := p.postToACS(t, c, form.SAMLResponse, form.RelayState)
			p.expectRefused(t, c, status, body, "does not answer a sign-in started from this browser", "no matching request")
		})
		cases := []struct {
			name, message, reason string
			craft                 func(id string) string
		}{
			{"signed by the account's IdP", "key that is not trusted for this single sign-on", "signed by an untrusted key", func(id string) string {
				return acme.idp.Craft(t, p.sp, ssotest.Response{Email: boss, InResponseTo: id})
			}},
			{"for the account's audience", "meant for another service", "wrong audience", func(id string) string {
				return p.idp.Craft(t, p.sp, ssotest.Response{Email: boss, InResponseTo: id, Audience: acme.sp.EntityID})
			}},
			{"for another portal's audience", "meant for another service", "wrong audience", func(id string) string {
				return p.idp.Craft(t, p.sp, ssotest.Response{Email: boss, InResponseTo: id, Audience: q.sp.EntityID})
			}},
			{"addressed to the account's ACS", "addressed to another place", "wrong destination", func(id string) string {
				return p.idp.Craft(t, ssotest.SP{EntityID: p.sp.EntityID, ACSURL: acme.sp.ACSURL}, ssotest.Response{Email: boss, InResponseTo: id})
			}},
			{"addressed to another portal's ACS", "addressed to another place", "wrong destination", func(id string) string {
				return p.idp.Craft(t, ssotest.SP{EntityID: p.sp.EntityID, ACSURL: q.sp.ACSURL}, ssotest.Response{Email: boss, InResponseTo: id})
			}},
			{"naming the account's IdP as its issuer", "identity provider that is not the one set up", "wrong issuer", func(id string) string {
				return p.idp.Craft(t, p.sp, ssotest.Response{Email: boss, InResponseTo: id, Issuer: acme.idp.EntityID()})
			}},
		}
		for _, tc := range cases {
			t.Run("a response to this portal's request, but "+tc.name, func(t *testing.T) {
				c := a.NewClient()
				id, relay := p.startSignIn(t, c)
				status, _, body := p.postToACS(t, c, tc.craft(id), relay)
				p.expectRefused(t, c, status, body, tc.message, tc.reason)
			})
		}
		for _, other := range []struct {
			name  string
			owner *ssoAccount
		}{{"the account", acme}, {"another portal", q}} {
			t.Run("a response for this portal answering a request of "+other.name+", which stays its own", func(t *testing.T) {
				c := a.NewClient()
				id, relay := other.owner.startSignIn(t, c)
				status, _, body := p.postToACS(t, c, p.idp.Craft(t, p.sp, ssotest.Response{Email: boss, InResponseTo: id}), relay)
				p.expectRefused(t, c, status, body, "does not answer a sign-in started from this browser", "no matching request")
				email := "admin@acme.test"
				if other.owner.portal != nil {
					email = "boss@hooli.test"
				}
				own := other.owner.idp.Craft(t, other.owner.sp, ssotest.Response{Email: email, InResponseTo: id})
				if status, _, body := other.owner.postToACS(t, c, own, relay); status != http.StatusSeeOther {
					t.Fatalf("the request at its own ACS: %d\n%s", status, between(body, "<main", "</main>"))
				}
			})
		}
		t.Run("the portal's response at the account's ACS", func(t *testing.T) {
			p.idp.SignInAs(boss, "")
			c := a.NewClient()
			_, loc, _ := c.Get(t, p.addresses+"/login")
			form := p.idpForm(t, c, loc)
			status, _, body := acme.postToACS(t, c, form.SAMLResponse, form.RelayState)
			acme.expectRefused(t, c, status, body, "does not answer a sign-in started from this browser", "no matching request")
		})
		t.Run("a tenant's addresses on the other surface", func(t *testing.T) {
			c := a.NewClient()
			for _, path := range []string{"/sso/" + p.publicID + "/login", "/sso/" + p.publicID + "/metadata", "/portal/sso/" + acme.publicID + "/login", "/portal/sso/" + acme.publicID + "/metadata"} {
				if status, _, _ := c.Get(t, path); status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, status)
				}
			}
			id, relay := p.startSignIn(t, c)
			honest := p.idp.Craft(t, p.sp, ssotest.Response{Email: boss, InResponseTo: id})
			for _, acs := range []string{a.URL + "/sso/" + p.publicID + "/acs", a.URL + "/portal/sso/" + acme.publicID + "/acs"} {
				status, _, body := postCrossSite(t, c, acs, p.idp.URL, honest, relay)
				if status != http.StatusNotFound || !strings.Contains(body, "not available at this address") {
					t.Errorf("POST %s: %d\n%s", acs, status, between(body, "<main", "</main>"))
				}
			}
			if status, loc, body := p.postToACS(t, c, honest, relay); status != http.StatusSeeOther || loc != "/portal/" {
				t.Fatalf("the request was used up by another surface's address: %d %q\n%s", status, loc, between(body, "<main", "</main>"))
			}
		})
	})
}
