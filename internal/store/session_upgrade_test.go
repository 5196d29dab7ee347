package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// An upgrade keeps every session; only those whose MFA the identity
// provider performed count as having proved a second factor. Enrollments
// in progress start again.
func TestUpgradingKeepsSessionsAndTrustsOnlyWhatTheyProved(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := openAtVersion(t, d, 5)
			now := time.Now().Unix()
			err := db.InTx(ctx, func(tx *store.Queries) error {
				for _, st := range []struct {
					q    string
					args []any
				}{
					{`INSERT INTO accounts (name, session_idle_seconds, session_lifetime_seconds, created_at) VALUES ('Acme', 3600, 86400, $1)`, []any{now}},
					{`INSERT INTO users (account_id, email, role, status, created_at) VALUES (1, 'a@acme.test', 'administrator', 'active', $1)`, []any{now}},
					{`INSERT INTO sessions (token_hash, user_id, account_id, state, credential_version, created_at, last_seen_at, expires_at) VALUES ($1, 1, 1, 'full', 1, $2, $2, $3)`, []any{[]byte{1}, now, now + 3600}},
					{`INSERT INTO sessions (token_hash, user_id, account_id, state, credential_version, created_at, last_seen_at, expires_at) VALUES ($1, 1, 1, 'full', 1, $2, $2, $3)`, []any{[]byte{2}, now, now + 3600}},
					{`INSERT INTO sso_sessions (session_id, account_id, authn_context) SELECT id, 1, 'urn:mfa' FROM sessions WHERE token_hash = $1`, []any{[]byte{2}}},
					{`INSERT INTO mfa_enrollments (user_id, secret, created_at) VALUES (1, $1, $2)`, []any{[]byte{3}, now}},
				} {
					if err := tx.ExecForTest(ctx, st.q, st.args...); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatalf("upgrade: %v", err)
			}
			conn := db.Conn()
			plain, err := conn.SessionByTokenHash(ctx, []byte{1})
			if err != nil || plain.Proved != padlock.ProofNone || plain.FirstStep != padlock.FirstPassword {
				t.Fatalf("password session after the upgrade: %+v, %v", plain, err)
			}
			idp, err := conn.SessionByTokenHash(ctx, []byte{2})
			if err != nil || idp.Proved != padlock.ProofIDP || idp.FirstStep != padlock.FirstSSO {
				t.Fatalf("SSO session after the upgrade: %+v, %v", idp, err)
			}
			if ctxRef, err := conn.SSOSessionContext(ctx, idp.ID); err != nil || ctxRef != "urn:mfa" {
				t.Fatalf("the SSO session lost its context: %q, %v", ctxRef, err)
			}
			// A deleted session's id is never given to a new one.
			err = db.InTx(ctx, func(tx *store.Queries) error {
				if _, err := tx.DeleteSession(ctx, idp.ID); err != nil {
					return err
				}
				s := &padlock.Session{UserID: 1, AccountID: 1, State: padlock.SessionFull, CredentialVersion: 1, CreatedAt: time.Now(), LastSeenAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
				if err := tx.CreateSession(ctx, s, []byte{4}, ""); err != nil {
					return err
				}
				if s.ID <= idp.ID {
					t.Errorf("a new session got id %d after session %d was deleted", s.ID, idp.ID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// openAtVersion opens a new, empty database of the dialect with the
// migrations up to version applied, as a release of that day left it, for
// tests of what an upgrade does to the data already there.
func openAtVersion(t *testing.T, d store.Dialect, version int) *store.DB {
	t.Helper()
	ctx := context.Background()
	dir := ""
	if d == store.SQLite {
		dir = t.TempDir()
	}
	db, err := store.Open(ctx, testenv.DatabaseURL(t, d), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.MigrateToForTest(ctx, version); err != nil {
		t.Fatal(err)
	}
	return db
}
