package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestAFactorSealedUnderAnotherKeyMakesTheChallengeUnavailableAndCountsNothing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		right, clock, secret := mfaUser(t, db)
		clock.Advance(30 * time.Second) // past the step that confirmed the factor
		wrong, log := serviceWithKey(t, db, anotherKey, clock)
		const email = "bench@acme.test"
		before := testenv.Credentials(t, db, email).FailedAttempts
		eventsBefore, err := db.Conn().Events(ctx, testenv.Credentials(t, db, email).User.AccountID, 100)
		if err != nil {
			t.Fatal(err)
		}

		pending, err := wrong.SignIn(ctx, email, strongPassword, "test")
		if err != nil {
			t.Fatal(err)
		}
		c := wantSession(t, wrong, pending.Token)
		code := mfa.Code(secret, mfa.Step(clock.Now()), mfa.Digits)
		_, err = wrong.CompleteMFA(ctx, c, code, "test")
		wantCode(t, err, padlock.EUNAVAILABLE)
		if errors.Is(err, auth.ErrWrongCode) {
			t.Fatal("a secret that does not decrypt was answered as a wrong code")
		}

		if got := testenv.Credentials(t, db, email).FailedAttempts; got != before {
			t.Errorf("the user's failed attempts went from %d to %d", before, got)
		}
		if c := wantSession(t, wrong, pending.Token); c.Session.MFAFailures != 0 {
			t.Errorf("the sign-in counted %d wrong codes", c.Session.MFAFailures)
		}
		eventsAfter, err := db.Conn().Events(ctx, c.User.AccountID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(eventsAfter) != len(eventsBefore) {
			t.Errorf("%d events were recorded, want none: %+v", len(eventsAfter)-len(eventsBefore), eventsAfter)
		}
		if !strings.Contains(log.String(), "does not decrypt") {
			t.Errorf("the node did not log the secret it could not read:\n%s", log)
		}

		// The code was not used up: the node with the right key accepts it.
		if _, err := right.CompleteMFA(ctx, wantSession(t, right, pending.Token), code, "test"); err != nil {
			t.Errorf("the right node refused the same code afterwards: %v", err)
		}
	})
}
