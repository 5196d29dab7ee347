package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Enforcing SSO closes password sign-in to everyone but the break-glass
// users, and cannot be turned on before a successful connection test or
// without an Administrator to break the glass.
func TestEnforcingSSO(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		s.addUser(t, "editor@acme.test", padlock.RoleEditor)
		enforce := url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "enforce": {"on"}}

		t.Run("not without an Administrator as break-glass user", func(t *testing.T) {
			enforce.Set("break_glass", "editor@acme.test")
			status, body := s.postOptions(t, enforce)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="break_glass-error"`) {
				t.Fatalf("%d; want a message beside break-glass users", status)
			}
		})
		t.Run("not before a successful test of the current connection", func(t *testing.T) {
			s.saveIDP(t, url.Values{"metadata_xml": {s.idp.MetadataXML(t)}}) // a changed connection is untested
			enforce.Set("break_glass", "admin@acme.test")
			status, body := s.postOptions(t, enforce)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="enforce-error"`) || !strings.Contains(body, "Test connection first") {
				t.Fatalf("%d; want a message beside enforce", status)
			}
		})
		s.idp.SignInAs("admin@acme.test", "")
		if !strings.Contains(s.testConnection(t), "The connection works") {
			t.Fatal("test connection failed")
		}
		s.saveOptions(t, enforce)

		t.Run("password sign-in is refused like a wrong password", func(t *testing.T) {
			status, _, body := a.NewClient().PostForm(t, "/login", url.Values{"email": {"editor@acme.test"}, "password": {testenv.Password}})
			if status != http.StatusUnauthorized || !strings.Contains(body, "Incorrect email or password.") {
				t.Fatalf("password sign-in: %d", status)
			}
			if e := s.lastEvent(t, padlock.EventSignInFailed); e == nil || e.Detail != "password sign-in refused: SSO is enforced" {
				t.Fatalf("event: %+v", e)
			}
		})
		t.Run("except for a break-glass user", func(t *testing.T) {
			a.NewClient().SignIn(t, "admin@acme.test", testenv.Password)
		})
		t.Run("while SSO signs the user in", func(t *testing.T) {
			s.idp.SignInAs("editor@acme.test", "")
			if status, _, _ := s.signIn(t, a.NewClient(), "/"); status != http.StatusSeeOther {
				t.Fatalf("SSO: %d", status)
			}
		})
		t.Run("the IdP cannot be changed while enforced", func(t *testing.T) {
			status, _, body := s.admin.PostForm(t, "/account/settings/sso/idp", url.Values{"metadata_xml": {s.idp.MetadataXML(t)}})
			if status != http.StatusConflict || !strings.Contains(body, "turn enforcement off") {
				t.Fatalf("%d; want the change refused", status)
			}
		})
		t.Run("turning SSO off opens password sign-in again", func(t *testing.T) {
			s.saveOptions(t, url.Values{"jit_role": {"lite"}, "break_glass": {"admin@acme.test"}})
			a.NewClient().SignIn(t, "editor@acme.test", testenv.Password)
		})
	})
}

