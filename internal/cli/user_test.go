package cli_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestUserUnlockClearsALock(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		ctx := context.Background()
		env := dbEnv(t, d)
		a := testenv.StartApp(t, d, testenv.Options{DatabaseURL: env["PADLOCK_DATABASE_URL"], DataDir: env["PADLOCK_DATA_DIR"]})
		ada := a.CreateAccount(t, "Acme IT", "ada@example.com")

		for i := 0; i < a.Auth.Config.LockoutThreshold; i++ {
			if _, err := a.Auth.SignIn(ctx, "ada@example.com", "wrong password "+string(rune('a'+i)), "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
				t.Fatalf("wrong password %d: %v", i+1, err)
			}
		}
		if _, err := a.Auth.SignIn(ctx, "ada@example.com", testenv.Password, "192.0.2.1"); !errors.Is(err, auth.ErrBadCredentials) {
			t.Fatalf("the right password was accepted while locked: %v", err)
		}

		r := mustRun(t, env, "user", "unlock", "--email", "ADA@example.com")
		if !strings.Contains(r.stdout, "unlocked ada@example.com") {
			t.Errorf("stdout does not confirm the unlock:\n%s", r.stdout)
		}
		events, err := a.DB.Conn().Events(ctx, ada.AccountID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var lockouts, unlocks int
		for _, e := range events {
			switch {
			case e.Kind == padlock.EventLockout:
				lockouts++
			case e.Kind == padlock.EventUnlock && e.Address == "command line" && e.TargetID == ada.ID:
				unlocks++
			}
		}
		if lockouts != 1 || unlocks != 1 {
			t.Errorf("audit log has %d lockout(s) and %d command-line unlock(s), want 1 and 1", lockouts, unlocks)
		}
		if _, err := a.Auth.SignIn(ctx, "ada@example.com", testenv.Password, "192.0.2.1"); err != nil {
			t.Fatalf("sign-in after unlock: %v", err)
		}
	})
}

func TestUserUnlockRefusesAnUnknownEmail(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		env := dbEnv(t, d)
		r := run(t, env, "", "user", "unlock", "--email", "nobody@example.com")
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
		if !strings.Contains(r.stderr, "No user has the email nobody@example.com") {
			t.Errorf("the message does not name the email:\n%s", r.stderr)
		}
	})
}
