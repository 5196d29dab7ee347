package web

import (
	"net/http"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Every error code answers with its own status, and an answer made from a
// status alone carries a code that answers with that status again.
func TestEachErrorCodeHasItsStatusBothWays(t *testing.T) {
	want := map[string]int{
		padlock.EINVALID: 422, padlock.ENOTFOUND: 404, padlock.ECONFLICT: 409, padlock.EUNAUTHORIZED: 401,
		padlock.EFORBIDDEN: 403, padlock.EUNAVAILABLE: 503, padlock.EINTERNAL: 500, padlock.EBADREQUEST: 400,
		padlock.ERATELIMITED: 429, padlock.EREADONLYKEY: 403, padlock.EKEYNOMFA: 403, padlock.EKEYSUSPENDED: 403,
		padlock.EMETHOD: 405,
	}
	for code, status := range want {
		if got := statusOf(code); got != status {
			t.Errorf("statusOf(%q) = %d, want %d", code, got, status)
		}
		if got := statusOf(codeOfStatus(status)); got != status {
			t.Errorf("codeOfStatus(%d) = %q, which answers %d", status, codeOfStatus(status), got)
		}
	}
	if got := codeOfStatus(http.StatusRequestEntityTooLarge); got != padlock.EBADREQUEST {
		t.Errorf("a body too large has code %q, want %q", got, padlock.EBADREQUEST)
	}
}
