package web_test

import (
	"encoding/base32"
	"strconv"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/web"
)

func actor(u *padlock.User) auth.Actor { return auth.Actor{User: u, Address: "test"} }

func userID(t *testing.T, a *testenv.TestApp, email string) int64 {
	t.Helper()
	c, err := a.DB.Conn().CredentialsByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return c.User.ID
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func decodeSecret(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	if err != nil || len(b) != 20 {
		t.Fatalf("secret %q: %v", s, err)
	}
	return b
}

// secretOnPage reads the manual-entry key, shown in groups of four.
func secretOnPage(body string) string {
	return strings.ReplaceAll(between(body, `<code id="secret">`, "<"), " ", "")
}

// accountRoutes is the account surface's part of the route table; the
// portal's routes are walked by portal_test.go.
func accountRoutes(a *testenv.TestApp) []web.RouteInfo {
	var out []web.RouteInfo
	for _, r := range a.Web.RouteTable() {
		if r.Surface == padlock.SurfaceAccount {
			out = append(out, r)
		}
	}
	return out
}
