package store

import (
	"context"
	"time"
)

// pendingSignIns is a table of the rows that a public sign-in route stores
// for whoever asks, each naming its client and when it expires: a client
// may hold only so many unexpired rows of each such table.
type pendingSignIns string

const (
	passkeySignInChallenges pendingSignIns = "webauthn_signin_challenges"
	ssoSignInRequests       pendingSignIns = "sso_requests"
)

// roomForSignIn tells whether client may store one more row, expiring at
// expires, in table at now: it may while it holds fewer than max unexpired
// rows there. If not, it returns when the earliest of them expires, and
// the caller stores nothing. Run it in a transaction and add the row in
// the same one: the client's row in signin_clients is taken first (locked
// on PostgreSQL, serialized on SQLite), so two nodes never both count
// max − 1 and both add one. The row keeps the latest expiry of the
// client's rows of either table, and the sweeper deletes it after that.
func (q *Queries) roomForSignIn(ctx context.Context, table pendingSignIns, client string, expires time.Time, max int, now time.Time) (full time.Time, err error) {
	if _, err := q.exec(ctx, `INSERT INTO signin_clients (client, expires_at) VALUES ($1, $2)
		ON CONFLICT (client) DO UPDATE SET expires_at = CASE WHEN excluded.expires_at > signin_clients.expires_at
			THEN excluded.expires_at ELSE signin_clients.expires_at END`, client, expires.Unix()); err != nil {
		return time.Time{}, err
	}
	var (
		n        int
		earliest int64
	)
	if err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(expires_at), 0) FROM `+string(table)+`
		WHERE client = $1 AND expires_at > $2`, client, now.Unix()).Scan(&n, &earliest); err != nil {
		return time.Time{}, err
	}
	if n >= max {
		return time.Unix(earliest, 0), nil
	}
	return time.Time{}, nil
}

// DeleteExpiredPendingSignIns forgets the passkey sign-in challenges and
// the SSO requests no one answered, and the clients whose rows have all
// expired.
func (q *Queries) DeleteExpiredPendingSignIns(ctx context.Context, now time.Time) error {
	for _, table := range []string{"signin_clients", string(passkeySignInChallenges), string(ssoSignInRequests)} {
		if _, err := q.exec(ctx, `DELETE FROM `+table+` WHERE expires_at <= $1`, now.Unix()); err != nil {
			return err
		}
	}
	return nil
}
