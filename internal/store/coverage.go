package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Coverage counts the users of an account's staff and of each of its
// portals, with and without MFA and overdue at now, keyed by portal id (0
// for the staff). It is one aggregate over the account's rows of
// users_deadline_idx, which holds every column it reads from users; a list
// without users has no entry.
func (q *Queries) Coverage(ctx context.Context, accountID int64, now time.Time) (map[int64]UserCounts, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT COALESCE(users.portal_id, 0), `+userCounts+`
		FROM users LEFT JOIN totp_factors f ON f.user_id = users.id
		WHERE users.account_id = $1 GROUP BY users.portal_id`, accountID, string(padlock.StatusDeactivated), now.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]UserCounts{}
	for rows.Next() {
		var (
			portal int64
			c      UserCounts
		)
		if err := rows.Scan(append([]any{&portal}, c.fields()...)...); err != nil {
			return nil, err
		}
		out[portal] = c
	}
	return out, rows.Err()
}

// FactorCounts are how many current (not deactivated) users of a list own
// each kind of factor; a user with both counts in both.
type FactorCounts struct {
	TOTP, Passkey int
}

// FactorCoverage counts, for the account's staff (key 0) and each portal,
// the current users with an authenticator app and with a passkey.
func (q *Queries) FactorCoverage(ctx context.Context, accountID int64) (map[int64]FactorCounts, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT COALESCE(users.portal_id, 0), COUNT(f.user_id),
			COUNT(CASE WHEN EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = users.id) THEN 1 END)
		FROM users LEFT JOIN totp_factors f ON f.user_id = users.id
		WHERE users.account_id = $1 AND users.status <> $2 GROUP BY users.portal_id`, accountID, string(padlock.StatusDeactivated))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]FactorCounts{}
	for rows.Next() {
		var (
			portal int64
			c      FactorCounts
		)
		if err := rows.Scan(&portal, &c.TOTP, &c.Passkey); err != nil {
			return nil, err
		}
		out[portal] = c
	}
	return out, rows.Err()
}
