package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Coverage counts the users of an account's staff and of each of its
// portals, with and without MFA and overdue at now under each list's own
// requirement, keyed by portal id (0 for the staff). It is one aggregate
// over the account's rows of users_deadline_idx, with each row's list's
// requirement joined in; a list without users has no entry.
func (q *Queries) Coverage(ctx context.Context, accountID int64, now time.Time) (map[int64]UserCounts, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT COALESCE(users.portal_id, 0), `+userCounts(listDeadlineCutoff, listJoinedCutoff)+`
		FROM users LEFT JOIN totp_factors f ON f.user_id = users.id
		JOIN accounts a ON a.id = users.account_id LEFT JOIN portals p ON p.id = users.portal_id
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

// The requirement of a user's list in a query that joins accounts a and
// (left) portals p to users: the portal's for its users, the account's for
// the staff. From them, overdueCutoffs in SQL with $3 the time now.
const (
	listRequiredAt = `COALESCE(p.mfa_required_at, a.mfa_required_at)`
	listStrictAt   = `COALESCE(p.mfa_strict_at, a.mfa_strict_at)`
	listGrace      = `COALESCE(p.mfa_grace_days, a.mfa_grace_days) * 86400`

	listDeadlineCutoff = `CASE WHEN ` + listRequiredAt + ` > 0 THEN CAST($3 AS BIGINT) ELSE -1 END`
	listJoinedCutoff   = `CASE WHEN ` + listRequiredAt + ` > 0 AND ` + listStrictAt + ` > 0 AND ` + listStrictAt + ` + ` + listGrace +
		` <= CAST($3 AS BIGINT) THEN CAST($3 AS BIGINT) - ` + listGrace + ` ELSE -1 END`
)

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
