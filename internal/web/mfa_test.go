package web_test

import (
	"encoding/base32"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// enrolled is a user who has turned MFA on through the screens.
type enrolled struct {
	secret []byte
	codes  []string
}

// code returns the TOTP code for a moment relative to the app's clock.
func (e enrolled) code(a *testenv.TestApp, offset time.Duration) string {
	return mfa.Code(e.secret, mfa.Step(a.Clock.Now().Add(offset)), mfa.Digits)
}

// enableMFA goes through My Settings > MFA as the signed-in client.
func enableMFA(t *testing.T, a *testenv.TestApp, c *testenv.Client) enrolled {
	t.Helper()
	if status, loc, _ := c.PostForm(t, "/settings/mfa/enroll", nil); status != http.StatusSeeOther || loc != "/settings/mfa/enroll" {
		t.Fatalf("enable MFA: %d %q", status, loc)
	}
	status, _, body := c.Get(t, "/settings/mfa/enroll")
	if status != 200 || !strings.Contains(body, "Show secret key for manual configuration") || !strings.Contains(body, `src="data:image/png;base64,`) {
		t.Fatalf("enrollment page: %d", status)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secretOnPage(body))
	if err != nil || len(secret) != 20 {
		t.Fatalf("secret on the page: %v (%d bytes)", err, len(secret))
	}
	e := enrolled{secret: secret}
	if status, loc, _ := c.PostForm(t, "/settings/mfa/verify", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther || loc != "/settings/mfa/recovery-codes" {
		t.Fatalf("verify: %d %q", status, loc)
	}
	_, _, body = c.Get(t, "/settings/mfa/recovery-codes")
	for _, part := range strings.Split(body, "<li><code>")[1:] {
		e.codes = append(e.codes, part[:strings.Index(part, "<")])
	}
	if len(e.codes) != 10 {
		t.Fatalf("%d recovery codes shown", len(e.codes))
	}
	if status, _, _ := c.PostForm(t, "/settings/mfa/recovery-codes/saved", nil); status != http.StatusSeeOther {
		t.Fatalf("saved: %d", status)
	}
	a.Clock.Advance(30 * time.Second) // the confirming code's step is used
	return e
}

// signedOutWithMFA starts a node with an Administrator who has turned MFA
// on and signed out again, and returns a client and the factor.
func signedOutWithMFA(t *testing.T, d string) (*testenv.TestApp, *testenv.Client, enrolled) {
	t.Helper()
	a, c, e := signedInWithMFA(t, d)
	c.PostForm(t, "/logout", nil)
	return a, c, e
}

// signedInWithMFA starts a node with an Administrator who has turned MFA
// on and is still signed in.
func signedInWithMFA(t *testing.T, d string) (*testenv.TestApp, *testenv.Client, enrolled) {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	return a, c, enableMFA(t, a, c)
}

// passwordStep signs in with the password and expects the challenge.
func passwordStep(t *testing.T, c *testenv.Client, email string) {
	t.Helper()
	status, loc, _ := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {testenv.Password}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/mfa") {
		t.Fatalf("password step: %d %q, want the MFA challenge", status, loc)
	}
}

func TestEnablingMFAThenSigningInWithACodeAndWithARecoveryCode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedInWithMFA(t, d)
		a.SMTP.WaitFor(t, "admin@acme.test", "MFA is now on")
		if status, loc, _ := c.Get(t, "/settings/mfa/recovery-codes"); status != http.StatusSeeOther || loc != "/settings/mfa" {
			t.Fatalf("recovery codes shown again after saving: %d", status)
		}
		if _, _, body := c.Get(t, "/settings/mfa"); !strings.Contains(body, "10 of 10 recovery codes left") {
			t.Fatal("the settings page does not count the codes")
		}
		c.PostForm(t, "/logout", nil)

		passwordStep(t, c, "admin@acme.test")
		pending := c.CookieValue("padlock_session")
		status, loc, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}, "next": {"/settings"}})
		if status != http.StatusSeeOther || loc != "/settings" {
			t.Fatalf("challenge: %d %q", status, loc)
		}
		if c.CookieValue("padlock_session") == pending {
			t.Fatal("passing the challenge kept the pending token")
		}
		c.PostForm(t, "/logout", nil)

		passwordStep(t, c, "admin@acme.test")
		typed := strings.ToUpper(strings.ReplaceAll(e.codes[3], "-", " "))
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {typed}}); status != http.StatusSeeOther {
			t.Fatalf("recovery code: %d", status)
		}
		if _, _, body := c.Get(t, "/settings/mfa"); !strings.Contains(body, "9 of 10 recovery codes left") {
			t.Fatal("the used recovery code is still counted")
		}
		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.codes[3]}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("a recovery code worked twice: %d", status)
		}
	})
}

