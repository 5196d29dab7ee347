package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// wantNoSession fails unless the token no longer authenticates and its row
// is gone.
func wantNoSession(t *testing.T, svc *auth.Service, token string) {
	t.Helper()
	if c, err := svc.Authenticate(context.Background(), token); err != auth.ErrNoSession {
		t.Errorf("Authenticate = %v, %v; want ErrNoSession", c, err)
	}
	if sessionExists(t, svc.DB, token) {
		t.Error("the session row is still stored")
	}
}

func wantSession(t *testing.T, svc *auth.Service, token string) *auth.Current {
	t.Helper()
	c, err := svc.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	return c
}

func TestAuthenticateRejectsTokensThatNameNoSession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc, _ := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		s := signIn(t, svc, "admin@acme.test")
		unknown, _ := auth.NewToken()
		tests := []struct{ name, token string }{
			{"an empty token is rejected", ""},
			{"an unknown token is rejected", unknown},
			{"the stored hash of a token is not a token", string(auth.HashToken(s.Token))},
			{"a token with its last character changed is rejected", s.Token[:42] + otherChar(s.Token[42])},
			{"a token with a character added is rejected", s.Token + "A"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if c, err := svc.Authenticate(context.Background(), tt.token); err != auth.ErrNoSession {
					t.Errorf("Authenticate = %v, %v; want ErrNoSession", c, err)
				}
			})
		}
		t.Run("the real token is accepted", func(t *testing.T) {
			if c := wantSession(t, svc, s.Token); c.User.Email != "admin@acme.test" || c.Session.ID != s.Session.ID {
				t.Errorf("Authenticate = %+v", c)
			}
		})
	})
}

func TestASessionEndsAfterTheAccountsIdleTimeout(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc, clock := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		s := signIn(t, svc, "admin@acme.test")
		idle := wantSession(t, svc, s.Token).Account.SessionIdle
		if idle != 5*time.Hour {
			t.Errorf("idle timeout %v, want the default 5h", idle)
		}
		clock.Advance(idle - time.Minute)
		wantSession(t, svc, s.Token) // activity moves the idle deadline
		clock.Advance(idle - time.Second)
		wantSession(t, svc, s.Token)
		clock.Advance(idle)
		wantNoSession(t, svc, s.Token)
	})
}

func TestASessionEndsAtItsAbsoluteLifetimeHoweverActive(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc, clock := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		s := signIn(t, svc, "admin@acme.test")
		for h := 1; h < 24; h++ {
			clock.Advance(time.Hour)
			wantSession(t, svc, s.Token)
		}
		clock.Advance(time.Hour)
		wantNoSession(t, svc, s.Token)
	})
}

