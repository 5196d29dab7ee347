package store

import (
	"context"
	"time"
)

// nameKeyFingerprint is the installation fact holding the fingerprint of
// the secret key the database was set up with.
const nameKeyFingerprint = "key_fingerprint"

// KeyFingerprint returns the recorded fingerprint of the installation's
// secret key, or ErrNotFound before any node has recorded one.
func (q *Queries) KeyFingerprint(ctx context.Context) (string, error) {
	var fp string
	err := q.sql.QueryRowContext(ctx, `SELECT value FROM installation WHERE name = $1`, nameKeyFingerprint).Scan(&fp)
	return fp, notFound(err)
}

// ClaimKeyFingerprint records fp as the installation's key fingerprint
// unless one is recorded already, and returns the one recorded. Of nodes
// starting together, exactly one records its own; every node reads that one.
func (q *Queries) ClaimKeyFingerprint(ctx context.Context, fp string, now time.Time) (string, error) {
	if _, err := q.exec(ctx, `INSERT INTO installation (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, nameKeyFingerprint, fp, now.Unix()); err != nil {
		return "", err
	}
	return q.KeyFingerprint(ctx)
}

// AnyTOTPFactor returns the sealed secret of one confirmed factor and its
// user, so a key can be tried on an installation that recorded no
// fingerprint yet; ErrNotFound when no user has one.
func (q *Queries) AnyTOTPFactor(ctx context.Context) (userID int64, sealed []byte, err error) {
	err = q.sql.QueryRowContext(ctx, `SELECT user_id, secret FROM totp_factors ORDER BY user_id LIMIT 1`).Scan(&userID, &sealed)
	return userID, sealed, notFound(err)
}