func TestAWrongOrAbandonedEnrollmentLeavesNothingActive(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		c.PostForm(t, "/settings/mfa/enroll", nil)
		status, _, body := c.PostForm(t, "/settings/mfa/verify", url.Values{"code": {"000000"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="code-error"`) || !strings.Contains(body, "clock") {
			t.Fatalf("wrong enrollment code: %d", status)
		}
		c.PostForm(t, "/logout", nil)
		c.SignIn(t, "admin@acme.test", testenv.Password) // no challenge: nothing is active
		if _, _, body := c.Get(t, "/settings/mfa"); !strings.Contains(body, "MFA is off") {
			t.Fatal("an unconfirmed enrollment shows as on")
		}
	})
}

func TestReEnrollingMakesANewSecretAndKeepsTheOldFactorUntilConfirmed(t *testing.T) {
	t.Parallel()
	a, c, old := signedInWithMFA(t, "sqlite")
	// A session alone cannot swap the factor: the password is needed.
	if status, _, body := c.PostForm(t, "/settings/mfa/enroll", nil); status != 422 || !strings.Contains(body, `id="move_password-error"`) {
		t.Fatalf("moving to a new phone without the password: %d", status)
	}
	if status, loc, _ := c.Get(t, "/settings/mfa/enroll"); status != http.StatusSeeOther || loc != "/settings/mfa" {
		t.Fatalf("an enrollment started without the password: %d %q", status, loc)
	}
	if status, _, _ := c.PostForm(t, "/settings/mfa/enroll", url.Values{"password": {testenv.Password}, "code": {old.code(a, 0)}}); status != http.StatusSeeOther {
		t.Fatalf("moving to a new phone: %d", status)
	}
	_, _, body := c.Get(t, "/settings/mfa/enroll")
	if secretOnPage(body) == mfa.EncodeSecret(old.secret) {
		t.Fatal("re-enrolling showed the old secret")
	}
	c.PostForm(t, "/logout", nil)
	a.Clock.Advance(30 * time.Second) // the code that allowed the move is used
	passwordStep(t, c, "admin@acme.test")
	if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {old.code(a, 0)}}); status != http.StatusSeeOther {
		t.Fatalf("the old factor stopped working before the new one was confirmed: %d", status)
	}
}

// With a pending (password-only) session, every route but the challenge,
// sign-out and public ones sends the browser to the challenge; the API
// answers 401.
// toTheChallenge tells whether a redirect leads to the challenge (with the
// way back to where the request was going, or none).
func toTheChallenge(loc string) bool {
	return loc == "/login/mfa" || strings.HasPrefix(loc, "/login/mfa?next=%2F")
}

func TestAPendingSignInReachesOnlyTheChallenge(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		enableMFA(t, a, c)
		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		for _, r := range accountRoutes(a) {
			if r.Public() || r.Access.String() == "challenge" || r.Path == "/logout" {
				continue
			}
			req, _ := http.NewRequest(r.Method, a.URL+samplePath(r.Path), strings.NewReader("name=x&code=123456"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", a.URL)
			status, loc, _ := c.Do(t, req)
			if strings.HasPrefix(r.Path, "/api/") {
				if status != http.StatusUnauthorized {
					t.Errorf("%s %s pending: %d, want 401", r.Method, r.Path, status)
				}
			} else if status != http.StatusSeeOther || !toTheChallenge(loc) {
				t.Errorf("%s %s pending: %d %q, want a redirect to the challenge", r.Method, r.Path, status, loc)
			}
		}
		// Nothing a client sends can change that.
		for _, trick := range []string{"/organizations?mfa=done", "/organizations?state=full"} {
			if status, loc, _ := c.Get(t, trick); status != http.StatusSeeOther || !toTheChallenge(loc) {
				t.Errorf("%s: %d %q", trick, status, loc)
			}
		}
	})
}

func TestCodesAreAcceptedOnceAndTheConfirmingCodeCannotSignIn(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedOutWithMFA(t, d)
		passwordStep(t, c, "admin@acme.test")
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, -30*time.Second)}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("the code that confirmed enrollment signed in: %d", status)
		}
		code := e.code(a, 0)
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {code}}); status != http.StatusSeeOther {
			t.Fatalf("a fresh code: %d", status)
		}
		c.PostForm(t, "/logout", nil)
		passwordStep(t, c, "admin@acme.test")
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {code}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("a code was accepted twice: %d", status)
		}
		// The previous and next steps are accepted, once each.
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 30*time.Second)}}); status != http.StatusSeeOther {
			t.Fatalf("the next step's code: %d", status)
		}
	})
}

func TestBadCodesGetAClearMessage(t *testing.T) {
	t.Parallel()
	a, c, e := signedOutWithMFA(t, "sqlite")
	passwordStep(t, c, "admin@acme.test")
	for _, bad := range []string{"", "abcdef", "12345", "1234567", strings.Repeat("9", 5000)} {
		status, _, body := c.PostForm(t, "/login/mfa", url.Values{"code": {bad}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="code-error"`) {
			t.Fatalf("code %.10q: %d", bad, status)
		}
	}
	code := e.code(a, 0)
	spaced := code[:3] + " - " + code[3:]
	if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {spaced}}); status != http.StatusSeeOther {
		t.Fatalf("a code with spaces and a dash: %d", status)
	}
}

