package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/testenv/webauthntest"
)

// phishing is how a look-alike page would get an answer signed by the
// user's real key: the browser writes the page's own origin into the
// signed client data, and a real authenticator hashes the RP ID the page
// asked for.
type phishing struct {
	name   string
	origin string
	rpID   string // "" keeps the challenge's
	// refusal is what the server logs as the reason.
	refusal string
}

func phishingPages(base string) []phishing {
	return []phishing{
		{"another site relaying the challenge", "https://padlock-login.example", "", "Error validating origin"},
		{"another port of the same host", strings.Replace(base, "localhost:", "localhost:1", 1), "", "Error validating origin"},
		{"another site asking for its own RP ID", "https://padlock-login.example", "padlock-login.example", "Error validating origin"},
		// Not a page's answer (a browser writes its page's origin), but the
		// RP ID is checked on its own too.
		{"Padlock's origin with another site's RP ID", base, "padlock-login.example", "Error validating the authenticator response"},
	}
}

// answer signs the options with key as that page's browser would.
func (p phishing) answer(t *testing.T, options string, key *webauthntest.Key) string {
	t.Helper()
	if p.rpID != "" {
		options = strings.Replace(options, `"rpId":"localhost"`, `"rpId":"`+p.rpID+`"`, 1)
	}
	answer, err := webauthntest.New(p.origin).Get(options, key)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

// storedPasskey reads the user's one passkey.
func storedPasskey(t *testing.T, a *testenv.TestApp, userID int64) *padlock.Passkey {
	t.Helper()
	passkeys, err := a.DB.Conn().Passkeys(t.Context(), userID)
	if err != nil || len(passkeys) != 1 {
		t.Fatalf("passkeys: %v %v", passkeys, err)
	}
	return passkeys[0]
}

// An answer signed by the user's real passkey but made for another origin
// (what a look-alike page relaying Padlock's challenge would get) is
// refused at the second step and for a sign-in with the passkey alone:
// no session starts or advances, the passkey's counter and last use stay,
// nothing is recorded as the passkey used, and the refusal is recorded.
// The same key answering for Padlock's own origin is then accepted.
func TestAPasskeyAnswerForAnotherOriginIsRefusedAndCountsForNothing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		id := userID(t, a, "admin@acme.test")
		key := atPasskeyChallenge(t, c, au)
		before := storedPasskey(t, a, id)

		for _, p := range phishingPages(a.URL) {
			logged := len(a.Log.String())
			// The second step, in a pending sign-in of its own.
			pending := a.NewClient()
			passwordStep(t, pending, "admin@acme.test")
			if status, _ := postPasskey(t, pending, p.answer(t, challengeAnswerOptions(t, pending), key)); status != http.StatusUnprocessableEntity {
				t.Fatalf("%s, at the second step: %d, want 422", p.name, status)
			}
			if status, loc, _ := pending.Get(t, "/settings"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login/mfa") {
				t.Fatalf("%s: the pending sign-in got further: %d %q", p.name, status, loc)
			}
			// A sign-in with the passkey alone.
			alone := a.NewClient()
			status, _, body := postPasskeySignIn(t, alone, "", p.answer(t, beginPasskeySignIn(t, alone, ""), key))
			if status != http.StatusUnauthorized || !strings.Contains(body, "That passkey was not accepted") || alone.CookieValue("padlock_session") != "" {
				t.Fatalf("%s, signing in with the passkey alone: %d, session %q", p.name, status, alone.CookieValue("padlock_session"))
			}
			if n := strings.Count(a.Log.String()[logged:], p.refusal); n != 2 {
				t.Fatalf("%s: the server logged %q %d times for its two refusals:\n%s", p.name, p.refusal, n, a.Log.String()[logged:])
			}
		}
		after := storedPasskey(t, a, id)
		if after.SignCount != before.SignCount || !after.LastUsedAt.Equal(before.LastUsedAt) || after.CloneWarning {
			t.Fatalf("the refused answers moved the passkey: counter %d → %d, last used %v → %v, flagged %v",
				before.SignCount, after.SignCount, before.LastUsedAt, after.LastUsedAt, after.CloneWarning)
		}
		if n := countEvents(t, a, id, padlock.EventPasskeyUsed); n != 0 {
			t.Fatalf("%d passkey-used events after answers for other origins", n)
		}
		n := len(phishingPages(a.URL))
		wrong, _ := a.DB.Conn().Activity(t.Context(), 1, activityOf(id, padlock.EventMFAFailed))
		refused, _ := a.DB.Conn().Activity(t.Context(), 1, activityOf(id, padlock.EventSignInFailed))
		if len(wrong) != n || !strings.Contains(wrong[0].Detail, "passkey refused: not verified") || len(refused) != n || refused[0].Detail != "passkey answer not verified" {
			t.Fatalf("recorded refusals: %d at the second step (%+v), %d sign-ins (%+v), want %d each", len(wrong), wrong, len(refused), refused, n)
		}

		// The same key answering for Padlock itself is accepted.
		if status, _ := postPasskey(t, c, challengeAnswer(t, c, au, key)); status != http.StatusSeeOther {
			t.Fatalf("the real origin at the second step: %d", status)
		}
		if status, loc := passkeySignIn(t, a.NewClient(), au, key, ""); status != http.StatusSeeOther || loc != "/settings" {
			t.Fatalf("the real origin, the passkey alone: %d %q", status, loc)
		}
	})
}

// challengeAnswerOptions reads the WebAuthn options of the pending sign-in's
// challenge page.
func challengeAnswerOptions(t *testing.T, c *testenv.Client) string {
	t.Helper()
	status, _, body := c.Get(t, "/login/mfa")
	if status != http.StatusOK {
		t.Fatalf("challenge page: %d", status)
	}
	return pageOptions(t, body)
}
