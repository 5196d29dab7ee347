package admin_test

import (
	"context"
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

// services is the admin service under test with the sign-in service beside
// it, on one database and one clock: tests set accounts up and sign users
// in through auth, and administer them through admin.
type services struct {
	*admin.Service
	auth *auth.Service
}

// newService returns both services on db with cheap hashes, the default
// rules and a settable clock. Mail stays in the outbox; read it with
// takeMail.
func newService(t *testing.T, db *store.DB) (*services, *testenv.Clock) {
	t.Helper()
	clock := testenv.NewClock()
	sealer, err := mfa.NewSealer([]byte("a test server key of 32 bytes!!!"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := auth.DefaultConfig()
	a := auth.NewService(db, auth.NewHasher(testenv.CheapHashParams, 4, 64), sealer, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Now)
	ad := admin.NewService(db, admin.ConfigFrom(cfg), clock.Now)
	return &services{Service: ad, auth: a}, clock
}

// setupAccount creates an account and its Administrator as the CLI does.
func setupAccount(t *testing.T, svc *services, name, email string) *padlock.User {
	t.Helper()
	u, err := svc.auth.SetupFromCLI(context.Background(), auth.SetupInput{AccountName: name, Name: "Admin of " + name, Email: email, Password: strongPassword})
	if err != nil {
		t.Fatalf("set up %s: %v", name, err)
	}
	return u
}

// invite invites email into the admin's account and returns the token of
// the emailed link.
func invite(t *testing.T, svc *services, admin *padlock.User, email string, role padlock.Role) string {
	t.Helper()
	if _, err := svc.Invite(context.Background(), auth.Actor{User: admin}, 0, []string{email}, role); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	return testenv.MailToken(t, svc.DB, email, "invited", "/invitation/")
}

// addUser invites a user and accepts the invitation with strongPassword.
func addUser(t *testing.T, svc *services, admin *padlock.User, email string, role padlock.Role) *padlock.User {
	t.Helper()
	token := invite(t, svc, admin, email, role)
	u, err := svc.auth.AcceptInvitation(context.Background(), token, "User "+email, strongPassword, "test")
	if err != nil {
		t.Fatalf("accept invitation of %s: %v", email, err)
	}
	u.Status = padlock.StatusActive
	return u
}

// signIn signs in with strongPassword or fails the test.
func signIn(t *testing.T, svc *services, email string) *auth.SignedIn {
	t.Helper()
	s, err := svc.auth.SignIn(context.Background(), email, strongPassword, "test")
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	return s
}
