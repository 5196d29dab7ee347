package web_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// mfaContext is what the test IdP says after MFA.
const mfaContext = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"

// The basic journey through the real bindings: a user without MFA, in an
// account that does not require it, gets a full session and lands where
// they were going. The IdP encrypts the assertion to the SP's key from its
// metadata, so decryption is on the way too.
func TestSSOSignsInThroughTheRedirectAndPostBindings(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		s.addUser(t, "editor@acme.test", padlock.RoleEditor)
		s.idp.SignInAs("editor@acme.test", "")
		c := a.NewClient()
		status, loc, _ := c.Get(t, "/sso/"+s.publicID+"/login?next=/organizations")
		if status != http.StatusFound {
			t.Fatalf("login: %d", status)
		}
		form := s.idpForm(t, c, loc)
		if xml, _ := base64.StdEncoding.DecodeString(form.SAMLResponse); !strings.Contains(string(xml), "EncryptedAssertion") {
			t.Fatal("the IdP did not encrypt the assertion to the SP's key")
		}
		status, loc, body := s.postToACS(t, c, form.SAMLResponse, form.RelayState)
		if status != http.StatusSeeOther || loc != "/organizations" {
			t.Fatalf("ACS: %d %q\n%s", status, loc, body)
		}
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("after SSO: %d", status)
		}
		if e := s.lastEvent(t, padlock.EventSignIn); e == nil || e.Detail != "SSO" {
			t.Fatalf("sign-in event: %+v", e)
		}
		if e := s.lastEvent(t, padlock.EventSSOSignIn); e == nil || e.Detail != "full session" {
			t.Fatalf("SSO event: %+v", e)
		}
	})
}

// mfaAccount is an SSO account that requires MFA: the Administrator has
// MFA, a Lite user has none.
func mfaAccount(t *testing.T, d string) (*ssoAccount, enrolled) {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
	s.addUser(t, "lite@acme.test", padlock.RoleLite)
	admin := enableMFA(t, a, s.admin)
	if status, body := requireMFA(t, s.admin, true, "0"); status != http.StatusSeeOther {
		t.Fatalf("require MFA: %d\n%s", status, body)
	}
	return s, admin
}

// SSO goes through the same state machine as a password: the challenge
// for a user with MFA, enrollment for one without, under the requirement.
func TestSSOMeetsTheMFARequirementWithAPadlockFactor(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		s, admin := mfaAccount(t, d)
		a := s.a
		t.Run("a user without MFA goes to enrollment, and only there", func(t *testing.T) {
			s.idp.SignInAs("lite@acme.test", mfaContext) // the IdP's MFA is not accepted yet
			c := a.NewClient()
			status, loc, _ := s.signIn(t, c, "/organizations")
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
				t.Fatalf("ACS: %d %q, want enrollment", status, loc)
			}
			if status, loc, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
				t.Fatalf("a page before enrollment: %d %q", status, loc)
			}
			enrollThroughForcedScreens(t, a, c, "/organizations")
			if status, _, _ := c.Get(t, "/organizations"); status != http.StatusOK {
				t.Fatalf("after enrollment: %d", status)
			}
		})
		t.Run("a user with MFA goes to the challenge, and only there", func(t *testing.T) {
			s.idp.SignInAs("admin@acme.test", "")
			c := a.NewClient()
			status, loc, _ := s.signIn(t, c, "/account/users")
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/mfa") {
				t.Fatalf("ACS: %d %q, want the challenge", status, loc)
			}
			if status, loc, _ := c.Get(t, "/account/users"); status != http.StatusSeeOther || loc != "/login/mfa?next=%2Faccount%2Fusers" {
				t.Fatalf("a page before the code: %d %q", status, loc)
			}
			status, loc, _ = c.PostForm(t, "/login/mfa", url.Values{"code": {admin.code(a, 0)}, "next": {"/account/users"}})
			if status != http.StatusSeeOther || loc != "/account/users" {
				t.Fatalf("code: %d %q", status, loc)
			}
		})
	})
}

