package e2e

import (
	"encoding/base32"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// challengeForm is the form of the MFA code screen, apart from its
// "Cancel and sign out" form.
const challengeForm = `main form[action="/login/mfa"]`

// TestEnableMFAAndSignInWithACodeAndARecoveryCode turns MFA on from My
// Settings, as a person with an authenticator app would, then signs in once
// with a code from the app and once with a recovery code.
func TestEnableMFAAndSignInWithACodeAndARecoveryCode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		a.CreateAccount(t, "Acme IT", adminEmail)
		p := startBrowser(t, a.URL)

		p.step("sign in with the password")
		signIn(p, adminEmail)
		p.expectPath("/organizations")

		secret, codes := enableMFA(p, a)

		p.step("sign out after enabling MFA")
		p.click("#sign-out")
		p.expectPath("/login")

		p.step("sign in and meet only the MFA code screen")
		signIn(p, adminEmail)
		p.expectPath("/login/mfa")
		p.waitText("main h1", "MFA code")
		if n := p.count(`header nav a[href="/organizations"], header nav a[href="/settings"]`); n != 0 {
			p.fatalf("the MFA code screen links to %d pages a pending sign-in cannot reach", n)
		}
		p.open("/organizations")
		p.expectPath("/login/mfa")
		p.waitText("main h1", "MFA code")

		p.step("type a code from the app")
		p.fill("#code", freshCode(a, secret))
		p.submit(challengeForm)
		expectSignedIn(p)

		p.step("sign out after the code")
		p.click("#sign-out")
		p.expectPath("/login")

		p.step("sign in with a recovery code")
		signIn(p, adminEmail)
		p.expectPath("/login/mfa")
		p.fill("#code", strings.ToUpper(codes[0]))
		p.submit(challengeForm)
		expectSignedIn(p)

		p.step("see one recovery code used")
		openMFASettings(p)
		p.waitText("#codes-left", "9 of 10 recovery codes left")

		p.step("make new recovery codes with the password and a code")
		p.toggle(`summary#regenerate-summary`)
		p.fill("#regen_password", testenv.Password)
		p.fill("#regen_code", "000000")
		p.click("#regenerate-codes")
		p.expectPath("/settings/mfa/recovery-codes/regenerate")
		p.waitText("#regen_code-error", "not correct") // the form stays open beside its error
		p.keep("regenerating with a wrong code")
		p.fill("#regen_password", testenv.Password)
		p.fill("#regen_code", freshCode(a, secret))
		p.click("#regenerate-codes")
		p.expectPath("/settings/mfa/recovery-codes")
		if n := p.count("main li code"); n != 10 {
			p.fatalf("%d new recovery codes shown", n)
		}
		p.keep("new recovery codes")
	})
}

// TestAWrongMFACodeShowsTheClockHint checks that a refused code says, next
// to the field, what usually went wrong and the way out.
func TestAWrongMFACodeShowsTheClockHint(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		a.CreateAccount(t, "Acme IT", adminEmail)
		p := startBrowser(t, a.URL)

		p.step("sign in with the password")
		signIn(p, adminEmail)
		p.expectPath("/organizations")
		secret, _ := enableMFA(p, a)

		p.step("sign out and in again")
		p.click("#sign-out")
		signIn(p, adminEmail)
		p.expectPath("/login/mfa")

		p.step("type a wrong code")
		p.fill("#code", wrongCode(secret, a.Clock.Now()))
		p.submit(challengeForm)
		p.expectPath("/login/mfa")

		p.step("see the hint beside the field")
		p.waitText("label[for=code] .field-error#code-error", "phone's clock")
		p.waitText("#code-error", "recovery code")
		if got := p.attr("#code", "aria-invalid"); got != "true" {
			p.fatalf("#code has aria-invalid=%q, want \"true\"", got)
		}
		if got := p.attr("#code", "aria-describedby"); !strings.Contains(got, "code-error") {
			p.fatalf("#code is described by %q, not by the error", got)
		}
		if got := p.value("#code"); got != "" {
			p.fatalf("the wrong code was sent back into the field: %q", got)
		}

		p.step("type the right code after the wrong one")
		p.fill("#code", freshCode(a, secret))
		p.submit(challengeForm)
		expectSignedIn(p)
	})
}

