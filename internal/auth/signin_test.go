package auth_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestSignInRefusalsAllGiveTheSameAnswer(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		addUser(t, svc, admin, "gone@acme.test", padlock.RoleEditor)
		gone := testenv.Credentials(t, db, "gone@acme.test").User
		if err := administer(svc).Deactivate(ctx, auth.Actor{User: admin}, gone.ID); err != nil {
			t.Fatal(err)
		}
		invite(t, svc, admin, "invited@acme.test", padlock.RoleEditor)
		addUser(t, svc, admin, "locked@acme.test", padlock.RoleEditor)
		for i := 0; i < svc.Config.LockoutThreshold; i++ {
			svc.SignIn(ctx, "locked@acme.test", "wrong password", "test")
		}

		tests := []struct{ name, email, password string }{
			{"an unknown email is refused", "nobody@acme.test", strongPassword},
			{"a malformed email is refused", "not an email", strongPassword},
			{"a wrong password is refused", "admin@acme.test", strongPassword + "x"},
			{"an empty password is refused", "admin@acme.test", ""},
			{"a deactivated user with the right password is refused", "gone@acme.test", strongPassword},
			{"an invited user without a password is refused", "invited@acme.test", ""},
			{"an invited user with some password is refused", "invited@acme.test", strongPassword},
			{"a locked user with the right password is refused", "locked@acme.test", strongPassword},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := svc.SignIn(ctx, tt.email, tt.password, "test")
				if err != auth.ErrBadCredentials || got != nil {
					t.Errorf("SignIn = %v, %v; want exactly ErrBadCredentials", got, err)
				}
			})
		}
		t.Run("the right password signs in, with any case and spacing of the email", func(t *testing.T) {
			got, err := svc.SignIn(ctx, "  Admin@ACME.test ", strongPassword, "test")
			if err != nil || got.User.ID != admin.ID || len(got.Token) != 43 {
				t.Fatalf("SignIn = %+v, %v", got, err)
			}
		})
	})
}

// An unknown email costs a dummy hash, so its refusal takes about as long as
// a wrong password's. The bound is loose on purpose.
// The two answers take the same work: one hash at production cost and one
// committed audit event. Wall-clock time is compared with the samples of the
// two kinds interleaved, so load from elsewhere slows both alike, and the
// databases one after the other rather than in parallel.
func TestSignInTakesAsLongForAnUnknownEmailAsForAWrongPassword(t *testing.T) {
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			db := testenv.OpenDB(t, d)
			ctx := context.Background()
			cfg := auth.DefaultConfig()
			cfg.LockoutThreshold = 1000
			svc, _ := newServiceWith(t, db, auth.DefaultHashParams, cfg)
			setupAccount(t, svc, "Acme IT", "admin@acme.test")
			timed := func(email string) time.Duration {
				start := time.Now()
				if _, err := svc.SignIn(ctx, email, "wrong password", "test"); err != auth.ErrBadCredentials {
					t.Fatalf("SignIn %s: %v", email, err)
				}
				return time.Since(start)
			}
			svc.SignIn(ctx, "nobody@acme.test", "", "test") // the dummy hash is made once, here
			var unknown, wrong []time.Duration
			for range 11 {
				unknown = append(unknown, timed("nobody@acme.test"))
				wrong = append(wrong, timed("admin@acme.test"))
			}
			mu, mw := median(unknown), median(wrong)
			t.Logf("median: unknown email %v, wrong password %v", mu, mw)
			if mu > 2*mw || mw > 2*mu {
				t.Errorf("median unknown email %v and wrong password %v differ by more than a factor of 2", mu, mw)
			}
		})
	}
}

func median(d []time.Duration) time.Duration {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2]
}

func TestSignInRemakesAStaleHashWithCurrentParameters(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		old, _ := newServiceWith(t, db, oldParams, auth.DefaultConfig())
		admin := setupAccount(t, old, "Acme IT", "admin@acme.test")
		svc, _ := newServiceWith(t, db, auth.DefaultHashParams, auth.DefaultConfig()) // production cost, as it runs
		stored := func() string {
			h, err := db.Conn().PasswordHash(ctx, admin.ID)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		before := stored()
		if !strings.Contains(before, "$m=8192,t=1,p=1$") {
			t.Fatalf("setup hash %q was not made with the old parameters", before)
		}

		t.Run("a wrong password leaves the stale hash alone", func(t *testing.T) {
			if _, err := svc.SignIn(ctx, "admin@acme.test", "wrong password", "test"); err != auth.ErrBadCredentials {
				t.Fatalf("SignIn: %v", err)
			}
			if got := stored(); got != before {
				t.Errorf("hash changed to %q", got)
			}
		})
		t.Run("the right password replaces the stale hash with one of current parameters", func(t *testing.T) {
			signIn(t, svc, "admin@acme.test")
			after := stored()
			if !strings.Contains(after, "$m=19456,t=2,p=1$") {
				t.Errorf("hash after sign-in %q, want current parameters", after)
			}
			ok, stale, err := svc.Hasher.Verify(ctx, after, strongPassword)
			if !ok || stale || err != nil {
				t.Errorf("new hash: Verify = %v, %v, %v", ok, stale, err)
			}
		})
		t.Run("the re-hash does not end the user's sessions", func(t *testing.T) {
			s := signIn(t, svc, "admin@acme.test")
			if _, err := svc.Authenticate(ctx, s.Token); err != nil {
				t.Errorf("Authenticate: %v", err)
			}
			if c := testenv.Credentials(t, db, "admin@acme.test"); c.User.CredentialVersion != admin.CredentialVersion {
				t.Errorf("credential version %d, want %d", c.User.CredentialVersion, admin.CredentialVersion)
			}
		})
	})
}
