package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestACodeForAFactorThisNodeCannotDecryptAnswers503AndCountsNothing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		ctx := context.Background()
		a, c, e := signedOutWithMFA(t, d)
		id := userID(t, a, "admin@acme.test")
		// The factor as a node with another secret key would have sealed it.
		other, err := mfa.NewSealer([]byte("another server key of 32 bytes!!"))
		if err != nil {
			t.Fatal(err)
		}
		if err := a.DB.Conn().ActivateTOTP(ctx, id, other.Seal(id, "totp", e.secret), 0, a.Clock.Now()); err != nil {
			t.Fatal(err)
		}

		passwordStep(t, c, "admin@acme.test")
		form := url.Values{"code": {e.code(a, 0)}}
		req, _ := http.NewRequest("POST", c.Base+"/login/mfa", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.Base)
		resp, err := c.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("answer %d with Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if !strings.Contains(string(body), "cannot be checked right now") || strings.Contains(string(body), "not correct") {
			t.Errorf("the page does not say codes cannot be checked right now:\n%s", body)
		}

		creds, err := a.DB.Conn().CredentialsByEmail(ctx, "admin@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		if creds.FailedAttempts != 0 {
			t.Errorf("the user has %d failed attempts, want none counted", creds.FailedAttempts)
		}
		if status, _, _ := c.Get(t, "/login/mfa"); status != http.StatusOK {
			t.Errorf("the pending sign-in is gone (%d); an unreadable secret must not use it up", status)
		}
		if !strings.Contains(a.Log.String(), "does not decrypt") {
			t.Error("the node did not log the secret it could not decrypt")
		}
	})
}