// recoveryCodeForm is how the recovery codes page shows a code.
var recoveryCodeForm = regexp.MustCompile(`^[a-z2-9]{5}-[a-z2-9]{5}$`)

// enableMFA turns MFA on through My Settings > MFA for the signed-in user,
// reading the secret and the recovery codes off the page, and returns them.
func enableMFA(p *page, a *testenv.TestApp) ([]byte, []string) {
	p.t.Helper()
	p.step("enable MFA")
	openMFASettings(p)
	p.waitText("main article h2", "MFA is off")
	p.click("#enable-mfa")
	p.expectPath("/settings/mfa/enroll")
	p.waitText("main h1", "Set up MFA")
	if src := p.attr("#qr", "src"); !strings.HasPrefix(src, "data:image/png") {
		p.fatalf("the QR code's src is %.40q, want a PNG data URI", src)
	}
	if w := run(p, "read the QR's width", chromedp.Evaluate[int](`document.querySelector("#qr").naturalWidth`)); w == 0 {
		p.fatalf("the QR code image does not decode")
	}

	p.step("copy the secret key")
	p.toggle(`main details summary`)
	key := strings.ReplaceAll(p.text("#secret"), " ", "") // shown in groups of four
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key)
	if err != nil || len(secret) != mfa.SecretSize {
		p.fatalf("the key %q is not %d bytes of base32: %v", key, mfa.SecretSize, err)
	}

	p.step("verify a code from the app")
	p.fill("#code", mfa.Code(secret, mfa.Step(a.Clock.Now()), mfa.Digits))
	p.click(`main form[action="/settings/mfa/verify"] button[type="submit"]`)
	p.expectPath("/settings/mfa/recovery-codes")

	p.step("save the recovery codes")
	p.waitText("main h1", "Your recovery codes")
	codes := p.texts("#recovery-codes li")
	if err := checkRecoveryCodes(codes); err != nil {
		p.fatalf("%v", err)
	}
	p.waitText(`main a[href="/settings/mfa/recovery-codes.txt"][download]`, "Download as a text file")
	p.click("#codes-saved")
	p.expectPath("/settings/mfa")
	p.waitText("main article h2", "MFA is on")
	p.waitText("#codes-left", "10 of 10 recovery codes left")
	return secret, codes
}

// checkRecoveryCodes says what is wrong with a set shown to the user.
func checkRecoveryCodes(codes []string) error {
	if len(codes) != mfa.RecoveryCodeCount {
		return fmt.Errorf("%d recovery codes shown, want %d: %q", len(codes), mfa.RecoveryCodeCount, codes)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !recoveryCodeForm.MatchString(c) || seen[c] {
			return fmt.Errorf("recovery code %q is malformed or repeated in %q", c, codes)
		}
		seen[c] = true
	}
	return nil
}

// openMFASettings goes to My Settings > MFA from the navigation bar.
func openMFASettings(p *page) {
	p.t.Helper()
	p.click(`header nav a[href="/settings"]`)
	p.click(`nav.tabs a[href="/settings/mfa"]`)
	p.expectPath("/settings/mfa")
}

// expectSignedIn checks that the browser got past sign-in to the app.
func expectSignedIn(p *page) {
	p.t.Helper()
	p.expectPath("/organizations")
	p.waitText("main h1", "Organizations")
	if n := p.count("#sign-out"); n != 1 {
		p.fatalf("no Sign out button after signing in (%d)", n)
	}
}

// freshCode moves the app's clock to the next TOTP step, as a person waits
// for the app to show a new code, and returns that code: a code is accepted
// once, so every use needs a step of its own.
func freshCode(a *testenv.TestApp, secret []byte) string {
	a.Clock.Advance(mfa.Period * time.Second)
	return mfa.Code(secret, mfa.Step(a.Clock.Now()), mfa.Digits)
}

// wrongCode returns six digits that no step around now accepts.
func wrongCode(secret []byte, now time.Time) string {
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i*111111%1000000)
		if _, ok := mfa.MatchStep(secret, c, now); !ok {
			return c
		}
	}
}
