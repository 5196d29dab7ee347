package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// ssoStartFrom opens an SSO sign-in link (a path under /sso/ or
// /portal/sso/) from the client address given, through the trusted proxy.
func ssoStartFrom(t *testing.T, c *testenv.Client, path, address string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.Base+path, nil)
	return sendFrom(t, c, req, address)
}

// A client may hold only testenv.PendingSignInsPerClient unanswered
// SSO requests, counted in the database for every node and for every
// tenant's sign-in link, the account's and a portal's: beyond that the
// link answers 429 with Retry-After and a page saying when to try again,
// and stores nothing. Its passkey challenges, other addresses, a sign-in
// started at the IdP and the Administrator's Test connection are not held
// up. An answer frees its own place and nothing more.
func TestOneClientHoldsOnlyAFewSSORequestsOnEveryNode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		one, two := passkeyNodes(t, d)
		nodes := []*testenv.TestApp{one, two}
		s := newSSOAccount(t, one, "Acme IT", "acme.test", "idp-a")
		s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "allow_idp_initiated": {"on"}})
		p := newSSOPortal(t, s, "Initech", "initech.test", ssotest.Start(t, "idp-initech", one.Clock.Now), false)
		s.idp.SignInAs("admin@acme.test", "")
		login := "/sso/" + s.publicID + "/login"

		const office = "203.0.113.7"
		var signer *testenv.Client
		var signerIDP string
		for i := range testenv.PendingSignInsPerClient {
			c := nodes[i%2].NewClient()
			status, header, body := ssoStartFrom(t, c, login, "198.51.100.1, "+office)
			if status != http.StatusFound || !strings.HasPrefix(header.Get("Location"), s.idp.SSOURL()) {
				t.Fatalf("sign-in %d: %d %q\n%s", i+1, status, header.Get("Location"), body)
			}
			if i == 0 {
				signer, signerIDP = c, header.Get("Location")
			}
		}
		one.Clock.Advance(time.Minute)
		for _, node := range nodes {
			for _, path := range []string{login, "/portal/sso/" + p.publicID + "/login"} {
				status, header, body := ssoStartFrom(t, node.NewClient(), path, office)
				if status != http.StatusTooManyRequests || header.Get("Retry-After") != "540" || !strings.Contains(body, `id="sso-error"`) ||
					!strings.Contains(body, "Too many sign-ins with single sign-on were started from your network. Try again in 9 minutes.") ||
					!strings.Contains(body, "you were not sent to your identity provider") || strings.Contains(body, `id="sso-retry"`) {
					t.Fatalf("one more sign-in from the office at %s%s: %d, Retry-After %q\n%s", node.URL, path, status, header.Get("Retry-After"),
						between(body, "<main", "</main>"))
				}
			}
		}
		// Another address, and another IPv6 /64, are not held up; the same
		// /64 is one client. Nor are the office's passkey challenges.
		for _, addr := range []string{"192.0.2.44", "2001:db8:1:2::1", "2001:db8:1:2::ffff"} {
			if status, header, _ := ssoStartFrom(t, two.NewClient(), login, addr); status != http.StatusFound {
				t.Fatalf("a sign-in from %s: %d %q", addr, status, header.Get("Location"))
			}
		}
		if status, _, body := beginFrom(t, two.NewClient(), office); status != http.StatusOK {
			t.Fatalf("a passkey challenge for the office at its SSO cap: %d %s", status, body)
		}
		// A sign-in started at the IdP needs no request, from any address.
		c := one.NewClient()
		form := s.idpForm(t, c, s.idp.InitiateURL(s.sp.EntityID, "/organizations"))
		if status, loc, body := postCrossSiteFrom(t, c, s.sp.ACSURL, s.idp.URL, form, office); status != http.StatusSeeOther || loc != "/organizations" {
			t.Fatalf("IdP-initiated from the office at its cap: %d %q\n%s", status, loc, between(body, "<main", "</main>"))
		}

		// An answer uses up its own request and frees one place.
		form = s.idpForm(t, signer, signerIDP)
		if status, _, body := postCrossSiteFrom(t, signer, s.sp.ACSURL, s.idp.URL, form, office); status != http.StatusSeeOther {
			t.Fatalf("the office's SSO sign-in: %d\n%s", status, between(body, "<main", "</main>"))
		}
		if status, _, body := ssoStartFrom(t, two.NewClient(), login, office); status != http.StatusFound {
			t.Fatalf("after an answer freed a place: %d\n%s", status, between(body, "<main", "</main>"))
		}
		for _, node := range nodes {
			if status, _, _ := ssoStartFrom(t, node.NewClient(), login, office); status != http.StatusTooManyRequests {
				t.Fatalf("the freed place taken, one more at %s: %d, want 429", node.URL, status)
			}
		}
		// The same answer again frees nothing more.
		if status, _, _ := postCrossSiteFrom(t, signer, s.sp.ACSURL, s.idp.URL, form, office); status == http.StatusSeeOther {
			t.Fatal("the office's answer was accepted twice")
		}
		if status, _, _ := ssoStartFrom(t, one.NewClient(), login, office); status != http.StatusTooManyRequests {
			t.Fatalf("after a used answer came again: %d, want still 429", status)
		}

		// When the first requests expire, the places of the refused ones
		// are free too: they stored nothing. The one started after the
		// answer still counts.
		one.Clock.Advance(9*time.Minute + time.Second)
		for i := range testenv.PendingSignInsPerClient - 1 {
			if status, _, body := ssoStartFrom(t, nodes[i%2].NewClient(), login, office); status != http.StatusFound {
				t.Fatalf("after the first requests expired, sign-in %d: %d\n%s", i+1, status, between(body, "<main", "</main>"))
			}
		}
		if status, _, _ := ssoStartFrom(t, two.NewClient(), login, office); status != http.StatusTooManyRequests {
			t.Fatalf("at the cap again: %d, want 429", status)
		}
	})
}

