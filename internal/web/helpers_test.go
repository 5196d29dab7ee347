package web_test

import (
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
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
