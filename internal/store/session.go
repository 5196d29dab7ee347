package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// CreateSession stores a session under the hash of its token.
func (tx *Tx) CreateSession(ctx context.Context, s *padlock.Session, tokenHash []byte, address string) error {
	return tx.q.QueryRowContext(ctx, `INSERT INTO sessions
		(token_hash, user_id, account_id, state, credential_version, address, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		tokenHash, s.UserID, s.AccountID, string(s.State), s.CredentialVersion, address,
		s.CreatedAt.Unix(), s.LastSeenAt.Unix(), s.ExpiresAt.Unix()).Scan(&s.ID)
}

// SessionByTokenHash returns the session stored under the hash.
func (tx *Tx) SessionByTokenHash(ctx context.Context, tokenHash []byte) (*padlock.Session, error) {
	var (
		s                 padlock.Session
		state             string
		created, seen, ex int64
	)
	err := tx.q.QueryRowContext(ctx, `SELECT id, user_id, account_id, state, credential_version, mfa_failures, created_at, last_seen_at, expires_at
		FROM sessions WHERE token_hash = $1`, tokenHash).
		Scan(&s.ID, &s.UserID, &s.AccountID, &state, &s.CredentialVersion, &s.MFAFailures, &created, &seen, &ex)
	if err != nil {
		return nil, notFound(err)
	}
	s.State = padlock.SessionState(state)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = time.Unix(created, 0), time.Unix(seen, 0), time.Unix(ex, 0)
	return &s, nil
}

// TouchSession records activity on a session for the idle timeout.
func (tx *Tx) TouchSession(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, id, at.Unix())
	return err
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return err
}

// DeleteUserSessions ends every session of a user except keepID (0 keeps
// none) and returns how many ended.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID, keepID int64) (int64, error) {
	return tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keepID)
}

// DeleteExpiredSessions removes sessions past their absolute lifetime.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	return tx.exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, now.Unix())
}

// SyncSessionCredentials binds a session to its user's current credential
// version: the session that changed the password stays valid.
func (tx *Tx) SyncSessionCredentials(ctx context.Context, sessionID, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET credential_version = (SELECT credential_version FROM users WHERE id = $2)
		WHERE id = $1 AND user_id = $2`, sessionID, userID)
	return err
}
