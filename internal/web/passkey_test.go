package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/testenv/webauthntest"
)

// passkeyNode starts a node with a host name (passkeys refuse IP
// addresses), an account, and its Administrator signed in.
func passkeyNode(t *testing.T, d string) (*testenv.TestApp, *testenv.Client, *webauthntest.Authenticator) {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{Localhost: true})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	return a, c, webauthntest.New(a.URL)
}

var optionsAttr = regexp.MustCompile(`data-options="([^"]*)"`)

// pageOptions reads the WebAuthn options a page gives its script.
func pageOptions(t *testing.T, body string) string {
	t.Helper()
	m := optionsAttr.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no WebAuthn options on the page:\n%.600s", body)
	}
	return html.UnescapeString(m[1])
}

// addPasskey adds a passkey through My Settings > MFA as the browser would
// and returns where the last step led.
func addPasskey(t *testing.T, c *testenv.Client, au *webauthntest.Authenticator, name string) (*webauthntest.Key, string) {
	t.Helper()
	if status, loc, body := c.PostForm(t, "/settings/mfa/passkeys/begin", url.Values{"password": {testenv.Password}}); status != http.StatusSeeOther || loc != "/settings/mfa/passkeys/new" {
		t.Fatalf("begin: %d %q\n%.400s", status, loc, body)
	}
	_, _, body := c.Get(t, "/settings/mfa/passkeys/new")
	answer, key, err := au.Create(pageOptions(t, body))
	if err != nil {
		t.Fatal(err)
	}
	status, loc, body := c.PostForm(t, "/settings/mfa/passkeys", url.Values{"name": {name}, "credential": {answer}})
	if status != http.StatusSeeOther {
		t.Fatalf("add passkey: %d\n%.600s", status, body)
	}
	return key, loc
}

// challengeAnswer takes the pending sign-in's challenge page and answers
// its passkey challenge with key.
func challengeAnswer(t *testing.T, c *testenv.Client, au *webauthntest.Authenticator, key *webauthntest.Key) string {
	t.Helper()
	status, _, body := c.Get(t, "/login/mfa")
	if status != http.StatusOK || !strings.Contains(body, "Use your authenticator app") || !strings.Contains(body, "Use a recovery code") {
		t.Fatalf("challenge page: %d\n%.600s", status, body)
	}
	answer, err := au.Get(pageOptions(t, body), key)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

func postPasskey(t *testing.T, c *testenv.Client, answer string) (int, string) {
	t.Helper()
	status, loc, _ := c.PostForm(t, "/login/mfa/passkey", url.Values{"credential": {answer}, "next": {"/organizations"}})
	return status, loc
}

// atPasskeyChallenge gives the signed-in administrator a passkey, signs
// out and signs in again with the password, up to the second step.
func atPasskeyChallenge(t *testing.T, c *testenv.Client, au *webauthntest.Authenticator) *webauthntest.Key {
	t.Helper()
	key, _ := addPasskey(t, c, au, "Laptop")
	recoveryCodesOnPage(t, c)
	c.PostForm(t, "/logout", nil)
	passwordStep(t, c, "admin@acme.test")
	return key
}

func recoveryCodesOnPage(t *testing.T, c *testenv.Client) []string {
	t.Helper()
	_, _, body := c.Get(t, "/settings/mfa/recovery-codes")
	var codes []string
	for _, part := range strings.Split(body, "<li><code>")[1:] {
		codes = append(codes, part[:strings.Index(part, "<")])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown", len(codes))
	}
	c.PostForm(t, "/settings/mfa/recovery-codes/saved", nil)
	return codes
}

func TestAPasskeyIsAFactorFromAddingItToSigningInToRemovingIt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		id := userID(t, a, "admin@acme.test")
		key, loc := addPasskey(t, c, au, "YubiKey 5")
		if loc != "/settings/mfa/recovery-codes" {
			t.Fatalf("a first passkey leads to %q, want the new recovery codes", loc)
		}
		codes := recoveryCodesOnPage(t, c)
		a.SMTP.WaitFor(t, "admin@acme.test", "A passkey was added")
		if u, err := a.DB.Conn().UserByID(t.Context(), id); err != nil || !u.HasMFA() || u.HasTOTP() {
			t.Fatalf("after adding a passkey: has MFA %v, app %v (%v)", u.HasMFA(), u.HasTOTP(), err)
		}
		if _, _, body := c.Get(t, "/settings/mfa"); !strings.Contains(body, "YubiKey 5") || !strings.Contains(body, "MFA is on") {
			t.Fatalf("My Settings > MFA does not list the passkey:\n%s", body)
		}

		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		if status, loc := postPasskey(t, c, challengeAnswer(t, c, au, key)); status != http.StatusSeeOther || loc != "/organizations" {
			t.Fatalf("second step with the passkey: %d %q", status, loc)
		}
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("signed in with a passkey: %d", status)
		}
		if n := countEvents(t, a, id, padlock.EventPasskeyUsed); n != 1 {
			t.Fatalf("%d passkey-used events", n)
		}
		passkeys, _ := a.DB.Conn().Passkeys(t.Context(), id)
		if len(passkeys) != 1 || passkeys[0].LastUsedAt.IsZero() || passkeys[0].SignCount != 1 {
			t.Fatalf("passkey after use: %+v", passkeys)
		}
		pk := itoa(passkeys[0].ID)

		if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/"+pk+"/rename", url.Values{"name": {"Desk key"}}); status != http.StatusSeeOther {
			t.Fatalf("rename: %d", status)
		}
		if n := countEvents(t, a, id, padlock.EventPasskeyRenamed); n != 1 {
			t.Fatalf("%d renamed events", n)
		}
		// The last factor: the password alone is not enough.
		if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/"+pk+"/remove", url.Values{"password": {testenv.Password}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("removing the last factor without a code: %d", status)
		}
		if status, _, body := c.PostForm(t, "/settings/mfa/passkeys/"+pk+"/remove", url.Values{"password": {testenv.Password}, "code": {codes[0]}}); status != http.StatusSeeOther {
			t.Fatalf("remove with a recovery code: %d\n%.400s", status, body)
		}
		a.SMTP.WaitFor(t, "admin@acme.test", "A passkey was removed")
		if u, _ := a.DB.Conn().UserByID(t.Context(), id); u.HasMFA() {
			t.Fatal("MFA still on after the last passkey was removed")
		}
		if left, _ := a.DB.Conn().RecoveryCodesLeft(t.Context(), id); left != 0 {
			t.Fatalf("%d recovery codes left without a factor", left)
		}
	})
}

