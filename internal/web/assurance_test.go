package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// heldBurst sends one POST per form over its own connection with the last
// byte held back, then releases every last byte at once, so all requests
// pass the session check before any of them is decided. It returns each
// answer's status.
func heldBurst(t *testing.T, a *testenv.TestApp, path, cookie string, forms []url.Values) []int {
	t.Helper()
	statuses, _ := heldBurstThen(t, a, path, cookie, forms, nil)
	return statuses
}

// heldBurstThen is heldBurst with one more request, held like the others
// but released only after they have all been answered: it passed the
// session check while the sign-in was still there.
func heldBurstThen(t *testing.T, a *testenv.TestApp, path, cookie string, forms []url.Values, last url.Values) ([]int, int) {
	t.Helper()
	if last != nil {
		forms = append(forms, last)
	}
	host := strings.TrimPrefix(a.URL, "http://")
	conns := make([]net.Conn, len(forms))
	for i, f := range forms {
		body := f.Encode()
		req := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nCookie: padlock_session=%s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			path, host, cookie, len(body), body)
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(60 * time.Second))
		if _, err := c.Write([]byte(req[:len(req)-1])); err != nil {
			t.Fatal(err)
		}
		conns[i] = c
	}
	statuses := make([]int, len(forms))
	release := func(i int) {
		body := forms[i].Encode()
		if _, err := conns[i].Write([]byte(body[len(body)-1:])); err != nil {
			return
		}
		if resp, err := http.ReadResponse(bufio.NewReader(conns[i]), nil); err == nil {
			statuses[i] = resp.StatusCode
			resp.Body.Close()
		}
	}
	n := len(forms)
	if last != nil {
		n--
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); release(i) }()
	}
	wg.Wait()
	if last == nil {
		return statuses, 0
	}
	release(n)
	return statuses[:n], statuses[n]
}

func countStatus(statuses []int, want int) int {
	n := 0
	for _, s := range statuses {
		if s == want {
			n++
		}
	}
	return n
}

func wrongCodes(n int) []url.Values {
	forms := make([]url.Values, n)
	for i := range forms {
		forms[i] = url.Values{"code": {fmt.Sprintf("%06d", 100000+i)}}
	}
	return forms
}

// countEvents counts the user's audit events of a kind.
func countEvents(t *testing.T, a *testenv.TestApp, userID int64, kind string) int {
	t.Helper()
	events, err := a.DB.Conn().Activity(t.Context(), 1, store.ActivityFilter{Kinds: []string{kind}, UserID: userID})
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

func TestThirtyParallelWrongCodesAreCountedOneByOneAndEndTheSignIn(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedOutWithMFA(t, d)
		id := userID(t, a, "admin@acme.test")
		passwordStep(t, c, "admin@acme.test")
		pending := c.CookieValue("padlock_session")

		right := url.Values{"code": {e.code(a, 0)}}
		statuses, lastStatus := heldBurstThen(t, a, "/login/mfa", pending, wrongCodes(30), right)
		if n := countStatus(statuses, http.StatusInternalServerError); n > 0 {
			t.Fatalf("%d of 30 answered 500: %v", n, statuses)
		}
		if n := countStatus(statuses, http.StatusUnprocessableEntity); n != padlock.MaxMFAFailures-1 {
			t.Fatalf("%d wrong codes were answered as wrong, want %d (then the sign-in is over): %v", n, padlock.MaxMFAFailures-1, statuses)
		}
		if n := countEvents(t, a, id, padlock.EventMFAFailed); n != padlock.MaxMFAFailures {
			t.Fatalf("%d wrong codes were checked, want %d", n, padlock.MaxMFAFailures)
		}
		creds, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		if creds.FailedAttempts != padlock.MaxMFAFailures {
			t.Fatalf("the user's count is %d, want %d", creds.FailedAttempts, padlock.MaxMFAFailures)
		}
		// The right code, sent with the others and decided last, finds the
		// sign-in gone; so does one sent afterwards.
		if lastStatus != http.StatusSeeOther {
			t.Fatalf("the right code held to the end: %d", lastStatus)
		}
		if n := countEvents(t, a, id, padlock.EventSignIn); n != 1 { // the one before signing out
			t.Fatalf("%d sign-ins recorded, want only the first", n)
		}
		if status, loc, _ := c.PostForm(t, "/login/mfa", right); status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("the right code after the burst: %d %q, want back to sign-in", status, loc)
		}
		if status, _, _ := c.Get(t, "/organizations"); status != http.StatusSeeOther {
			t.Fatalf("signed in after the burst: %d", status)
		}
	})
}

