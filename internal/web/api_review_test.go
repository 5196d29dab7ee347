package web_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A cursor is the client's to send: one that Padlock never gave, holding a
// NUL character (which PostgreSQL text cannot hold), is refused as a bad
// cursor rather than reaching the database as a 500.
func TestACursorWithANULCharacterIsRefusedWithoutA500(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		cursor := func(json string) string {
			return url.QueryEscape(base64.RawURLEncoding.EncodeToString([]byte(json)))
		}
		for _, path := range []string{
			"/api/v1/users?cursor=" + cursor(`{"e":"a\u0000b","i":1}`),
			"/api/v1/organizations?cursor=" + cursor(`{"n":"a\u0000b"}`),
		} {
			ans := x.call(t, x.readOnly, "GET", path, "")
			if ans.status != 422 || ans.errorCode(t) != padlock.EINVALID {
				t.Errorf("GET %s: %d %s, want 422 %s", path, ans.status, ans.body, padlock.EINVALID)
			}
		}
	})
}

// While phishing-resistant MFA only is required, a user's last passkey is
// the factor that meets the requirement: removing it is refused as removing
// the last factor is while MFA is required, even with an app left. (Were it
// allowed, the app alone would again lead to adding a passkey after the
// password, the way a user with a passkey is never offered.)
func TestTheLastPasskeyCannotBeRemovedWhilePhishingResistantMFAIsRequired(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, au := passkeyNode(t, d)
		id := userID(t, a, "admin@acme.test")
		enableAppAt(t, a, c, "")
		addPasskey(t, c, au, "One")
		if status, body := requireStrict(t, c, padlock.MFALevelPhishingResistant, "0"); status != http.StatusSeeOther {
			t.Fatalf("require phishing-resistant MFA: %d\n%.800s", status, body)
		}
		passkeys, _ := a.DB.Conn().Passkeys(t.Context(), id)
		if len(passkeys) != 1 {
			t.Fatalf("%d passkeys", len(passkeys))
		}
		pk := itoa(passkeys[0].ID)
		if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/"+pk+"/remove", url.Values{"password": {testenv.Password}}); status != http.StatusForbidden {
			t.Fatalf("removing the last passkey while one is required: %d, want 403", status)
		}
		if n, _ := a.DB.Conn().CountPasskeys(t.Context(), id); n != 1 {
			t.Fatalf("%d passkeys left", n)
		}
		// At the level "any MFA" the app is enough, and the passkey may go.
		if status, body := requireStrict(t, c, padlock.MFALevelAny, "0"); status != http.StatusSeeOther {
			t.Fatalf("accept any MFA: %d\n%.800s", status, body)
		}
		if status, _, _ := c.PostForm(t, "/settings/mfa/passkeys/"+pk+"/remove", url.Values{"password": {testenv.Password}}); status != http.StatusSeeOther {
			t.Fatalf("removing a passkey beside an app at the level any MFA: %d", status)
		}
	})
}