func TestAPasskeyChallengeIsUsedOnceAndOnlyByItsSession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		id := userID(t, a, "admin@acme.test")
		key, _ := addPasskey(t, c, au, "Laptop")
		recoveryCodesOnPage(t, c)
		c.PostForm(t, "/logout", nil)

		// Two pending sign-ins of the same user: each has its own challenge.
		passwordStep(t, c, "admin@acme.test")
		other := a.NewClient()
		passwordStep(t, other, "admin@acme.test")
		mine := challengeAnswer(t, c, au, key)
		_, _, _ = other.Get(t, "/login/mfa") // the other session's own challenge
		if status, _ := postPasskey(t, other, mine); status != http.StatusUnprocessableEntity {
			t.Fatalf("an answer to another session's challenge: %d, want 422", status)
		}
		if status, loc := postPasskey(t, c, mine); status != http.StatusSeeOther || loc != "/organizations" {
			t.Fatalf("the answer in its own session: %d %q", status, loc)
		}

		// The same answer again, in a new sign-in: refused and counted.
		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		c.Get(t, "/login/mfa")
		if status, _ := postPasskey(t, c, mine); status != http.StatusUnprocessableEntity {
			t.Fatalf("a replayed answer: %d, want 422", status)
		}
		// An answer to a challenge already used up (the failure above used
		// it; the page shown with the error made a new one).
		used := challengeAnswer(t, c, au, key)
		if status, _ := postPasskey(t, c, "{}"); status != http.StatusUnprocessableEntity {
			t.Fatalf("a malformed answer: %d", status)
		}
		if status, _ := postPasskey(t, c, used); status != http.StatusUnprocessableEntity {
			t.Fatalf("an answer to a used challenge: %d, want 422", status)
		}
		if n := countEvents(t, a, id, padlock.EventMFAFailed); n != 4 {
			t.Fatalf("%d failures counted, want 4", n)
		}
		// Without JavaScript nothing is sent, and nothing is counted.
		if status, _ := postPasskey(t, c, ""); status != http.StatusUnprocessableEntity {
			t.Fatalf("an empty answer: %d", status)
		}
		if n := countEvents(t, a, id, padlock.EventMFAFailed); n != 4 {
			t.Fatalf("an empty answer was counted: %d", n)
		}
	})
}