// Every field of both forms answers bad input with a message beside it,
// never a 500, and saves nothing.
func TestSSOSettingsAnswerBadInputBesideTheField(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		a.CreateAccount(t, "Beta IT", "admin@beta.test")
		options := func(v url.Values) url.Values {
			out := url.Values{"enabled": {"on"}, "jit_role": {"lite"}}
			for k, vs := range v {
				out[k] = vs
			}
			return out
		}
		cases := []struct {
			name, path string
			form       url.Values
			field      string
		}{
			{"metadata that is not XML", "idp", url.Values{"metadata_xml": {"hello"}}, "metadata_xml"},
			{"metadata of no IdP", "idp", url.Values{"metadata_xml": {`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`}}, "metadata_xml"},
			{"metadata with a DOCTYPE", "idp", url.Values{"metadata_xml": {`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>`}}, "metadata_xml"},
			{"a metadata URL that is not web", "idp", url.Values{"metadata_url": {"file:///etc/passwd"}}, "metadata_url"},
			{"a metadata URL nobody answers", "idp", url.Values{"metadata_url": {"http://127.0.0.1:1/metadata"}}, "metadata_url"},
			{"no entity ID", "idp", url.Values{"sso_url": {"https://idp.example/sso"}, "certificate": {s.idp.CertificatePEM()}}, "entity_id"},
			{"a sign-in URL that is not web", "idp", url.Values{"entity_id": {"x"}, "sso_url": {"javascript:alert(1)"}, "certificate": {s.idp.CertificatePEM()}}, "sso_url"},
			{"a certificate that is not one", "idp", url.Values{"entity_id": {"x"}, "sso_url": {"https://idp.example/sso"}, "certificate": {"MIIB garbage"}}, "certificate"},
			{"IdP MFA without contexts", "options", options(url.Values{"accept_idp_mfa": {"on"}}), "mfa_contexts"},
			{"a context with a control character", "options", options(url.Values{"mfa_contexts": {"urn:a\x01b"}}), "mfa_contexts"},
			{"Administrator as the JIT role", "options", options(url.Values{"jit_role": {"administrator"}}), "jit_role"},
			{"an unknown JIT role", "options", options(url.Values{"jit_role": {"owner"}}), "jit_role"},
			{"a domain that is not one", "options", options(url.Values{"domains": {"acme"}}), "domains"},
			{"a domain of no user of the account", "options", options(url.Values{"domains": {"beta.test"}}), "domains"},
			{"a break-glass email of no user", "options", options(url.Values{"break_glass": {"nobody@acme.test"}}), "break_glass"},
			{"a break-glass user of another account", "options", options(url.Values{"break_glass": {"admin@beta.test"}}), "break_glass"},
		}
		before, _ := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: s.user.AccountID})
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, body := s.admin.PostForm(t, "/account/settings/sso/"+tc.path, tc.form)
				if status >= 500 || status < 400 || !strings.Contains(body, `id="`+tc.field+`-error"`) {
					t.Fatalf("status %d; want a message beside %s\n%s", status, tc.field, between(body, "<main", "</main>"))
				}
			})
		}
		after, _ := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: s.user.AccountID})
		if after.IDPEntityID != before.IDPEntityID || after.IDPCertificates != before.IDPCertificates || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatal("a refused form changed the settings")
		}
		t.Run("enabling before connecting an IdP", func(t *testing.T) {
			c := a.NewClient()
			c.SignIn(t, "admin@beta.test", testenv.Password)
			status, _, body := c.PostForm(t, "/account/settings/sso/options", options(nil))
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="enabled-error"`) {
				t.Fatalf("%d; want a message beside the switch", status)
			}
			if status, _, body := c.PostForm(t, "/account/settings/sso/test", nil); status != http.StatusConflict || !strings.Contains(body, "Connect an identity provider") {
				t.Fatalf("test before connecting: %d", status)
			}
		})
	})
}

// The server fetches IdP metadata from a URL, but not from inside its own
// network unless the operator allows it.
func TestIDPMetadataFromAURL(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
	other := ssotest.Start(t, "idp-b", a.Clock.Now)
	form := url.Values{"metadata_url": {other.URL + "/metadata"}}
	a.SSO.AllowPrivateMetadataHosts = false
	status, _, body := s.admin.PostForm(t, "/account/settings/sso/idp", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "inside the server&#39;s network") {
		t.Fatalf("a loopback address: %d\n%s", status, between(body, `id="metadata_url-error">`, "<"))
	}
	a.SSO.AllowPrivateMetadataHosts = true
	s.saveIDP(t, form)
	rec, _ := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: s.user.AccountID})
	if rec.IDPEntityID != other.EntityID() || rec.IDPMetadataURL != other.URL+"/metadata" || !rec.LastTestAt.IsZero() {
		t.Fatalf("saved %q from %q, last test %v", rec.IDPEntityID, rec.IDPMetadataURL, rec.LastTestAt)
	}
}

// "Sign in with SSO" finds the account by the email's domain, and says so
// beside the field when no account signs that domain in with SSO.
func TestSignInWithSSOByEmailDomain(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
	s.addUser(t, "editor@acme.test", padlock.RoleEditor)
	c := a.NewClient()
	_, _, page := c.Get(t, "/login")
	if !strings.Contains(page, `action="/sso"`) {
		t.Fatal("the sign-in page offers no SSO")
	}
	status, _, body := c.PostForm(t, "/sso", url.Values{"sso_email": {"someone@unknown.test"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="sso_email-error"`) {
		t.Fatalf("unknown domain: %d", status)
	}
	status, _, body = c.PostForm(t, "/sso", url.Values{"sso_email": {"Editor@ACME.test"}, "next": {"/organizations"}})
	if status != http.StatusOK || continueURL(t, body) != "/sso/"+s.publicID+"/login?next=%2Forganizations" {
		t.Fatalf("known domain: %d\n%s", status, between(body, "<main", "</main>"))
	}
	s.idp.SignInAs("editor@acme.test", "")
	form := s.idpForm(t, c, continueURL(t, body))
	if status, loc, _ := s.postToACS(t, c, form.SAMLResponse, form.RelayState); status != http.StatusSeeOther || loc != "/organizations" {
		t.Fatalf("ACS: %d %q", status, loc)
	}
	if _, _, portal := a.NewClient().Get(t, "/portal/login"); strings.Contains(portal, `action="/sso"`) {
		t.Fatal("the portal's sign-in page offers the account's SSO")
	}
	for _, path := range []string{"/sso/nosuchaccount00/login", "/sso/nosuchaccount00/metadata"} {
		if status, _, body := c.Get(t, path); status != http.StatusNotFound || strings.Contains(body, "Internal error") {
			t.Errorf("GET %s: %d", path, status)
		}
	}
	status, _, body = postCrossSite(t, c, a.URL+"/sso/nosuchaccount00/acs", s.idp.URL, "x", "")
	if status != http.StatusNotFound || !strings.Contains(body, "not available at this address") {
		t.Errorf("POST to an unknown ACS: %d", status)
	}
}

