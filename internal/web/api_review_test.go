package web_test

import (
	"encoding/base64"
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