func TestAPasskeyOfOneUserDoesNotSignInAnother(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		admin, _ := a.DB.Conn().UserByID(t.Context(), userID(t, a, "admin@acme.test"))
		a.AddUser(t, admin, "editor@acme.test", padlock.RoleEditor)
		adminKey, _ := addPasskey(t, c, au, "Admin's key")
		recoveryCodesOnPage(t, c)

		ed := a.NewClient()
		ed.SignIn(t, "editor@acme.test", testenv.Password)
		edKey, _ := addPasskey(t, ed, au, "Editor's key")
		recoveryCodesOnPage(t, ed)
		ed.PostForm(t, "/logout", nil)
		passwordStep(t, ed, "editor@acme.test")
		// The editor's challenge answered by the administrator's key.
		stolen := adminKey
		stolen.UserHandle = edKey.UserHandle
		if status, _ := postPasskey(t, ed, challengeAnswer(t, ed, au, stolen)); status != http.StatusUnprocessableEntity {
			t.Fatalf("another user's passkey: %d, want 422", status)
		}
		if status, _ := postPasskey(t, ed, challengeAnswer(t, ed, au, edKey)); status != http.StatusSeeOther {
			t.Fatalf("the editor's own passkey: %d", status)
		}
	})
}

func TestACounterThatGoesBackwardsFlagsThePasskeyAndIsRefused(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		id := userID(t, a, "admin@acme.test")
		key, _ := addPasskey(t, c, au, "Key")
		recoveryCodesOnPage(t, c)
		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		key.Count = 41 // the next answer says 42
		if status, _ := postPasskey(t, c, challengeAnswer(t, c, au, key)); status != http.StatusSeeOther {
			t.Fatalf("first use: %d", status)
		}
		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		key.Count = 9 // a copy of the key, used less
		if status, _ := postPasskey(t, c, challengeAnswer(t, c, au, key)); status != http.StatusUnprocessableEntity {
			t.Fatalf("a counter gone backwards: %d, want 422", status)
		}
		warnings, _ := a.DB.Conn().Activity(t.Context(), 1, activityOf(id, padlock.EventPasskeyCloneWarning))
		if len(warnings) != 1 || warnings[0].Detail != `security key "Key": counter 10 after 42` {
			t.Fatalf("clone warnings: %+v", warnings)
		}
		a.SMTP.WaitFor(t, "admin@acme.test", "may have been copied")
		key.Count = 100 // from then on the key is refused
		if status, _ := postPasskey(t, c, challengeAnswer(t, c, au, key)); status != http.StatusUnprocessableEntity {
			t.Fatalf("a flagged passkey: %d, want 422", status)
		}
		if _, _, body := c.Get(t, "/login/mfa"); !strings.Contains(body, "Use a recovery code") {
			t.Fatal("the challenge no longer offers a recovery code")
		}
	})
}

func TestRemovingPasskeysFollowsTheRulesOfTurningMFAOff(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		id := userID(t, a, "admin@acme.test")
		addPasskey(t, c, au, "One")
		recoveryCodesOnPage(t, c)
		if _, loc := addPasskey(t, c, au, "Two"); loc != "/settings/mfa" {
			t.Fatalf("a second passkey leads to %q", loc)
		}
		if status, _ := requireMFA(t, c, true, "0"); status != http.StatusSeeOther {
			t.Fatalf("require MFA: %d", status)
		}
		passkeys, _ := a.DB.Conn().Passkeys(t.Context(), id)
		first, second := itoa(passkeys[0].ID), itoa(passkeys[1].ID)
		// Not the last: the password is enough, and a wrong one is refused.
		if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/"+first+"/remove", url.Values{"password": {"wrong"}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password: %d", status)
		}
		if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/"+first+"/remove", url.Values{"password": {testenv.Password}}); status != http.StatusSeeOther {
			t.Fatalf("remove one of two: %d", status)
		}
		// The last one, while required: refused whatever is typed.
		if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/"+second+"/remove", url.Values{"password": {testenv.Password}, "code": {"whatever"}}); status != http.StatusForbidden {
			t.Fatalf("remove the last factor while required: %d, want 403", status)
		}
		if n, _ := a.DB.Conn().CountPasskeys(t.Context(), id); n != 1 {
			t.Fatalf("%d passkeys left", n)
		}
		if n := countEvents(t, a, id, padlock.EventPasskeyRemoved); n != 1 {
			t.Fatalf("%d removed events", n)
		}
	})
}

