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

// SaveSignInChallenge keeps the challenge of a sign-in with a passkey alone
// under the hash of the browser's token, for one surface.
func (q *Queries) SaveSignInChallenge(ctx context.Context, tokenHash []byte, surface padlock.Surface, data []byte, expires time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO webauthn_signin_challenges (token_hash, surface, data, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash, string(surface), data, expires.Unix())
	return err
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

// DeleteExpiredSignInChallenges forgets the challenges no one answered.
func (q *Queries) DeleteExpiredSignInChallenges(ctx context.Context, now time.Time) (int64, error) {
	return q.exec(ctx, `DELETE FROM webauthn_signin_challenges WHERE expires_at <= $1`, now.Unix())
}