// "Accept MFA performed by the identity provider" lets a listed
// AuthnContextClassRef stand in for the Padlock factor, and nothing else
// does: not the setting without the context, nor the context without it.
// Turning it off applies at the next click.
func TestIDPMFASkipsThePadlockFactorOnlyWhenAccepted(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		s, _ := mfaAccount(t, d)
		a := s.a
		accept := url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "accept_idp_mfa": {"on"}, "mfa_contexts": {mfaContext}}
		s.saveOptions(t, accept)
		cases := []struct {
			name, email, context, want string
		}{
			{"a user with MFA, listed context", "admin@acme.test", mfaContext, "/"},
			{"a user without MFA, listed context", "lite@acme.test", mfaContext, "/"},
			{"a user with MFA, other context", "admin@acme.test", "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "/login/mfa"},
			{"a user without MFA, other context", "lite@acme.test", "", "/settings/mfa/enroll"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s.idp.SignInAs(tc.email, tc.context)
				c := a.NewClient()
				if status, loc, _ := s.signIn(t, c, "/"); status != http.StatusSeeOther || !strings.HasPrefix(loc, tc.want) {
					t.Fatalf("ACS: %d %q, want %s", status, loc, tc.want)
				}
			})
		}
		t.Run("and turning the setting off sends the user without MFA to enrollment", func(t *testing.T) {
			s.idp.SignInAs("lite@acme.test", mfaContext)
			c := a.NewClient()
			s.signIn(t, c, "/")
			if status, _, _ := c.Get(t, "/organizations"); status != http.StatusOK {
				t.Fatalf("with IdP MFA accepted: %d", status)
			}
			accept.Del("accept_idp_mfa")
			s.saveOptions(t, accept)
			if status, loc, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
				t.Fatalf("after the setting went off: %d %q, want enrollment", status, loc)
			}
		})
	})
}

// A sign-in started at the IdP is refused until the account allows it;
// then it works once: the replay cache refuses the same response again.
func TestIDPInitiatedSignIn(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		c := a.NewClient()
		form := s.idpForm(t, c, s.idp.InitiateURL(s.sp.EntityID, "/organizations"))
		status, _, body := s.postToACS(t, c, form.SAMLResponse, form.RelayState)
		s.expectRefused(t, c, status, body, "does not answer a sign-in started from this browser", "no matching request")

		s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "allow_idp_initiated": {"on"}})
		form = s.idpForm(t, c, s.idp.InitiateURL(s.sp.EntityID, "/organizations"))
		if status, loc, body := s.postToACS(t, c, form.SAMLResponse, form.RelayState); status != http.StatusSeeOther || loc != "/organizations" {
			t.Fatalf("IdP-initiated: %d %q\n%s", status, loc, body)
		}
		other := a.NewClient()
		status, _, body = s.postToACS(t, other, form.SAMLResponse, form.RelayState)
		s.expectRefused(t, other, status, body, "already been used", "assertion replayed")
	})
}

// An identity provider's RelayState is a place to land only when it is a
// printable path on this site: a tab, CR or LF hiding a second slash, a
// backslash or a protocol-relative URL lands on the home page instead.
func TestARelayStateThatWouldLeaveTheSiteLandsOnTheHomePage(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "allow_idp_initiated": {"on"}})
		for _, relay := range []string{"/\t/evil.example", "/\r/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "/%09/evil.example"} {
			c := a.NewClient()
			form := s.idpForm(t, c, s.idp.InitiateURL(s.sp.EntityID, relay))
			if status, loc, body := s.postToACS(t, c, form.SAMLResponse, form.RelayState); status != http.StatusSeeOther || loc != "/" {
				t.Fatalf("RelayState %q: %d %q, want the home page\n%s", relay, status, loc, body)
			}
		}
	})
}

// The ACS takes cross-site POSTs, so what binds a response to its browser
// is the request-tracking cookie: a response posted from a browser that did
// not start the request fails, and uses the request up.
func TestAForgedCrossSitePostWithoutTheMatchingRequestFails(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		victim, attacker := a.NewClient(), a.NewClient()
		id, relay := s.startSignIn(t, victim)
		forged := s.idp.Craft(t, s.sp, ssotest.Response{Email: "admin@acme.test", InResponseTo: id})

		status, _, body := s.postToACS(t, attacker, forged, relay)
		s.expectRefused(t, attacker, status, body, "does not answer a sign-in started from this browser", "no matching request")
		status, _, body = s.postToACS(t, attacker, forged, "")
		s.expectRefused(t, attacker, status, body, "does not answer a sign-in started from this browser", "no matching request")
		status, _, body = s.postToACS(t, victim, forged, relay)
		s.expectRefused(t, victim, status, body, "does not answer a sign-in started from this browser", "no matching request")
	})
}

