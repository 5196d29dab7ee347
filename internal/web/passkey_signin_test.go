package web_test

import (
	"encoding/binary"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/testenv/webauthntest"
)

// beginPasskeySignIn asks for a challenge as the sign-in page's script
// does, and returns its options.
func beginPasskeySignIn(t *testing.T, c *testenv.Client, base string) string {
	t.Helper()
	status, _, body := c.PostForm(t, base+"/login/passkey/begin", nil)
	if status != http.StatusOK || !strings.Contains(body, `"challenge"`) {
		t.Fatalf("begin a passkey sign-in at %q: %d %s", base, status, body)
	}
	if strings.Contains(body, `"allowCredentials"`) && !strings.Contains(body, `"allowCredentials":[]`) {
		t.Fatalf("a discoverable sign-in names credentials: %s", body)
	}
	return body
}

// postPasskeySignIn sends an answer as the sign-in page's form does.
func postPasskeySignIn(t *testing.T, c *testenv.Client, base, answer string) (int, string, string) {
	t.Helper()
	return c.PostForm(t, base+"/login/passkey", url.Values{"credential": {answer}, "next": {base + "/settings"}})
}

// passkeySignIn signs in with key alone and returns the outcome.
func passkeySignIn(t *testing.T, c *testenv.Client, au *webauthntest.Authenticator, key *webauthntest.Key, base string) (int, string) {
	t.Helper()
	answer, err := au.Get(beginPasskeySignIn(t, c, base), key)
	if err != nil {
		t.Fatal(err)
	}
	status, loc, _ := postPasskeySignIn(t, c, base, answer)
	return status, loc
}

// adminWithPasskey is a node whose Administrator added a passkey and
// signed out, with a second staff user who has one too.
func adminWithPasskey(t *testing.T, d string) (*testenv.TestApp, *webauthntest.Authenticator, *webauthntest.Key) {
	t.Helper()
	a, c, au := passkeyNode(t, d)
	key, _ := addPasskey(t, c, au, "Laptop")
	recoveryCodesOnPage(t, c)
	c.PostForm(t, "/logout", nil)
	return a, au, key
}

func TestSigningInWithAPasskeyAloneStartsAFullSessionThroughTheDecision(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, au, key := adminWithPasskey(t, d)
		c := a.NewClient()
		_, _, page := c.Get(t, "/login")
		if !strings.Contains(page, `id="passkey-signin"`) || !strings.Contains(between(page, `id="passkey-signin"`, ">"), "hidden") {
			t.Fatalf("the sign-in page does not offer a passkey, hidden until the script shows it:\n%s", between(page, "<main", "</main>"))
		}
		if status, loc := passkeySignIn(t, c, au, key, ""); status != http.StatusSeeOther || loc != "/settings" {
			t.Fatalf("sign-in with a passkey: %d %q", status, loc)
		}
		if status, _, _ := c.Get(t, "/account/users"); status != http.StatusOK {
			t.Fatalf("after signing in with a passkey: %d", status)
		}
		id := userID(t, a, "admin@acme.test")
		sess, err := a.DB.Conn().SessionByTokenHash(t.Context(), auth.HashToken(c.CookieValue("padlock_session")))
		if err != nil || sess.FirstStep != padlock.FirstPasskey || sess.Proved != padlock.ProofWebAuthn || sess.State != padlock.SessionFull {
			t.Fatalf("the session records %+v (%v)", sess, err)
		}
		events, _ := a.DB.Conn().Activity(t.Context(), 1, activityOf(id, padlock.EventSignIn))
		if len(events) != 2 || !strings.Contains(events[0].Detail, "passkey alone") {
			t.Fatalf("sign-in events: %+v", events)
		}
		if n := countEvents(t, a, id, padlock.EventPasskeyUsed); n != 1 {
			t.Fatalf("%d passkey-used events", n)
		}
	})
}