// "Sign in with SSO" sends the address of an existing user to their own
// account's SSO, whichever account lists the address's domain, and a
// portal user to the portal's sign-in page. Only an address with no user
// goes by its domain.
func TestSignInWithSSOSendsAnExistingUserToTheirOwnAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		beta := newSSOAccount(t, a, "Beta IT", "beta.test", "idp-b")
		beta.addUser(t, "contractor@acme.test", padlock.RoleEditor)
		beta.saveOptions(t, url.Values{"jit_role": {"lite"}}) // Beta's SSO off
		org := &padlock.Organization{AccountID: acme.user.AccountID, Name: "Client Co", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), org); err != nil {
			t.Fatal(err)
		}
		portalWithUser(t, a, acme.admin, org, "client@acme.test", padlock.RoleLite)
		c := a.NewClient()
		refused := func(t *testing.T, email, message string) {
			t.Helper()
			status, _, body := c.PostForm(t, "/sso", url.Values{"sso_email": {email}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(between(body, `id="sso_email-error">`, "<"), message) {
				t.Fatalf("%d; want %q beside the email\n%s", status, message, between(body, "<main", "</main>"))
			}
		}
		goesTo := func(t *testing.T, email string, s *ssoAccount) string {
			t.Helper()
			status, _, body := c.PostForm(t, "/sso", url.Values{"sso_email": {email}})
			if status != http.StatusOK || continueURL(t, body) != "/sso/"+s.publicID+"/login?next=%2F" {
				t.Fatalf("%d; want the way to %s's IdP\n%s", status, s.publicID, between(body, "<main", "</main>"))
			}
			return continueURL(t, body)
		}

		t.Run("a user of an account without SSO is told as an unknown address would be, not sent to the domain's IdP", func(t *testing.T) {
			refused(t, "Contractor@acme.test", "Single sign-on is not set up for acme.test. Sign in with your password")
		})
		t.Run("a portal user is sent to the portal's sign-in page", func(t *testing.T) {
			refused(t, "client@acme.test", "/portal/login")
		})
		t.Run("an address with no user goes by its domain", func(t *testing.T) {
			goesTo(t, "newcomer@acme.test", acme)
		})
		t.Run("a user goes to their own account's IdP once it has SSO", func(t *testing.T) {
			beta.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}})
			to := goesTo(t, "contractor@acme.test", beta)
			beta.idp.SignInAs("contractor@acme.test", "")
			form := beta.idpForm(t, c, to)
			if status, loc, body := beta.postToACS(t, c, form.SAMLResponse, form.RelayState); status != http.StatusSeeOther || loc != "/" {
				t.Fatalf("ACS: %d %q\n%s", status, loc, between(body, "<main", "</main>"))
			}
		})
	})
}

