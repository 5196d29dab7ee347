package web_test

import (
	"crypto/x509"
	"encoding/pem"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// ssoAccount is an account, or one of its client portals, connected to a
// test identity provider.
type ssoAccount struct {
	a        *testenv.TestApp
	admin    *testenv.Client
	user     *padlock.User // the account's Administrator
	idp      *ssotest.IDP
	publicID string
	sp       ssotest.SP
	// portal is the portal whose SSO this is; nil for the account's.
	portal *padlock.Portal
	// settings is the SSO settings page; addresses is where the tenant's
	// SSO addresses live (/sso/<id> or /portal/sso/<id>).
	settings, addresses string
}

// newSSOAccount creates an account on a, connects it to an IdP signing
// with the named key, as its Administrator would (metadata pasted, then
// Test connection), and turns SSO on.
func newSSOAccount(t *testing.T, a *testenv.TestApp, name, domain, keyName string) *ssoAccount {
	t.Helper()
	return newSSOAccountWith(t, a, name, domain, ssotest.Start(t, keyName, a.Clock.Now))
}

// newSSOAccountWith connects a new account to an IdP that may serve others.
func newSSOAccountWith(t *testing.T, a *testenv.TestApp, name, domain string, idp *ssotest.IDP) *ssoAccount {
	t.Helper()
	email := "admin@" + domain
	s := &ssoAccount{a: a, user: a.CreateAccount(t, name, email), admin: a.NewClient(), idp: idp, settings: "/account/settings/sso"}
	s.admin.SignIn(t, email, testenv.Password)
	s.connect(t, email)
	s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "domains": {domain}})
	return s
}