func TestAPasskeySignInChallengeAnswersOnceForTheBrowserThatAskedWithinMinutes(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, au, key := adminWithPasskey(t, d)
		// Another browser cannot use this browser's challenge.
		mine, other := a.NewClient(), a.NewClient()
		answer, err := au.Get(beginPasskeySignIn(t, mine, ""), key)
		if err != nil {
			t.Fatal(err)
		}
		if status, _, _ := postPasskeySignIn(t, other, "", answer); status != http.StatusUnauthorized {
			t.Fatalf("another browser without the challenge: %d", status)
		}
		beginPasskeySignIn(t, other, "")
		if status, _, _ := postPasskeySignIn(t, other, "", answer); status != http.StatusUnauthorized {
			t.Fatalf("another browser with a challenge of its own: %d", status)
		}
		// The answer works once, in the browser that asked.
		if status, loc, _ := postPasskeySignIn(t, mine, "", answer); status != http.StatusSeeOther || loc != "/settings" {
			t.Fatalf("the browser that asked: %d %q", status, loc)
		}
		replay := a.NewClient()
		beginPasskeySignIn(t, replay, "")
		if status, _, body := postPasskeySignIn(t, replay, "", answer); status != http.StatusUnauthorized || !strings.Contains(body, `id="passkey-error"`) {
			t.Fatalf("a replayed answer: %d", status)
		}
		// A challenge expires in minutes.
		late := a.NewClient()
		options := beginPasskeySignIn(t, late, "")
		a.Clock.Advance(5*time.Minute + time.Second)
		answer, _ = au.Get(options, key)
		if status, _, body := postPasskeySignIn(t, late, "", answer); status != http.StatusUnauthorized || !strings.Contains(body, "timed out") {
			t.Fatalf("an answer after the challenge expired: %d", status)
		}
		// No answer at all (no JavaScript) is a field error.
		if status, _, _ := postPasskeySignIn(t, a.NewClient(), "", ""); status != http.StatusUnprocessableEntity {
			t.Fatalf("an empty answer: %d", status)
		}
		if status, _, _ := postPasskeySignIn(t, a.NewClient(), "", "{not json"); status != http.StatusUnauthorized {
			t.Fatalf("a garbled answer: %d", status)
		}
	})
}

func TestAPasskeySignsInOnlyItsOwnActiveUnlockedUserOnItsOwnSurface(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, au, key := adminWithPasskey(t, d)
		admin, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		// A staff passkey opens nothing on the portal surface.
		if status, _ := passkeySignIn(t, a.NewClient(), au, key, "/portal"); status != http.StatusUnauthorized {
			t.Fatalf("a staff passkey on the portal: %d", status)
		}
		// The answer names the user by its handle: a key of this user
		// claiming another user's handle is refused.
		ops := a.AddUser(t, admin.User, "ops@acme.test", padlock.RoleAdministrator)
		forged := *key
		forged.UserHandle = binary.BigEndian.AppendUint64(nil, uint64(ops.ID))
		if status, _ := passkeySignIn(t, a.NewClient(), au, &forged, ""); status != http.StatusUnauthorized {
			t.Fatalf("a passkey claiming another user: %d", status)
		}
		// A locked user is refused, and a deactivated one.
		for i := 0; i < 10; i++ {
			if _, err := a.DB.Conn().RecordFailedAttempt(t.Context(), admin.User.ID, a.Clock.Now(), 10, a.Clock.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if status, _ := passkeySignIn(t, a.NewClient(), au, key, ""); status != http.StatusUnauthorized {
			t.Fatalf("a locked user: %d", status)
		}
		a.Clock.Advance(time.Hour + time.Second)
		if err := a.Admin.Deactivate(t.Context(), actor(ops), admin.User.ID); err != nil {
			t.Fatal(err)
		}
		if status, _ := passkeySignIn(t, a.NewClient(), au, key, ""); status != http.StatusUnauthorized {
			t.Fatalf("a deactivated user: %d", status)
		}
		refused, _ := a.DB.Conn().Activity(t.Context(), 1, activityOf(admin.User.ID, padlock.EventSignInFailed))
		if len(refused) < 3 {
			t.Fatalf("%d refused passkey sign-ins recorded for the user, want 3", len(refused))
		}
	})
}