func TestFiveWrongCodesEndThePendingSignInAndCountTowardLockout(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedOutWithMFA(t, d)
		passwordStep(t, c, "admin@acme.test")
		for i := 1; i <= 4; i++ {
			if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {"000000"}}); status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong code %d: %d", i, status)
			}
		}
		if status, loc, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {"000000"}}); status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("fifth wrong code: %d %q, want the pending sign-in thrown away", status, loc)
		}
		a.SMTP.WaitFor(t, "admin@acme.test", "Someone entered your Padlock password")
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status == http.StatusSeeOther && c.CookieValue("padlock_session") != "" {
			t.Fatal("the discarded pending sign-in still accepted a code")
		}
		// A new sign-in does not reset the count: five more failures lock.
		passwordStep(t, c, "admin@acme.test")
		for i := 0; i < 5; i++ {
			c.PostForm(t, "/login/mfa", url.Values{"code": {"000000"}})
		}
		a.SMTP.WaitFor(t, "admin@acme.test", "locked")
		if status, _, _ := c.PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}}); status != http.StatusUnauthorized {
			t.Fatalf("sign-in after 10 second-factor failures: %d, want locked", status)
		}
	})
}

func TestAPendingSignInExpiresAfterTenMinutesAndWithAPasswordChange(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedOutWithMFA(t, d)

		passwordStep(t, c, "admin@acme.test")
		a.Clock.Advance(10*time.Minute + time.Second)
		if status, loc, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") || loc == "/login/mfa" {
			t.Fatalf("after 10 minutes: %d %q, want sign in again", status, loc)
		}

		passwordStep(t, c, "admin@acme.test")
		other := a.NewClient()
		other.PostForm(t, "/forgot", url.Values{"email": {"admin@acme.test"}})
		token := testenv.LinkToken(t, a.SMTP.WaitFor(t, "admin@acme.test", "Reset").Body, "/reset/")
		other.PostForm(t, "/reset/"+token, url.Values{"password": {"lantern-meadow-orbit-fig"}})
		a.Clock.Advance(30 * time.Second)
		if status, loc, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther || loc == "/" {
			t.Fatalf("a pending sign-in survived a password reset: %d %q", status, loc)
		}
	})
}