// connect opens the tenant's SSO settings, connects its IdP with pasted
// metadata and runs Test connection as testEmail, as the Administrator
// would.
func (s *ssoAccount) connect(t *testing.T, testEmail string) {
	t.Helper()
	if status, _, body := s.admin.Get(t, s.settings); status != http.StatusOK {
		t.Fatalf("SSO settings: %d\n%s", status, body)
	}
	tenant := padlock.SSOTenant{AccountID: s.user.AccountID}
	if s.portal != nil {
		tenant.PortalID = s.portal.ID
	}
	rec, err := s.a.DB.Conn().SSOConfig(t.Context(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	s.publicID = rec.PublicID
	s.addresses = tenant.Surface().Prefix() + "/sso/" + s.publicID
	s.sp = ssotest.SP{EntityID: s.a.URL + s.addresses + "/metadata", ACSURL: s.a.URL + s.addresses + "/acs",
		Certificate: spCertificate(t, rec.SPCertificate)}
	_, _, metadata := s.admin.Get(t, s.addresses+"/metadata")
	s.idp.Trust(t, []byte(metadata))
	s.saveIDP(t, url.Values{"metadata_xml": {s.idp.MetadataXML(t)}})
	s.idp.SignInAs(testEmail, "")
	if res := s.testConnection(t); !strings.Contains(res, "The connection works") {
		t.Fatalf("test connection:\n%s", res)
	}
}

// spCertificate reads the SP's certificate, to which an IdP encrypts.
func spCertificate(t *testing.T, certPEM string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil {
		t.Fatal("the SP certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func (s *ssoAccount) saveIDP(t *testing.T, form url.Values) {
	t.Helper()
	if status, loc, body := s.admin.PostForm(t, s.settings+"/idp", form); status != http.StatusSeeOther {
		t.Fatalf("save IdP: %d %q\n%s", status, loc, body)
	}
}

// saveOptions saves the options form and fails the test if it is refused.
func (s *ssoAccount) saveOptions(t *testing.T, form url.Values) {
	t.Helper()
	if status, body := s.postOptions(t, form); status != http.StatusSeeOther {
		t.Fatalf("save SSO options: %d\n%s", status, body)
	}
}

func (s *ssoAccount) postOptions(t *testing.T, form url.Values) (int, string) {
	t.Helper()
	status, _, body := s.admin.PostForm(t, s.settings+"/options", form)
	return status, body
}

// testConnection runs Test connection through the bindings and returns the
// result page.
func (s *ssoAccount) testConnection(t *testing.T) string {
	t.Helper()
	status, _, body := s.admin.PostForm(t, s.settings+"/test", nil)
	if status != http.StatusOK {
		t.Fatalf("start test: %d\n%s", status, body)
	}
	form := s.idpForm(t, s.admin, continueURL(t, body))
	_, _, page := s.postToACS(t, s.admin, form.SAMLResponse, form.RelayState)
	return page
}

// continueURL reads where a "continue to your identity provider" page goes.
func continueURL(t *testing.T, page string) string {
	t.Helper()
	m := continueLink.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no continue link:\n%s", page)
	}
	return html.UnescapeString(m[1])
}

var continueLink = regexp.MustCompile(`<a href="([^"]*)" role="button" id="continue-sso">`)

// signIn goes through the real bindings: the SP's HTTP-Redirect to the
// IdP, the IdP's auto-submitting form, posted cross-site to the ACS. It
// returns the ACS's answer.
func (s *ssoAccount) signIn(t *testing.T, c *testenv.Client, next string) (int, string, string) {
	t.Helper()
	status, loc, body := c.Get(t, s.addresses+"/login?next="+url.QueryEscape(next))
	if status != http.StatusFound || !strings.HasPrefix(loc, s.idp.SSOURL()) {
		t.Fatalf("SSO login: %d %q, want a redirect to the IdP\n%s", status, loc, body)
	}
	form := s.idpForm(t, c, loc)
	return s.postToACS(t, c, form.SAMLResponse, form.RelayState)
}

// startSignIn begins an SP-initiated sign-in and returns the request's ID
// and RelayState, for a crafted answer.
func (s *ssoAccount) startSignIn(t *testing.T, c *testenv.Client) (id, relay string) {
	t.Helper()
	status, loc, _ := c.Get(t, s.addresses+"/login")
	if status != http.StatusFound {
		t.Fatalf("SSO login: %d", status)
	}
	return ssotest.AuthnRequest(t, loc)
}

// idpForm opens an address at the IdP, as the browser does, and reads the
// form the IdP answers with.
func (s *ssoAccount) idpForm(t *testing.T, c *testenv.Client, location string) ssotest.PostForm {
	t.Helper()
	if strings.HasPrefix(location, "/") {
		status, loc, _ := c.Get(t, location)
		if status != http.StatusFound {
			t.Fatalf("GET %s: %d", location, status)
		}
		location = loc
	}
	resp, err := c.Client.Get(location)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IdP: %d\n%s", resp.StatusCode, b)
	}
	return ssotest.ParsePostForm(t, string(b))
}

// postToACS posts a response to the tenant's ACS as the IdP's page does:
// from the IdP's origin, cross-site.
func (s *ssoAccount) postToACS(t *testing.T, c *testenv.Client, samlResponse, relay string) (int, string, string) {
	t.Helper()
	return postCrossSite(t, c, s.sp.ACSURL, s.idp.URL, samlResponse, relay)
}

func postCrossSite(t *testing.T, c *testenv.Client, acs, origin, samlResponse, relay string) (int, string, string) {
	t.Helper()
	form := url.Values{"SAMLResponse": {samlResponse}, "RelayState": {relay}}
	req, _ := http.NewRequest("POST", acs, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	return c.Do(t, req)
}

// addUser adds a user of the SSO account, signed in nowhere.
func (s *ssoAccount) addUser(t *testing.T, email string, role padlock.Role) *padlock.User {
	t.Helper()
	return s.a.AddUser(t, s.user, email, role)
}

// lastEvent returns the newest audit event of a kind on the account.
func (s *ssoAccount) lastEvent(t *testing.T, kind string) *padlock.Event {
	t.Helper()
	events, err := s.a.DB.Conn().Events(t.Context(), s.user.AccountID, 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Kind == kind {
			return &e
		}
	}
	return nil
}
