package store

import (
	"context"
	"time"
)

// Token kinds: single-use links sent by email, and the setup link.
const (
	TokenInvitation = "invitation"
	TokenReset      = "reset"
	TokenUnlock     = "unlock"
	TokenSetup      = "setup"
)

// Token is a single-use secret link, stored by hash.
type Token struct {
	ID        int64
	Kind      string
	UserID    int64 // 0 for the setup token
	ExpiresAt time.Time
}

// CreateToken stores a token hash of a kind for a user (0: none).
func (q *Queries) CreateToken(ctx context.Context, kind string, userID int64, hash []byte, now, expires time.Time) error {
	var uid any
	if userID != 0 {
		uid = userID
	}
	_, err := q.exec(ctx, `INSERT INTO tokens (token_hash, kind, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hash, kind, uid, now.Unix(), expires.Unix())
	return err
}

// PeekToken returns an unused, unexpired token of the kind without using it,
// so a page can show its form.
func (q *Queries) PeekToken(ctx context.Context, kind string, hash []byte, now time.Time) (*Token, error) {
	var (
		t   Token
		uid *int64
		ex  int64
	)
	err := q.sql.QueryRowContext(ctx, `SELECT id, kind, user_id, expires_at FROM tokens
		WHERE token_hash = $1 AND kind = $2 AND used_at = 0 AND expires_at > $3`, hash, kind, now.Unix()).
		Scan(&t.ID, &t.Kind, &uid, &ex)
	if err != nil {
		return nil, notFound(err)
	}
	if uid != nil {
		t.UserID = *uid
	}
	t.ExpiresAt = time.Unix(ex, 0)
	return &t, nil
}

// UseToken marks a token used with one conditional update, so of two
// racing requests exactly one succeeds; the loser gets "not found".
func (q *Queries) UseToken(ctx context.Context, kind string, hash []byte, now time.Time) (*Token, error) {
	t, err := q.PeekToken(ctx, kind, hash, now)
	if err != nil {
		return nil, err
	}
	if err := q.execOne(ctx, `UPDATE tokens SET used_at = $2 WHERE id = $1 AND used_at = 0`, t.ID, now.Unix()); err != nil {
		return nil, err
	}
	return t, nil
}

// VoidTokens marks every unused token of a kind for a user as used, so only
// the newest link works (resending an invitation, a second reset request).
func (q *Queries) VoidTokens(ctx context.Context, kind string, userID int64, now time.Time) error {
	var err error
	if userID == 0 {
		_, err = q.exec(ctx, `UPDATE tokens SET used_at = $2 WHERE kind = $1 AND user_id IS NULL AND used_at = 0`, kind, now.Unix())
	} else {
		_, err = q.exec(ctx, `UPDATE tokens SET used_at = $3 WHERE kind = $1 AND user_id = $2 AND used_at = 0`, kind, userID, now.Unix())
	}
	return err
}

// PendingInvitation tells when a user's newest unused invitation expires.
func (q *Queries) PendingInvitation(ctx context.Context, userID int64) (time.Time, error) {
	var ex int64
	err := q.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(expires_at), 0) FROM tokens WHERE kind = $1 AND user_id = $2 AND used_at = 0`,
		TokenInvitation, userID).Scan(&ex)
	if err != nil || ex == 0 {
		return time.Time{}, notFound(err)
	}
	return time.Unix(ex, 0), nil
}