// Test connection shows what the IdP sent and signs nobody in; only an
// Administrator has the SSO settings.
func TestTestConnectionShowsTheAssertionAndSignsNobodyIn(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
	s.addUser(t, "manager@acme.test", padlock.RoleManager)
	s.idp.SignInAs("manager@acme.test", mfaContext)
	page := s.testConnection(t)
	for _, want := range []string{`<code id="sso-test-nameid">manager@acme.test</code>`, mfaContext, "urn:oid:0.9.2342.19200300.100.1.3", "Manager"} {
		if !strings.Contains(page, want) {
			t.Errorf("the result does not show %q", want)
		}
	}
	if e := s.lastEvent(t, padlock.EventSignIn); e != nil && e.ActorID != s.user.ID {
		t.Fatalf("the test signed someone in: %+v", e)
	}
	if e := s.lastEvent(t, padlock.EventSSOTested); e == nil || e.Detail != "succeeded for manager@acme.test" {
		t.Fatalf("event: %+v", e)
	}
	manager := a.NewClient()
	manager.SignIn(t, "manager@acme.test", testenv.Password)
	for _, path := range []string{"/account/settings/sso"} {
		if status, _, _ := manager.Get(t, path); status != http.StatusForbidden {
			t.Errorf("GET %s as a Manager: %d", path, status)
		}
	}
	if _, _, body := manager.Get(t, "/account/users"); strings.Contains(body, `href="/account/settings/sso"`) {
		t.Error("a Manager sees the SSO tab")
	}
	if _, _, body := s.admin.Get(t, "/account/users"); !strings.Contains(body, `href="/account/settings/sso"`) {
		t.Error("the Administrator has no SSO tab")
	}
}

// An email domain sends "Sign in with SSO" to an account's IdP, so an
// account lists only a domain where one of its active staff has signed in,
// and a domain another account holds is refused beside the field without
// naming that account. An invitation proves nothing: anyone can invite
// anyone.
func TestAnSSODomainNeedsAStaffMemberWhoSignedInThereAndBelongsToOneAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		beta := newSSOAccount(t, a, "Beta IT", "beta.test", "idp-b")
		options := func(domains string) url.Values {
			return url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "domains": {domains}}
		}
		refused := func(t *testing.T, domains, message string) {
			t.Helper()
			status, body := beta.postOptions(t, options(domains))
			if status < 400 || status >= 500 || !strings.Contains(between(body, `id="domains-error">`, "<"), message) {
				t.Fatalf("%d; want %q beside the domains\n%s", status, message, between(body, "<main", "</main>"))
			}
			if rec, _ := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: beta.user.AccountID}); strings.Join(rec.Domains, " ") != "beta.test" {
				t.Fatalf("domains saved: %v", rec.Domains)
			}
		}

		t.Run("an invited address does not prove a domain", func(t *testing.T) {
			if _, err := a.Admin.Invite(t.Context(), auth.Actor{User: beta.user}, 0, []string{"ceo@acme.test"}, padlock.RoleEditor); err != nil {
				t.Fatal(err)
			}
			refused(t, "beta.test acme.test", "No active user of this account who has signed in")
		})
		t.Run("nor does a user who has never signed in", func(t *testing.T) {
			beta.addUser(t, "new@gamma.test", padlock.RoleEditor)
			refused(t, "beta.test gamma.test", "No active user of this account who has signed in")
		})
		t.Run("until they sign in", func(t *testing.T) {
			a.NewClient().SignIn(t, "new@gamma.test", testenv.Password)
			beta.saveOptions(t, options("beta.test gamma.test"))
			beta.saveOptions(t, options("beta.test"))
		})
		acme := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		t.Run("the domain's owner claims it", func(t *testing.T) {
			if rec, _ := a.DB.Conn().SSOConfig(t.Context(), padlock.SSOTenant{AccountID: acme.user.AccountID}); strings.Join(rec.Domains, " ") != "acme.test" {
				t.Fatalf("Acme's domains: %v", rec.Domains)
			}
		})
		t.Run("a domain another account holds is refused, naming no account", func(t *testing.T) {
			beta.addUser(t, "contractor@acme.test", padlock.RoleEditor)
			a.NewClient().SignIn(t, "contractor@acme.test", testenv.Password)
			refused(t, "beta.test acme.test", "acme.test is in use by another Padlock account.")
			if _, body := beta.postOptions(t, options("acme.test")); strings.Contains(body, "Acme") {
				t.Fatal("the refusal names the account that holds the domain")
			}
		})
	})
}
