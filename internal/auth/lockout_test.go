package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// failSignIns makes n wrong-password attempts one after another.
func failSignIns(t *testing.T, svc *auth.Service, email string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := svc.SignIn(context.Background(), email, "wrong password", "test"); err != auth.ErrBadCredentials {
			t.Fatalf("attempt %d: %v, want ErrBadCredentials", i+1, err)
		}
	}
}

// A real node delivers the unlock email over SMTP, exactly once.
func TestTenFailuresLockTheUserAndSendOneUnlockEmail(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		ctx := context.Background()
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		user := "admin@acme.test"

		failSignIns(t, a.Auth, user, 9)
		signIn(t, a.Auth, user) // a success resets the count
		if n := testenv.Credentials(t, a.DB, user).FailedAttempts; n != 0 {
			t.Fatalf("after a success failed_attempts = %d, want 0", n)
		}
		failSignIns(t, a.Auth, user, 9)
		if c := testenv.Credentials(t, a.DB, user); c.FailedAttempts != 9 || c.LockedUntil.After(a.Clock.Now()) {
			t.Fatalf("after 9 more failures: failed_attempts %d, locked until %v; want 9 and no lock", c.FailedAttempts, c.LockedUntil)
		}
		failSignIns(t, a.Auth, user, 1)
		if _, err := a.Auth.SignIn(ctx, user, strongPassword, "test"); err != auth.ErrBadCredentials {
			t.Fatalf("right password while locked: %v, want ErrBadCredentials", err)
		}
		failSignIns(t, a.Auth, user, 3) // attempts while locked send nothing more
		a.DeliverMail(t)                // every mail those attempts queued
		msg := a.SMTP.WaitFor(t, user, "locked")
		if !strings.Contains(msg.Body, "/unlock/") {
			t.Errorf("the unlock email has no link:\n%s", msg.Body)
		}
		if n := countMail(a.SMTP, user, "locked"); n != 1 {
			t.Errorf("%d unlock emails, want 1", n)
		}

		a.Clock.Advance(15*time.Minute - time.Second)
		if _, err := a.Auth.SignIn(ctx, user, strongPassword, "test"); err != auth.ErrBadCredentials {
			t.Errorf("right password a second before the lock ends: %v, want ErrBadCredentials", err)
		}
		a.Clock.Advance(2 * time.Second)
		signIn(t, a.Auth, user)
		if c := testenv.Credentials(t, a.DB, user); c.FailedAttempts != 0 || !c.LockedUntil.Equal(time.Unix(0, 0)) {
			t.Errorf("after sign-in: failed_attempts %d, locked until %v", c.FailedAttempts, c.LockedUntil)
		}
	})
}

func countMail(s *testenv.SMTPServer, to, subject string) int {
	n := 0
	for _, m := range s.Messages() {
		for _, r := range m.To {
			if r == to && strings.Contains(m.Subject, subject) {
				n++
			}
		}
	}
	return n
}

func TestAParallelBurstOfWrongPasswordsIsCountedAttemptByAttempt(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		start := make(chan struct{})
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := svc.SignIn(ctx, "admin@acme.test", "wrong password", "test")
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != auth.ErrBadCredentials {
				t.Errorf("an attempt of the burst: %v, want ErrBadCredentials", err)
			}
		}
		c := testenv.Credentials(t, db, "admin@acme.test")
		if c.FailedAttempts != 10 {
			t.Errorf("failed_attempts = %d, want 10", c.FailedAttempts)
		}
		if !c.LockedUntil.After(svc.Now()) {
			t.Errorf("locked until %v, want a lock", c.LockedUntil)
		}
		if _, err := svc.SignIn(ctx, "admin@acme.test", strongPassword, "test"); err != auth.ErrBadCredentials {
			t.Errorf("right password after the burst: %v, want ErrBadCredentials", err)
		}
		if n := len(testenv.MailsTo(testenv.TakeMail(t, db), "admin@acme.test", "locked")); n != 1 {
			t.Errorf("%d unlock emails queued, want 1", n)
		}
	})
}

func TestTheUnlockLinkClearsTheLockOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		failSignIns(t, svc, "admin@acme.test", 10)
		token := testenv.MailToken(t, db, "admin@acme.test", "locked", "/unlock/")

		if err := svc.Unlock(ctx, token, "test"); err != nil {
			t.Fatalf("Unlock: %v", err)
		}
		if c := testenv.Credentials(t, db, "admin@acme.test"); c.FailedAttempts != 0 || c.LockedUntil.After(svc.Now()) {
			t.Errorf("after unlock: failed_attempts %d, locked until %v", c.FailedAttempts, c.LockedUntil)
		}
		tests := []struct{ name, token string }{
			{"a used unlock link is refused", token},
			{"an unknown unlock link is refused", "x" + token[1:]},
			{"an empty unlock link is refused", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := svc.Unlock(ctx, tt.token, "test"); err != auth.ErrLinkInvalid {
					t.Errorf("Unlock: %v, want ErrLinkInvalid", err)
				}
			})
		}
		signIn(t, svc, "admin@acme.test")
	})
}

func TestAnUnlockLinkExpires(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc, clock := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		failSignIns(t, svc, "admin@acme.test", 10)
		token := testenv.MailToken(t, db, "admin@acme.test", "locked", "/unlock/")
		clock.Advance(svc.Config.UnlockTTL)
		if err := svc.Unlock(context.Background(), token, "test"); err != auth.ErrLinkInvalid {
			t.Errorf("Unlock after %v: %v, want ErrLinkInvalid", svc.Config.UnlockTTL, err)
		}
	})
}

// Failures after a lock has run out start a new count rather than locking
// again at once.
func TestAnExpiredLockStartsTheCountAfresh(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		svc, clock := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		failSignIns(t, svc, "admin@acme.test", 10)
		testenv.TakeMail(t, db)
		clock.Advance(svc.Config.LockoutDuration + time.Second)
		failSignIns(t, svc, "admin@acme.test", 1)
		if c := testenv.Credentials(t, db, "admin@acme.test"); c.FailedAttempts != 1 || c.LockedUntil.After(clock.Now()) {
			t.Errorf("failed_attempts %d, locked until %v; want 1 and no lock", c.FailedAttempts, c.LockedUntil)
		}
		signIn(t, svc, "admin@acme.test")
		if n := len(testenv.TakeMail(t, db)); n != 0 {
			t.Errorf("%d emails after the lock ran out, want none", n)
		}
	})
}