func TestResetMFARemovesPasskeys(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		admin, _ := a.DB.Conn().UserByID(t.Context(), userID(t, a, "admin@acme.test"))
		ed := a.AddUser(t, admin, "editor@acme.test", padlock.RoleEditor)
		c.PostForm(t, "/logout", nil)
		edc := a.NewClient()
		edc.SignIn(t, "editor@acme.test", testenv.Password)
		addPasskey(t, edc, au, "Editor's key")
		recoveryCodesOnPage(t, edc)
		if err := a.Admin.ResetMFA(t.Context(), actor(admin), ed.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := a.DB.Conn().CountPasskeys(t.Context(), ed.ID); n != 0 {
			t.Fatalf("%d passkeys after Reset MFA", n)
		}
		if u, _ := a.DB.Conn().UserByID(t.Context(), ed.ID); u.HasMFA() {
			t.Fatal("has MFA after Reset MFA")
		}
		// The old key signs nobody in: the password alone is a full sign-in
		// again, with no challenge to answer.
		edc.SignIn(t, "editor@acme.test", testenv.Password)
		if status, _, _ := edc.Get(t, "/login/mfa"); status != http.StatusSeeOther {
			t.Fatalf("a challenge after Reset MFA: %d", status)
		}
		if status, _ := postPasskey(t, edc, "{}"); status != http.StatusSeeOther {
			t.Fatalf("a passkey answer without a pending sign-in: %d, want a redirect", status)
		}
	})
}

// A borrowed session cannot guess the password on the forms that ask for
// it: wrong passwords there count toward the user's lock as wrong sign-ins
// do, and while the user is locked not even the right password is taken.
func TestWrongPasswordsOnSettingsFormsLockTheUser(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, _ := passkeyNode(t, d)
		id := userID(t, a, "admin@acme.test")
		for i := 1; i <= 10; i++ {
			if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/begin", url.Values{"password": {"not-the-password"}}); status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong password %d: %d, want 422", i, status)
			}
		}
		if n := countEvents(t, a, id, padlock.EventLockout); n != 1 {
			t.Fatalf("%d lockout events after ten wrong passwords, want 1", n)
		}
		a.DeliverMail(t)
		if n := countMails(a, "admin@acme.test", "locked"); n != 1 {
			t.Errorf("%d unlock mails, want 1", n)
		}
		status, loc, body := c.PostForm(t, "/settings/mfa/passkeys/begin", url.Values{"password": {testenv.Password}})
		if status != http.StatusUnprocessableEntity || loc != "" || !strings.Contains(body, "locked") {
			t.Fatalf("the right password while locked: %d %q, want 422 saying the account is locked", status, loc)
		}
		if status, _, _ := c.PostForm(t, "/settings/password", url.Values{"current": {testenv.Password}, "password": {"another-long-passphrase-42"}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("changing the password while locked: %d, want 422", status)
		}
	})
}

// A form held while the second step was pending is given back after a
// passkey answers that step, as after a code.
func TestAHeldFormComesBackAfterAPasskeySecondStep(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, c, au := passkeyNode(t, d)
		key := atPasskeyChallenge(t, c, au)

		status, loc, _ := c.PostForm(t, "/organizations", url.Values{"name": {"Initech held"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/mfa") {
			t.Fatalf("a form sent before the second step: %d %q", status, loc)
		}
		answer := challengeAnswer(t, c, au, key)
		status, loc, _ = c.PostForm(t, "/login/mfa/passkey", url.Values{"credential": {answer}, "next": {"/organizations/new"}})
		if status != http.StatusSeeOther || loc != "/organizations/new" {
			t.Fatalf("after the passkey: %d %q, want the held form's page", status, loc)
		}
		if _, _, body := c.Get(t, loc); !strings.Contains(body, "Initech held") {
			t.Errorf("the held form was not given back after the passkey")
		}
	})
}

// Showing the challenge page again (a reload, a second tab, an error)
// keeps the challenge a browser may be answering: the first page's answer
// still signs in.
func TestReloadingTheChallengeKeepsThePasskeyChallenge(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, c, au := passkeyNode(t, d)
		key := atPasskeyChallenge(t, c, au)
		answer := challengeAnswer(t, c, au, key)
		c.Get(t, "/login/mfa") // shown again before the answer arrives
		if status, loc := postPasskey(t, c, answer); status != http.StatusSeeOther || loc != "/organizations" {
			t.Fatalf("the answer to the first showing: %d %q, want signed in", status, loc)
		}
	})
}