func TestSessionsEnd(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		editor := addUser(t, svc, admin, "editor@acme.test", padlock.RoleEditor)

		t.Run("signing out ends that session only", func(t *testing.T) {
			a, b := signIn(t, svc, "editor@acme.test"), signIn(t, svc, "editor@acme.test")
			if err := svc.SignOut(ctx, wantSession(t, svc, a.Token), "test"); err != nil {
				t.Fatal(err)
			}
			wantNoSession(t, svc, a.Token)
			wantSession(t, svc, b.Token)
		})

		t.Run("deactivating a user ends all their sessions", func(t *testing.T) {
			a, b := signIn(t, svc, "editor@acme.test"), signIn(t, svc, "editor@acme.test")
			mine := signIn(t, svc, "admin@acme.test")
			if err := administer(svc).Deactivate(ctx, auth.Actor{User: admin}, editor.ID); err != nil {
				t.Fatal(err)
			}
			wantNoSession(t, svc, a.Token)
			wantNoSession(t, svc, b.Token)
			wantSession(t, svc, mine.Token)
			if err := administer(svc).Reactivate(ctx, auth.Actor{User: admin}, editor.ID); err != nil {
				t.Fatal(err)
			}
			wantNoSession(t, svc, a.Token) // reactivation brings no session back
		})

		t.Run("changing the password keeps the current session and ends the others", func(t *testing.T) {
			here, there := signIn(t, svc, "editor@acme.test"), signIn(t, svc, "editor@acme.test")
			c := wantSession(t, svc, here.Token)
			const next = "velvet tractor ginger lagoon"
			if err := svc.ChangePassword(ctx, c, "wrong password", next, "test"); padlock.ErrorCode(err) != padlock.EINVALID {
				t.Fatalf("ChangePassword with a wrong current password: %v", err)
			}
			wantSession(t, svc, there.Token)
			if err := svc.ChangePassword(ctx, c, strongPassword, next, "test"); err != nil {
				t.Fatalf("ChangePassword: %v", err)
			}
			wantSession(t, svc, here.Token)
			wantNoSession(t, svc, there.Token)
			if _, err := svc.SignIn(ctx, "editor@acme.test", strongPassword, "test"); err != auth.ErrBadCredentials {
				t.Errorf("sign-in with the old password: %v", err)
			}
			if _, err := svc.SignIn(ctx, "editor@acme.test", next, "test"); err != nil {
				t.Errorf("sign-in with the new password: %v", err)
			}
		})

		t.Run("resetting the password ends every session and starts none", func(t *testing.T) {
			a := signIn(t, svc, "admin@acme.test")
			b := signIn(t, svc, "admin@acme.test")
			if err := svc.RequestPasswordReset(ctx, "admin@acme.test", "test"); err != nil {
				t.Fatal(err)
			}
			token := testenv.MailToken(t, db, "admin@acme.test", "Reset", "/reset/")
			if err := svc.ResetPassword(ctx, token, "velvet tractor ginger lagoon", "test"); err != nil {
				t.Fatalf("ResetPassword: %v", err)
			}
			wantNoSession(t, svc, a.Token)
			wantNoSession(t, svc, b.Token)
			if n := deleteSessions(t, db, admin.ID); n != 0 {
				t.Errorf("%d sessions after the reset, want 0", n)
			}
		})

	})
}

func otherChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// deleteSessions ends every session of the user and tells how many there
// were; the store has no other way to count them.
func deleteSessions(t *testing.T, db *store.DB, userID int64) int64 {
	t.Helper()
	n, err := db.Conn().DeleteUserSessions(context.Background(), userID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A sign-in that checked the old password while a reset was committing must
// not leave a session behind: sessions may not survive a password change.
func TestASignInRacingAPasswordResetLeavesNoSession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		newHash, err := svc.Hasher.Hash(ctx, "velvet tractor ginger lagoon")
		if err != nil {
			t.Fatal(err)
		}
		// Only one hash at a time; hold it so the sign-in stops after reading
		// the old credentials, before it checks them.
		svc.Hasher = auth.NewHasher(testenv.CheapHashParams, 1, 1)
		release, err := svc.Hasher.HoldSlot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			s   *auth.SignedIn
			err error
		}
		done := make(chan result, 1)
		go func() {
			s, err := svc.SignIn(ctx, "admin@acme.test", strongPassword, "attacker")
			done <- result{s, err}
		}()
		waitInUse(t, svc.Hasher, 1, 1)
		// What ResetPassword does once the new hash is made.
		err = db.InTx(ctx, func(tx *store.Queries) error {
			if err := tx.SetPassword(ctx, admin.ID, newHash, true); err != nil {
				return err
			}
			_, err := tx.DeleteUserSessions(ctx, admin.ID, 0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		release()
		r := <-done
		if r.err != nil {
			return // refused: no session
		}
		if c, err := svc.Authenticate(ctx, r.s.Token); err == nil {
			t.Errorf("a session made with the old password outlived the reset (credential version %d, user's now %d)",
				c.Session.CredentialVersion, c.User.CredentialVersion)
		}
	})
}
