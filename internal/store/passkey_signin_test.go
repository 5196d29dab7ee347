package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The sweeper forgets unanswered passkey sign-in challenges and the rows of
// the clients that asked for them once all have expired, and nothing before.
func TestTheSweeperForgetsPasskeySignInChallengesAndTheirClients(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Unix(1_800_000_000, 0)
		for i, at := range []time.Time{now, now.Add(2 * time.Minute)} {
			c := store.SignInChallenge{TokenHash: []byte{byte(i)}, Surface: padlock.SurfaceAccount, Client: "203.0.113.7", Data: []byte("{}"), Expires: at.Add(5 * time.Minute)}
			err := db.InTx(ctx, func(tx *store.Queries) error {
				full, err := tx.SaveSignInChallenge(ctx, c, nil, 10, at)
				if err == nil && !full.IsZero() {
					t.Errorf("challenge %d refused", i)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		rows := func() string {
			out, err := db.Conn().PlanForTest(ctx, `SELECT (SELECT COUNT(*) FROM webauthn_signin_challenges), (SELECT COUNT(*) FROM passkey_signin_clients)`)
			if err != nil {
				t.Fatal(err)
			}
			return strings.TrimSpace(out)
		}
		for _, step := range []struct {
			at   time.Time
			want string
		}{{now.Add(5*time.Minute - time.Second), "2 1"}, {now.Add(5 * time.Minute), "1 1"}, {now.Add(7 * time.Minute), "0 0"}} {
			if _, err := db.Conn().DeleteExpiredSessions(ctx, step.at); err != nil {
				t.Fatal(err)
			}
			if got := rows(); got != step.want {
				t.Fatalf("after a sweep at +%v: challenges and clients %q, want %q", step.at.Sub(now), got, step.want)
			}
		}
	})
}
