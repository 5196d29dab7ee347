package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

const sessionFields = `id, user_id, account_id, state, first_step, second_factor, credential_version, mfa_failures, created_at, last_seen_at, expires_at`

func scanSession(row interface{ Scan(...any) error }) (*padlock.Session, error) {
	var (
		s                   padlock.Session
		state, first, proof string
		created, seen, ex   int64
	)
	err := row.Scan(&s.ID, &s.UserID, &s.AccountID, &state, &first, &proof, &s.CredentialVersion, &s.MFAFailures, &created, &seen, &ex)
	if err != nil {
		return nil, notFound(err)
	}
	s.State, s.FirstStep, s.Proved = padlock.SessionState(state), padlock.FirstStep(first), padlock.Proof(proof)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = time.Unix(created, 0), time.Unix(seen, 0), time.Unix(ex, 0)
	return &s, nil
}

// CreateSession stores a session under the hash of its token.
func (q *Queries) CreateSession(ctx context.Context, s *padlock.Session, tokenHash []byte, address string) error {
	return q.sql.QueryRowContext(ctx, `INSERT INTO sessions
		(token_hash, user_id, account_id, state, first_step, second_factor, credential_version, address, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		tokenHash, s.UserID, s.AccountID, string(s.State), string(s.FirstStep), string(s.Proved), s.CredentialVersion, address,
		s.CreatedAt.Unix(), s.LastSeenAt.Unix(), s.ExpiresAt.Unix()).Scan(&s.ID)
}

// SessionByTokenHash returns the session stored under the hash.
func (q *Queries) SessionByTokenHash(ctx context.Context, tokenHash []byte) (*padlock.Session, error) {
	return scanSession(q.sql.QueryRowContext(ctx, `SELECT `+sessionFields+` FROM sessions WHERE token_hash = $1`, tokenHash))
}

// LockSession reads a session and holds its row until the transaction
// ends. Callers lock the session's user first (LockUser): every path takes
// the two in that order.
func (q *Queries) LockSession(ctx context.Context, id int64) (*padlock.Session, error) {
	return scanSession(q.sql.QueryRowContext(ctx, `UPDATE sessions SET mfa_failures = mfa_failures WHERE id = $1 RETURNING `+sessionFields, id))
}

// TouchSession records activity on a session for the idle timeout.
func (q *Queries) TouchSession(ctx context.Context, id int64, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, id, at.Unix())
	return err
}

// DeleteSession ends one session and tells whether it still existed.
func (q *Queries) DeleteSession(ctx context.Context, id int64) (bool, error) {
	n, err := q.exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return n == 1, err
}

// DeleteUserSessions ends every session of a user except keepID (0 keeps
// none) and returns how many ended.
func (q *Queries) DeleteUserSessions(ctx context.Context, userID, keepID int64) (int64, error) {
	return q.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepID)
}

// DeleteUnprovenSessions ends every session of a user, except keepID, that
// has not proved a second factor itself: pending sign-ins, enrollment
// holds and password-only sessions.
func (q *Queries) DeleteUnprovenSessions(ctx context.Context, userID, keepID int64) (int64, error) {
	return q.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2 AND second_factor = ''`, userID, keepID)
}

// DeleteExpiredSessions removes sessions past their absolute lifetime, the
// forms held for sessions that outlived them, and the passkey sign-in
// challenges and SSO requests no one answered, with their clients.
func (q *Queries) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	if _, err := q.DeleteExpiredHeldForms(ctx, now); err != nil {
		return 0, err
	}
	if err := q.DeleteExpiredPendingSignIns(ctx, now); err != nil {
		return 0, err
	}
	return q.exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now.Unix())
}

// SyncSessionCredentials binds a session to its user's current credential
// version: the session that changed the password stays valid.
func (q *Queries) SyncSessionCredentials(ctx context.Context, sessionID, userID int64) error {
	_, err := q.exec(ctx, `UPDATE sessions SET credential_version = (SELECT credential_version FROM users WHERE id = $2)
		WHERE id = $1 AND user_id = $2`, sessionID, userID)
	return err
}

// SyncAllSessionCredentials binds every remaining session of the user to
// the current credential version, after one that is voided by the change
// was deleted explicitly.
func (q *Queries) SyncAllSessionCredentials(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `UPDATE sessions SET credential_version = (SELECT credential_version FROM users WHERE id = $1)
		WHERE user_id = $1`, userID)
	return err
}