// Sign-ins started at once from one address on two nodes are counted one
// after another: exactly the cap gets a request.
func TestRacingSSOSignInsFromOneAddressStopAtTheCap(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		one, two := passkeyNodes(t, d)
		nodes := []*testenv.TestApp{one, two}
		s := newSSOAccount(t, one, "Acme IT", "acme.test", "idp-a")
		n := 2 * testenv.PendingSignInsPerClient
		got := raceStatuses(nodes, n, func(c *testenv.Client) int {
			status, _, _ := ssoStartFrom(t, c, "/sso/"+s.publicID+"/login", "203.0.113.50")
			return status
		})
		if got[http.StatusFound] != testenv.PendingSignInsPerClient || got[http.StatusTooManyRequests] != n-testenv.PendingSignInsPerClient {
			t.Fatalf("%d racing sign-ins from one address: %v, want %d requests and the rest 429", n, got, testenv.PendingSignInsPerClient)
		}
	})
}

// Test connection is an Administrator's and is not held to the cap of the
// address it comes from, nor counted for it.
func TestTestConnectionIsNotHeldToTheSSOSignInCap(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		one, two := passkeyNodes(t, d)
		s := newSSOAccount(t, one, "Acme IT", "acme.test", "idp-a")
		login := "/sso/" + s.publicID + "/login"
		// The Administrator's browser comes from 127.0.0.1, without a proxy.
		for i := range testenv.PendingSignInsPerClient {
			if status, _, _ := ssoStartFrom(t, two.NewClient(), login, "127.0.0.1"); status != http.StatusFound {
				t.Fatalf("sign-in %d: %d", i+1, status)
			}
		}
		if status, _, _ := ssoStartFrom(t, one.NewClient(), login, "127.0.0.1"); status != http.StatusTooManyRequests {
			t.Fatalf("over the cap: %d, want 429", status)
		}
		s.idp.SignInAs("admin@acme.test", "")
		if res := s.testConnection(t); !strings.Contains(res, "The connection works") {
			t.Fatalf("Test connection at the address's cap:\n%s", between(res, "<main", "</main>"))
		}
	})
}

// postCrossSiteFrom posts the IdP's form to an ACS as postCrossSite does,
// from the client address given, through the trusted proxy.
func postCrossSiteFrom(t *testing.T, c *testenv.Client, acs, origin string, form ssotest.PostForm, address string) (int, string, string) {
	t.Helper()
	v := url.Values{"SAMLResponse": {form.SAMLResponse}, "RelayState": {form.RelayState}}
	req, _ := http.NewRequest("POST", acs, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("X-Forwarded-For", address)
	return c.Do(t, req)
}

// An SSO sign-in link opened by another site's page, as an image, a script
// or a frame, is refused without storing a request: such requests would
// otherwise fill the pending sign-ins of the visitor's address for every
// person behind it. Opening the link as a page still starts the sign-in.
func TestAnSSOLinkLoadedFromWithinAPageStartsNothing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, _ := passkeyNodes(t, d)
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-embed")
		s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}})
		login := "/sso/" + s.publicID + "/login"
		start := func(dest string) int {
			req, _ := http.NewRequest("GET", a.URL+login, nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.Header.Set("Sec-Fetch-Dest", dest)
			status, _, _ := sendFrom(t, a.NewClient(), req, "203.0.113.9")
			return status
		}
		for _, dest := range []string{"image", "script", "iframe", "empty"} {
			if status := start(dest); status != http.StatusForbidden {
				t.Errorf("an SSO link loaded as %s: %d, want 403", dest, status)
			}
		}
		// Nothing was stored: the address still has its whole allowance.
		for i := range testenv.PendingSignInsPerClient {
			if status := start("document"); status != http.StatusFound {
				t.Fatalf("SSO link %d opened as a page: %d, want a redirect to the identity provider", i+1, status)
			}
		}
		if status := start("document"); status != http.StatusTooManyRequests {
			t.Errorf("one more than the allowance: %d, want 429", status)
		}
	})
}