func TestParallelWrongCodesAcrossSignInsLockTheUserAndNoSuccessClearsTheLock(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, _, e := signedOutWithMFA(t, d)
		id := userID(t, a, "admin@acme.test")
		var pending []string
		var clients []*testenv.Client
		for range 3 {
			c := a.NewClient()
			passwordStep(t, c, "admin@acme.test")
			pending = append(pending, c.CookieValue("padlock_session"))
			clients = append(clients, c)
		}
		var wg sync.WaitGroup
		all := make([][]int, len(pending))
		for i, p := range pending {
			wg.Add(1)
			go func() { defer wg.Done(); all[i] = heldBurst(t, a, "/login/mfa", p, wrongCodes(10)) }()
		}
		wg.Wait()
		for _, statuses := range all {
			if n := countStatus(statuses, http.StatusInternalServerError); n > 0 {
				t.Fatalf("%d answered 500: %v", n, statuses)
			}
		}
		if n := countEvents(t, a, id, padlock.EventMFAFailed); n > 10 {
			t.Fatalf("%d wrong codes were checked; the user's limit is 10", n)
		}
		creds, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		if !creds.LockedUntil.After(a.Clock.Now()) {
			t.Fatalf("not locked after the burst (%d failures)", creds.FailedAttempts)
		}
		// Whatever sign-in is left, the right code does not get past the lock.
		for _, c := range clients {
			if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
				t.Fatalf("right code while locked: %d", status)
			}
			if status, _, _ := c.Get(t, "/organizations"); status == http.StatusOK {
				t.Fatal("signed in while locked")
			}
		}
		if creds, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test"); !creds.LockedUntil.After(a.Clock.Now()) {
			t.Fatal("a right code cleared the lock")
		}
	})
}

func TestARightCodeInsideABurstSignsInOnceWithoutErrors(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedOutWithMFA(t, d)
		passwordStep(t, c, "admin@acme.test")
		forms := wrongCodes(30)
		forms[29] = url.Values{"code": {e.code(a, 0)}}
		statuses := heldBurst(t, a, "/login/mfa", c.CookieValue("padlock_session"), forms)
		if n := countStatus(statuses, http.StatusInternalServerError); n > 0 {
			t.Fatalf("%d of 30 answered 500: %v", n, statuses)
		}
		for i, s := range statuses {
			if s == 0 {
				t.Fatalf("request %d got no answer", i)
			}
		}
	})
}

// heldAtEnrollment is an account that requires MFA with no grace, whose
// Lite user has none yet.
func heldAtEnrollment(t *testing.T, d string) *testenv.TestApp {
	t.Helper()
	a, admin, _ := enforcingAccount(t, d)
	if status, body := requireMFA(t, admin, true, "0"); status != http.StatusSeeOther {
		t.Fatalf("require MFA: %d\n%s", status, body)
	}
	return a
}

// enrollmentSecretSeen signs a new client in as the user and returns it
// with the secret its enrollment screen shows.
func enrollmentSecretSeen(t *testing.T, a *testenv.TestApp, email string) (*testenv.Client, string) {
	t.Helper()
	c := a.NewClient()
	c.SignIn(t, email, testenv.Password)
	status, _, body := c.Get(t, "/settings/mfa/enroll")
	if status != http.StatusOK {
		t.Fatalf("enrollment page: %d", status)
	}
	return c, secretOnPage(body)
}