func TestDisablingMFANeedsThePasswordAndACode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedInWithMFA(t, d)
		if status, _, body := c.PostForm(t, "/settings/mfa/disable", url.Values{"password": {"wrong"}, "code": {e.code(a, 0)}}); status != 422 || !strings.Contains(body, `id="password-error"`) {
			t.Fatalf("wrong password: %d", status)
		}
		if status, _, body := c.PostForm(t, "/settings/mfa/disable", url.Values{"password": {testenv.Password}, "code": {"000000"}}); status != 422 || !strings.Contains(body, `id="code-error"`) {
			t.Fatalf("wrong code: %d", status)
		}
		if status, _, _ := c.PostForm(t, "/settings/mfa/disable", url.Values{"password": {testenv.Password}, "code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("disable: %d", status)
		}
		a.SMTP.WaitFor(t, "admin@acme.test", "MFA was turned off")
		c.PostForm(t, "/logout", nil)
		c.SignIn(t, "admin@acme.test", testenv.Password) // no challenge any more
	})
}

func TestRegeneratingRecoveryCodesVoidsTheOldSet(t *testing.T) {
	t.Parallel()
	a, c, e := signedInWithMFA(t, "sqlite")
	form := url.Values{"password": {testenv.Password}, "code": {e.code(a, 0)}}
	if status, loc, _ := c.PostForm(t, "/settings/mfa/recovery-codes/regenerate", form); status != http.StatusSeeOther || loc != "/settings/mfa/recovery-codes" {
		t.Fatalf("regenerate: %d %q", status, loc)
	}
	status, _, file := c.Get(t, "/settings/mfa/recovery-codes.txt")
	if status != 200 || strings.Count(file, "-") < 10 {
		t.Fatalf("download: %d\n%s", status, file)
	}
	a.SMTP.WaitFor(t, "admin@acme.test", "New Padlock recovery codes")
	c.PostForm(t, "/logout", nil)
	passwordStep(t, c, "admin@acme.test")
	if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.codes[0]}}); status != http.StatusUnprocessableEntity {
		t.Fatalf("an old recovery code still works: %d", status)
	}
}

func TestFactorSecretsAreSealedAndNeverLogged(t *testing.T) {
	t.Parallel()
	a, _, e := signedInWithMFA(t, "sqlite")
	f, err := a.DB.Conn().TOTP(t.Context(), userID(t, a, "admin@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(f.Sealed), string(e.secret)) || strings.Contains(string(f.Sealed), mfa.EncodeSecret(e.secret)) {
		t.Fatal("the TOTP secret is stored in the clear")
	}
	logs := a.Log.String()
	for _, s := range append([]string{mfa.EncodeSecret(e.secret)}, e.codes...) {
		if strings.Contains(logs, s) {
			t.Fatal("a factor secret or recovery code reached the log")
		}
	}
}

// 50 submissions of one valid code, racing across two nodes over one
// PostgreSQL, give exactly one sign-in.
func TestOneCodeRacedAcrossTwoNodesSignsInOnce(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t, "postgres")
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	nodes := []*testenv.TestApp{
		testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock}),
		testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock}),
	}
	nodes[0].CreateAccount(t, "Acme IT", "admin@acme.test")
	setup := nodes[0].NewClient()
	setup.SignIn(t, "admin@acme.test", testenv.Password)
	e := enableMFA(t, nodes[0], setup)

	const racers = 50
	for _, n := range nodes {
		n.Auth.Config.LockoutThreshold = 1000 // this test is about the race, not the lockout
	}
	clients := make([]*testenv.Client, racers)
	for i := range clients {
		clients[i] = nodes[i%2].NewClient()
		passwordStep(t, clients[i], "admin@acme.test")
	}
	code := e.code(nodes[0], 0)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		success int
	)
	start := make(chan struct{})
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, loc, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {code}})
			if status == http.StatusSeeOther && loc == "/" {
				mu.Lock()
				success++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if success != 1 {
		t.Fatalf("%d of %d racing submissions of one code signed in, want exactly 1", success, racers)
	}
}

// Racing redemptions of one recovery code succeed once.
func TestOneRecoveryCodeRacedSignsInOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.Auth.Config.LockoutThreshold = 1000
		setup := a.NewClient()
		setup.SignIn(t, "admin@acme.test", testenv.Password)
		e := enableMFA(t, a, setup)
		clients := make([]*testenv.Client, 20)
		for i := range clients {
			clients[i] = a.NewClient()
			passwordStep(t, clients[i], "admin@acme.test")
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			success int
		)
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.codes[0]}}); status == http.StatusSeeOther {
					mu.Lock()
					success++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if success != 1 {
			t.Fatalf("%d racing redemptions of one recovery code succeeded, want 1", success)
		}
	})
}
