package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// PasskeyByCredentialID finds the passkey a sign-in with a passkey alone
// answered with, whoever owns it.
func (q *Queries) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (*padlock.Passkey, error) {
	return scanPasskey(q.sql.QueryRowContext(ctx, `SELECT `+passkeyFields+` FROM webauthn_credentials WHERE credential_id = $1`, credentialID))
}

// SignInChallenge is the challenge of a sign-in with a passkey alone, as
// kept until its answer.
type SignInChallenge struct {
	TokenHash []byte // the hash of the token only the asking browser holds
	Surface   padlock.Surface
	Client    string // who asked: an address, or an IPv6 /64
	Data      []byte
	Expires   time.Time
}

// SaveSignInChallenge keeps c unless its client already holds max unexpired
// challenges at now: then it saves nothing and returns when the earliest of
// them expires. It replaces the challenge under replaces (the hash of the
// token the same browser held before), which does not count. Run it in a
// transaction (see roomForSignIn).
func (q *Queries) SaveSignInChallenge(ctx context.Context, c SignInChallenge, replaces []byte, max int, now time.Time) (full time.Time, err error) {
	if len(replaces) > 0 {
		if _, err := q.exec(ctx, `DELETE FROM webauthn_signin_challenges WHERE token_hash = $1`, replaces); err != nil {
			return time.Time{}, err
		}
	}
	if full, err := q.roomForSignIn(ctx, passkeySignInChallenges, c.Client, c.Expires, max, now); err != nil || !full.IsZero() {
		return full, err
	}
	_, err = q.exec(ctx, `INSERT INTO webauthn_signin_challenges (token_hash, surface, client, data, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		c.TokenHash, string(c.Surface), c.Client, c.Data, c.Expires.Unix())
	return time.Time{}, err
}

// TakeSignInChallenge deletes the challenge under the token's hash and
// returns it if it was for this surface and had not expired: a challenge
// answers once, and of racing answers only one finds it.
func (q *Queries) TakeSignInChallenge(ctx context.Context, tokenHash []byte, surface padlock.Surface, now time.Time) ([]byte, error) {
	var (
		data    []byte
		sf      string
		expires int64
	)
	err := q.sql.QueryRowContext(ctx, `DELETE FROM webauthn_signin_challenges WHERE token_hash = $1 RETURNING data, surface, expires_at`,
		tokenHash).Scan(&data, &sf, &expires)
	if err != nil {
		return nil, notFound(err)
	}
	if expires <= now.Unix() || sf != string(surface) {
		return nil, padlock.ErrNotFound
	}
	return data, nil
}
