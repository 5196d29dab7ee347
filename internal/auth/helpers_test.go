package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// strongPassword passes the policy; tests give it to every user.
const strongPassword = testenv.Password

// newService returns a service on db with the production hash parameters, the
// default rules and a settable clock. Mail stays in the outbox; read it with
// takeMail.
func newService(t *testing.T, db *store.DB) (*auth.Service, *testenv.Clock) {
	t.Helper()
	return newServiceWith(t, db, testenv.CheapHashParams, auth.DefaultConfig())
}

func newServiceWith(t *testing.T, db *store.DB, p auth.HashParams, cfg auth.Config) (*auth.Service, *testenv.Clock) {
	t.Helper()
	clock := testenv.NewClock()
	sealer, err := mfa.NewSealer([]byte("a test server key of 32 bytes!!!"))
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(db, auth.NewHasher(p, 4, 64), sealer, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Now)
	return svc, clock
}

// administer returns the admin service beside svc, on its database, rules
// and clock, for tests that invite, deactivate or reactivate users.
func administer(svc *auth.Service) *admin.Service {
	return admin.NewService(svc.DB, admin.ConfigFrom(svc.Config), svc.Now)
}

// setupAccount creates an account and its Administrator as the CLI does.
func setupAccount(t *testing.T, svc *auth.Service, name, email string) *padlock.User {
	t.Helper()
	u, err := svc.SetupFromCLI(context.Background(), auth.SetupInput{AccountName: name, Name: "Admin of " + name, Email: email, Password: strongPassword})
	if err != nil {
		t.Fatalf("set up %s: %v", name, err)
	}
	return u
}

// invite invites email into the admin's account and returns the token of
// the emailed link.
func invite(t *testing.T, svc *auth.Service, admin *padlock.User, email string, role padlock.Role) string {
	t.Helper()
	if _, err := administer(svc).Invite(context.Background(), auth.Actor{User: admin}, 0, []string{email}, role); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	return testenv.MailToken(t, svc.DB, email, "invited", "/invitation/")
}

// addUser invites a user and accepts the invitation with strongPassword.
func addUser(t *testing.T, svc *auth.Service, admin *padlock.User, email string, role padlock.Role) *padlock.User {
	t.Helper()
	token := invite(t, svc, admin, email, role)
	u, err := svc.AcceptInvitation(context.Background(), token, "User "+email, strongPassword, "test")
	if err != nil {
		t.Fatalf("accept invitation of %s: %v", email, err)
	}
	u.Status = padlock.StatusActive
	return u
}

// signIn signs in with strongPassword or fails the test.
func signIn(t *testing.T, svc *auth.Service, email string) *auth.SignedIn {
	t.Helper()
	s, err := svc.SignIn(context.Background(), email, strongPassword, "test")
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	return s
}

// sessionExists tells whether a session row is stored under the token.
func sessionExists(t *testing.T, db *store.DB, token string) bool {
	t.Helper()
	_, err := db.Conn().SessionByTokenHash(context.Background(), auth.HashToken(token))
	if errors.Is(err, padlock.ErrNotFound) {
		return false
	}
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	return true
}

// wantCode fails the test unless err carries the error code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := padlock.ErrorCode(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}