func TestAnEnrollmentSecretSeenByOneSessionIsNeverShownToOrConfirmedByAnother(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := heldAtEnrollment(t, d)
		attacker, planted := enrollmentSecretSeen(t, a, "lite@acme.test")
		attacker.PostForm(t, "/logout", nil)

		victim, shown := enrollmentSecretSeen(t, a, "lite@acme.test")
		if shown == planted {
			t.Fatal("the victim was shown the secret another session saw")
		}
		// A code of the planted secret does not confirm the victim's
		// enrollment, nor a new one of the attacker's.
		planted_ := enrolled{secret: decodeSecret(t, planted)}
		if status, _, _ := victim.PostForm(t, "/settings/mfa/verify", url.Values{"code": {planted_.code(a, 0)}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("the planted secret confirmed the victim's enrollment: %d", status)
		}
		again, _ := enrollmentSecretSeen(t, a, "lite@acme.test")
		if status, _, _ := again.PostForm(t, "/settings/mfa/verify", url.Values{"code": {planted_.code(a, 0)}}); status != http.StatusUnprocessableEntity {
			t.Fatalf("the planted secret was confirmed by a new session: %d", status)
		}
		if creds, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "lite@acme.test"); creds.User.HasMFA() {
			t.Fatal("a factor was set up")
		}
	})
}

func TestASessionHeldAtEnrollmentEndsWhenTheUserEnrollsElsewhere(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := heldAtEnrollment(t, d)
		attacker, _ := enrollmentSecretSeen(t, a, "lite@acme.test")
		victim, secret := enrollmentSecretSeen(t, a, "lite@acme.test")
		e := enrolled{secret: decodeSecret(t, secret)}
		if status, _, _ := victim.PostForm(t, "/settings/mfa/verify", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("victim's enrollment: %d", status)
		}
		for _, path := range []string{"/settings/mfa/recovery-codes", "/settings/mfa/recovery-codes.txt", "/settings/mfa/enroll", "/organizations"} {
			status, loc, body := attacker.Get(t, path)
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Fatalf("the held session reached %s after the user enrolled elsewhere: %d %q", path, status, loc)
			}
			if strings.Contains(body, "<code>") {
				t.Fatalf("%s showed codes", path)
			}
		}
		if status, loc, _ := attacker.PostForm(t, "/settings/mfa/enroll", nil); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("the held session started an enrollment: %d %q", status, loc)
		}
		// The victim alone sees the new codes.
		if status, _, body := victim.Get(t, "/settings/mfa/recovery-codes"); status != http.StatusOK || strings.Count(body, "<li><code>") != 10 {
			t.Fatalf("the victim's codes: %d", status)
		}
	})
}

func TestAPasswordOnlySessionIsNotTrustedWhenTheUserEnrollsElsewhere(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		attacker := a.NewClient()
		attacker.SignIn(t, "lite@acme.test", testenv.Password) // not required yet: a full, password-only session
		if status, _, _ := attacker.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("before: %d", status)
		}
		requireMFA(t, admin, true, "0")
		if status, loc, _ := attacker.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("after the requirement: %d %q", status, loc)
		}
		victim, secret := enrollmentSecretSeen(t, a, "lite@acme.test")
		e := enrolled{secret: decodeSecret(t, secret)}
		if status, _, _ := victim.PostForm(t, "/settings/mfa/verify", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("victim's enrollment: %d", status)
		}
		if status, loc, _ := attacker.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("the password-only session reached documents after the user enrolled elsewhere: %d %q", status, loc)
		}
		if status, _, _ := victim.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("the enrolling session: %d", status)
		}
	})
}