// Account A's IdP signs nobody into account B: B checks with B's IdP
// certificate and B's audience, and B's IdP speaks for B's staff only.
func TestOneAccountsIDPCannotSignAnyoneIntoAnother(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		acme := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		beta := newSSOAccount(t, a, "Beta IT", "beta.test", "idp-b")

		t.Run("A's response posted to B's ACS", func(t *testing.T) {
			acme.idp.SignInAs("admin@beta.test", "")
			c := a.NewClient()
			_, loc, _ := c.Get(t, "/sso/"+acme.publicID+"/login")
			form := acme.idpForm(t, c, loc)
			status, _, body := postCrossSite(t, c, beta.sp.ACSURL, acme.idp.URL, form.SAMLResponse, form.RelayState)
			beta.expectRefused(t, c, status, body, "does not answer a sign-in started from this browser", "no matching request")
		})
		t.Run("A's IdP addressing B directly", func(t *testing.T) {
			c := a.NewClient()
			id, relay := beta.startSignIn(t, c)
			forged := acme.idp.Craft(t, beta.sp, ssotest.Response{Email: "admin@beta.test", InResponseTo: id})
			status, _, body := beta.postToACS(t, c, forged, relay)
			beta.expectRefused(t, c, status, body, "key that is not trusted for this single sign-on", "signed by an untrusted key")
		})
		t.Run("A's IdP naming B's user at A", func(t *testing.T) {
			acme.idp.SignInAs("admin@beta.test", "")
			c := a.NewClient()
			status, _, body := acme.signIn(t, c, "/")
			if status != http.StatusUnauthorized || !strings.Contains(body, "no Padlock user with your email") {
				t.Fatalf("ACS: %d\n%s", status, between(body, "<main", "</main>"))
			}
			if status, _, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther {
				t.Fatalf("a session was started: %d", status)
			}
		})
		t.Run("two accounts trusting the same IdP", func(t *testing.T) {
			gamma := newSSOAccountWith(t, a, "Gamma IT", "gamma.test", acme.idp)
			c := a.NewClient()
			id, relay := gamma.startSignIn(t, c)
			forA := acme.idp.Craft(t, gamma.sp, ssotest.Response{Email: "admin@gamma.test", InResponseTo: id, Audience: acme.sp.EntityID})
			status, _, body := gamma.postToACS(t, c, forA, relay)
			gamma.expectRefused(t, c, status, body, "meant for another service", "wrong audience")
		})
	})
}

// Just-in-time creation is off by default: an unknown email is refused.
// Turned on, it creates an active user of the chosen role, whom the MFA
// requirement then catches like anyone else.
func TestJustInTimeUsersAreOffByDefault(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		s, _ := mfaAccount(t, d)
		a := s.a
		s.idp.SignInAs("newcomer@acme.test", "")
		c := a.NewClient()
		status, _, body := s.signIn(t, c, "/")
		if status != http.StatusUnauthorized || !strings.Contains(body, "no Padlock user with your email") {
			t.Fatalf("JIT off: %d\n%s", status, between(body, "<main", "</main>"))
		}
		if e := s.lastEvent(t, padlock.EventSSOFailed); e == nil || e.Detail != "no user newcomer@acme.test" {
			t.Fatalf("event: %+v", e)
		}
		s.saveOptions(t, url.Values{"enabled": {"on"}, "jit": {"on"}, "jit_role": {"creator"}})
		status, loc, _ := s.signIn(t, c, "/")
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("JIT on: %d %q, want enrollment", status, loc)
		}
		u, err := a.DB.Conn().CredentialsByEmail(t.Context(), "newcomer@acme.test")
		if err != nil || u.User.Role != padlock.RoleCreator || u.User.Status != padlock.StatusActive || u.User.AccountID != s.user.AccountID {
			t.Fatalf("JIT user: %+v, %v", u, err)
		}
	})
}

// The replay cache is in the database: a response accepted by one node is
// refused by the other, and a sign-in started on one node can finish on
// the other.
func TestASecondNodeRefusesAReplayedAssertion(t *testing.T) {
	t.Parallel()
	dbURL, dir := testenv.DatabaseURL(t, "postgres"), t.TempDir()
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	one := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, DataDir: dir, SMTP: smtp, Clock: clock})
	two := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, DataDir: dir, SMTP: smtp, Clock: clock})
	s := newSSOAccount(t, one, "Acme IT", "acme.test", "idp-a")
	s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "allow_idp_initiated": {"on"}})
	onTwo := func(acs string) string { return strings.Replace(acs, one.URL, two.URL, 1) }

	two.SSO.BaseURL = one.SSO.BaseURL // behind a load balancer both nodes answer at one address
	c := one.NewClient()
	form := s.idpForm(t, c, s.idp.InitiateURL(s.sp.EntityID, ""))
	if status, _, body := postCrossSite(t, c, form.Action, s.idp.URL, form.SAMLResponse, ""); status != http.StatusSeeOther {
		t.Fatalf("node one: %d\n%s", status, body)
	}
	other := testenv.NewClientFor(two.URL)
	status, _, body := postCrossSite(t, other, onTwo(form.Action), s.idp.URL, form.SAMLResponse, "")
	s.expectRefused(t, other, status, body, "already been used", "assertion replayed")

	started := one.NewClient()
	_, loc, _ := started.Get(t, "/sso/"+s.publicID+"/login")
	form = s.idpForm(t, started, loc)
	// Cookies are per host, not per port: the browser's cookies go to node two.
	if status, _, body := postCrossSite(t, started, onTwo(form.Action), s.idp.URL, form.SAMLResponse, form.RelayState); status != http.StatusSeeOther {
		t.Fatalf("finishing on node two: %d\n%s", status, between(body, "<main", "</main>"))
	}
}
