package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// saveChallenge keeps a passkey sign-in challenge of client, expiring at
// expires, as BeginPasskeySignIn does, under a cap of max; it returns when
// the client may ask again if refused.
func saveChallenge(t *testing.T, db *store.DB, client string, hash byte, expires time.Time, max int, now time.Time) time.Time {
	t.Helper()
	var full time.Time
	err := db.InTx(context.Background(), func(tx *store.Queries) error {
		var err error
		c := store.SignInChallenge{TokenHash: []byte{hash}, Surface: padlock.SurfaceAccount, Client: client, Data: []byte("{}"), Expires: expires}
		full, err = tx.SaveSignInChallenge(context.Background(), c, nil, max, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return full
}

// saveSSORequest keeps an SSO request of the account as StartSignIn does
// (StartTest with max 0), created at now and expiring at expires.
func saveSSORequest(t *testing.T, db *store.DB, accountID int64, client, relay string, max int, now, expires time.Time) time.Time {
	t.Helper()
	var full time.Time
	err := db.InTx(context.Background(), func(tx *store.Queries) error {
		var err error
		r := &store.SSORequest{AccountID: accountID, RelayHash: []byte(relay), BindingHash: []byte("browser"), RequestID: "id-" + relay,
			Purpose: "sign-in", Client: client, CreatedAt: now, ExpiresAt: expires}
		full, err = tx.CreateSSORequest(context.Background(), r, max)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return full
}

// pendingRows counts the passkey challenges, the SSO requests and the
// clients' rows, as "challenges requests clients".
func pendingRows(t *testing.T, db *store.DB) string {
	t.Helper()
	out, err := db.Conn().PlanForTest(context.Background(), `SELECT (SELECT COUNT(*) FROM webauthn_signin_challenges),
		(SELECT COUNT(*) FROM sso_requests), (SELECT COUNT(*) FROM signin_clients)`)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(out), " ")
}

// A client's SSO requests are counted against the cap as its passkey
// challenges are, each way apart: at the cap nothing is stored and the
// answer is when the earliest expires; another client, and the same
// client's passkey challenges, are not held up; an Administrator's
// connection test (max 0) is neither refused nor counted; an expired
// request no longer counts.
func TestAClientHoldsOnlyAFewSSORequestsAndEachWayCountsApart(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		acct, _, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		now := time.Unix(1_800_000_000, 0)
		const office = "203.0.113.7"
		for i := range 3 {
			at := now.Add(time.Duration(i) * time.Minute)
			if full := saveSSORequest(t, db, acct, office, fmt.Sprint("r", i), 3, at, at.Add(10*time.Minute)); !full.IsZero() {
				t.Fatalf("request %d refused under the cap", i+1)
			}
		}
		at := now.Add(3 * time.Minute)
		if full := saveSSORequest(t, db, acct, office, "over", 3, at, at.Add(10*time.Minute)); !full.Equal(now.Add(10 * time.Minute)) {
			t.Fatalf("a request over the cap: may ask again at %v, want when the earliest expires, %v", full, now.Add(10*time.Minute))
		}
		if got := pendingRows(t, db); got != "0 3 1" {
			t.Fatalf("after a refusal: challenges, requests, clients %q, want 0 3 1", got)
		}
		if full := saveSSORequest(t, db, acct, "192.0.2.44", "other", 3, at, at.Add(10*time.Minute)); !full.IsZero() {
			t.Fatal("another client was refused")
		}
		if full := saveChallenge(t, db, office, 1, at.Add(5*time.Minute), 3, at); !full.IsZero() {
			t.Fatal("the office's passkey challenge was refused for its SSO requests")
		}
		if full := saveSSORequest(t, db, acct, office, "test", 0, at, at.Add(10*time.Minute)); !full.IsZero() {
			t.Fatal("a connection test was refused")
		}
		// The test is not counted: still only the earliest's expiry frees a place.
		later := now.Add(10 * time.Minute)
		if full := saveSSORequest(t, db, acct, office, "freed", 3, later, later.Add(10*time.Minute)); !full.IsZero() {
			t.Fatal("refused after the earliest request expired")
		}
		if full := saveSSORequest(t, db, acct, office, "one-more", 3, later, later.Add(10*time.Minute)); full.IsZero() {
			t.Fatal("the freed place taken, one more request was stored")
		}
	})
}

// The sweeper forgets unanswered passkey sign-in challenges and SSO
// requests, and a client's row once all its rows of either way have
// expired, and nothing before.
func TestTheSweeperForgetsPendingSignInsAndTheirClients(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct, _, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		now := time.Unix(1_800_000_000, 0)
		for i, at := range []time.Time{now, now.Add(2 * time.Minute)} {
			if full := saveChallenge(t, db, "203.0.113.7", byte(i), at.Add(5*time.Minute), 10, at); !full.IsZero() {
				t.Fatalf("challenge %d refused", i)
			}
		}
		if full := saveSSORequest(t, db, acct, "203.0.113.7", "a", 10, now, now.Add(10*time.Minute)); !full.IsZero() {
			t.Fatal("the SSO request refused")
		}
		if full := saveSSORequest(t, db, acct, "192.0.2.44", "b", 10, now, now.Add(3*time.Minute)); !full.IsZero() {
			t.Fatal("another client's SSO request refused")
		}
		for _, step := range []struct {
			after time.Duration
			want  string
		}{
			{3*time.Minute - time.Second, "2 2 2"},
			{3 * time.Minute, "2 1 1"},
			{5 * time.Minute, "1 1 1"},
			{7 * time.Minute, "0 1 1"},
			{10 * time.Minute, "0 0 0"},
		} {
			if _, err := db.Conn().DeleteExpiredSessions(ctx, now.Add(step.after)); err != nil {
				t.Fatal(err)
			}
			if got := pendingRows(t, db); got != step.want {
				t.Fatalf("after a sweep at +%v: challenges, requests, clients %q, want %q", step.after, got, step.want)
			}
		}
	})
}