func TestRegeneratingCodesAndMovingPhonesNeedThePasswordAndACurrentCode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedInWithMFA(t, d)
		tests := []struct {
			name, path, field string
			form              url.Values
		}{
			{"regenerating without a password", "/settings/mfa/recovery-codes/regenerate", "regen_password", url.Values{"code": {e.code(a, 0)}}},
			{"regenerating with a wrong code", "/settings/mfa/recovery-codes/regenerate", "regen_code", url.Values{"password": {testenv.Password}, "code": {"000000"}}},
			{"moving without a code", "/settings/mfa/enroll", "move_code", url.Values{"password": {testenv.Password}}},
			{"moving with a wrong password", "/settings/mfa/enroll", "move_password", url.Values{"password": {"not my password"}, "code": {e.code(a, 0)}}},
		}
		for _, tt := range tests {
			status, _, body := c.PostForm(t, tt.path, tt.form)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+tt.field+`-error"`) {
				t.Fatalf("%s: %d, want the error beside %s", tt.name, status, tt.field)
			}
		}
		if _, _, body := c.Get(t, "/settings/mfa"); !strings.Contains(body, "10 of 10 recovery codes left") {
			t.Fatal("a refused regeneration changed the codes")
		}
		// Another full session of the same user does not see codes this one makes.
		other := a.NewClient()
		passwordStep(t, other, "admin@acme.test")
		a.Clock.Advance(30 * time.Second)
		if status, _, _ := other.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("second session: %d", status)
		}
		if status, loc, _ := c.PostForm(t, "/settings/mfa/recovery-codes/regenerate", url.Values{"password": {testenv.Password}, "code": {e.codes[0]}}); status != http.StatusSeeOther || loc != "/settings/mfa/recovery-codes" {
			t.Fatalf("regenerate with a recovery code: %d %q", status, loc)
		}
		if status, _, _ := other.Get(t, "/settings/mfa/recovery-codes"); status != http.StatusSeeOther {
			t.Fatalf("another session saw the new codes: %d", status)
		}
		if status, _, _ := other.Get(t, "/settings/mfa/recovery-codes.txt"); status == http.StatusOK {
			t.Fatal("another session downloaded the new codes")
		}
		if status, _, body := c.Get(t, "/settings/mfa/recovery-codes"); status != http.StatusOK || strings.Count(body, "<li><code>") != 10 {
			t.Fatalf("the session that made them: %d", status)
		}
	})
}

func TestALockSetWhileASignInWaitsForItsCodeIsNotClearedByTheRightCode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedOutWithMFA(t, d)
		passwordStep(t, c, "admin@acme.test")
		for range 10 {
			a.NewClient().PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {"wrong password here"}})
		}
		if status, loc, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
			t.Fatalf("right code while locked: %d %q", status, loc)
		}
		creds, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
		if !creds.LockedUntil.After(a.Clock.Now()) || creds.FailedAttempts != 10 {
			t.Fatalf("lock %v, %d failures: the right code cleared them", creds.LockedUntil, creds.FailedAttempts)
		}
	})
}

func TestWrongPasswordsOfAUserWhoMustUseSSOAreNotCountedTowardTheLock(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		s := newSSOAccount(t, a, "Acme IT", "acme.test", "idp-a")
		s.addUser(t, "editor@acme.test", padlock.RoleEditor)
		s.saveOptions(t, url.Values{"enabled": {"on"}, "jit_role": {"lite"}, "enforce": {"on"}, "break_glass": {"admin@acme.test"}, "domains": {"acme.test"}})
		for range 12 {
			status, _, _ := a.NewClient().PostForm(t, "/login", url.Values{"email": {"editor@acme.test"}, "password": {"not the password"}})
			if status != http.StatusUnauthorized {
				t.Fatalf("wrong password: %d", status)
			}
		}
		creds, _ := a.DB.Conn().CredentialsByEmail(t.Context(), "editor@acme.test")
		if creds.FailedAttempts != 0 || creds.LockedUntil.After(a.Clock.Now()) {
			t.Fatalf("%d failures counted, locked until %v", creds.FailedAttempts, creds.LockedUntil)
		}
		s.idp.SignInAs("editor@acme.test", "")
		if status, _, _ := s.signIn(t, a.NewClient(), "/"); status != http.StatusSeeOther {
			t.Fatalf("SSO after the wrong passwords: %d", status)
		}
	})
}

func TestASignInEndedByWrongCodesSaysSoAsAnErrorWithTheWayOut(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, c, _ := signedOutWithMFA(t, d)
		passwordStep(t, c, "admin@acme.test")
		for range padlock.MaxMFAFailures {
			c.PostForm(t, "/login/mfa", url.Values{"code": {"000000"}})
		}
		status, _, body := c.Get(t, "/login")
		if status != http.StatusOK || !strings.Contains(body, `class="banner error" role="alert" id="flash"`) {
			t.Fatalf("the sign-in page after five wrong codes: %d, no error banner\n%s", status, between(body, "<main", "</main>"))
		}
		if msg := between(body, `id="flash">`, "<"); !strings.Contains(msg, "recovery code") || !strings.Contains(msg, "administrator") {
			t.Fatalf("the message does not say what to do next: %q", msg)
		}
		if _, _, body := c.Get(t, "/login"); strings.Contains(body, `id="flash"`) {
			t.Fatal("the message is shown twice")
		}
	})
}