func TestAPortalUserSignsInWithAPasskeyOnlyOnThePortal(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{Localhost: true})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		admin := a.NewClient()
		admin.SignIn(t, "admin@acme.test", testenv.Password)
		org := &padlock.Organization{AccountID: 1, Name: "Initech", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), org); err != nil {
			t.Fatal(err)
		}
		portalWithUser(t, a, admin, org, "client@initech.test", padlock.RoleLite)
		c := a.NewClient()
		portalSignIn(t, c, "client@initech.test")
		au := webauthntest.New(a.URL)
		c.PostForm(t, "/portal/settings/mfa/passkeys/begin", url.Values{"password": {testenv.Password}})
		_, _, body := c.Get(t, "/portal/settings/mfa/passkeys/new")
		answer, key, err := au.Create(pageOptions(t, body))
		if err != nil {
			t.Fatal(err)
		}
		if status, _, _ := c.PostForm(t, "/portal/settings/mfa/passkeys", url.Values{"name": {"Phone"}, "credential": {answer}}); status != http.StatusSeeOther {
			t.Fatalf("portal user adds a passkey: %d", status)
		}
		if status, _ := passkeySignIn(t, a.NewClient(), au, key, ""); status != http.StatusUnauthorized {
			t.Fatalf("a portal passkey on the account's sign-in: %d", status)
		}
		fresh := a.NewClient()
		if status, loc := passkeySignIn(t, fresh, au, key, "/portal"); status != http.StatusSeeOther || loc != "/portal/settings" {
			t.Fatalf("a portal passkey on the portal: %d %q", status, loc)
		}
		if status, _, _ := fresh.Get(t, "/portal/"); status != http.StatusOK {
			t.Fatalf("the portal after a passkey sign-in: %d", status)
		}
	})
}

func activityOf(userID int64, kind string) store.ActivityFilter {
	return store.ActivityFilter{Kinds: []string{kind}, UserID: userID}
}

// The passkey sign-in routes are public on both surfaces, name the sign-in
// page as their form's, and answer a caller in any session state: a
// pending sign-in or a held one gains nothing from them but a new sign-in.
func TestThePasskeySignInRoutesArePublicOnBothSurfacesInEveryState(t *testing.T) {
	t.Parallel()
	a, au, key := adminWithPasskey(t, "sqlite")
	found := 0
	for _, r := range a.Web.RouteTable() {
		if !strings.Contains(r.Path, "/login/passkey") {
			continue
		}
		found++
		if !r.Public() || r.Method != http.MethodPost || r.Form != r.Surface.Prefix()+"/login" {
			t.Errorf("%s %s: public %v, form %q", r.Method, r.Path, r.Public(), r.Form)
		}
	}
	if found != 4 {
		t.Fatalf("%d passkey sign-in routes, want begin and answer on both surfaces", found)
	}
	// A browser at the second step of a password sign-in signs in with the
	// passkey instead; its pending session stays pending.
	c := a.NewClient()
	passwordStep(t, c, "admin@acme.test")
	if status, loc := passkeySignIn(t, c, au, key, ""); status != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("from a pending sign-in: %d %q", status, loc)
	}
	if status, _, _ := c.Get(t, "/settings"); status != http.StatusOK {
		t.Fatalf("after it: %d", status)
	}
	// A signed-in browser may ask again: the answer starts a new session.
	if status, loc := passkeySignIn(t, c, au, key, ""); status != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("from a full session: %d %q", status, loc)
	}
	// Without a session, every other page still asks for sign-in.
	if status, loc, _ := a.NewClient().Get(t, "/settings"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("without a session: %d %q", status, loc)
	}
}

// While SSO is enforced a passkey does not open a way around the identity
// provider: only break-glass users may sign in with one, as with a password.
func TestSSOEnforcementRefusesAPasskeySignInButToBreakGlassUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{Localhost: true})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		s.addUser(t, "editor@acme.test", padlock.RoleEditor)
		au := webauthntest.New(a.URL)
		editor := a.NewClient()
		editor.SignIn(t, "editor@acme.test", testenv.Password)
		editorKey, _ := addPasskey(t, editor, au, "Editor key")
		adminKey, _ := addPasskey(t, s.admin, au, "Admin key")
		recoveryCodesOnPage(t, s.admin)
		s.idp.SignInAs("admin@acme.test", "")
		if !strings.Contains(s.testConnection(t), "The connection works") {
			t.Fatal("test connection failed")
		}
		s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "enforce": {"on"}, "break_glass": {"admin@acme.test"}, "domains": {"acme.test"}})

		if status, _ := passkeySignIn(t, a.NewClient(), au, editorKey, ""); status != http.StatusUnauthorized {
			t.Fatalf("a passkey while SSO is enforced: %d", status)
		}
		if e := s.lastEvent(t, padlock.EventSignInFailed); e == nil || e.Detail != "passkey sign-in refused: SSO is enforced" {
			t.Fatalf("event: %+v", e)
		}
		if status, loc := passkeySignIn(t, a.NewClient(), au, adminKey, ""); status != http.StatusSeeOther || loc != "/settings" {
			t.Fatalf("a break-glass user's passkey: %d %q", status, loc)
		}
	})
}
