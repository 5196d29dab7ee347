package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// ExecForTest runs a raw statement; tests use it to set up odd states.
func (q *Queries) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := q.exec(ctx, query, args...)
	return err
}

// MigrateToForTest applies migrations up to a version, to build a database
// as an older release left it.
func (db *DB) MigrateToForTest(ctx context.Context, version int) error {
	_, err := db.migrateTo(ctx, version)
	return err
}

// UserListQueryForTest is the SQL of a users list page, for its plan.
func UserListQueryForTest(f UserFilter, accountID int64) (string, []any) { return f.query(accountID) }

// DocumentListQueryForTest is the SQL of a documents list page, for its
// plan.
const DocumentListQueryForTest = documentListQuery

// PlanForTest runs an EXPLAIN statement and returns its rows as text, a
// line per row.
func (q *Queries) PlanForTest(ctx context.Context, query string, args ...any) (string, error) {
	rows, err := q.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" ")
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprint(&b, v)
		}
		b.WriteString("\n")
	}
	return b.String(), rows.Err()
}

// UserBatchQueryForTest is the SQL of a batch of EachUser whose list's
// passkeys were read beforehand, for its plan.
func UserBatchQueryForTest(f UserFilter, accountID int64) (string, []any) {
	f.Limit = userBatch
	return f.queryOf(userBatchSelect, accountID)
}

// FewPasskeysForTest is the most passkeys an installation holds for
// EachUser to read a list's passkeys up front.
const FewPasskeysForTest = fewPasskeys

// CountUsersQueryForTest is the SQL and arguments of CountUsers, for its
// plan.
func CountUsersQueryForTest(accountID, portalID int64, r padlock.Requirement, now time.Time) (string, []any) {
	return countUsersQuery(portalID), countUsersArgs(accountID, portalID, r, now)
}

// CoverageQueryForTest is the SQL and arguments of Coverage, for its plan.
func CoverageQueryForTest(accountID int64, now time.Time) (string, []any) {
	return coverageQuery, []any{accountID, now.Unix()}
}

// CountForTest runs a query that returns one number.
func (q *Queries) CountForTest(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

// ListCountsForTest are the counts of one list: a row of user_counts.
type ListCountsForTest struct {
	Users, WithMFA, WithPasskey                                 int
	Current, CurrentWithMFA, CurrentWithApp, CurrentWithPasskey int
}

// StoredCountsForTest reads user_counts whole, keyed by account and portal
// (0 for the staff).
func (q *Queries) StoredCountsForTest(ctx context.Context) (map[[2]int64]ListCountsForTest, error) {
	return q.listCountsForTest(ctx, `SELECT account_id, portal_id, users, with_mfa, with_passkey,
		current_users, current_with_mfa, current_with_app, current_with_passkey FROM user_counts`)
}

// RecountForTest counts every list of every account the way the lists were
// counted before user_counts: an aggregate over every user, joined to their
// factors (never users.mfa_factors). A list without users has no entry.
func (q *Queries) RecountForTest(ctx context.Context) (map[[2]int64]ListCountsForTest, error) {
	const current = `users.status <> 'deactivated'`
	return q.listCountsForTest(ctx, `SELECT users.account_id, COALESCE(users.portal_id, 0), COUNT(*),
		COUNT(CASE WHEN `+joinedFactors.has+` THEN 1 END), COUNT(CASE WHEN `+joinedHasPasskey+` THEN 1 END),
		COUNT(CASE WHEN `+current+` THEN 1 END), COUNT(CASE WHEN `+current+` AND `+joinedFactors.has+` THEN 1 END),
		COUNT(CASE WHEN `+current+` AND f.user_id IS NOT NULL THEN 1 END), COUNT(CASE WHEN `+current+` AND `+joinedHasPasskey+` THEN 1 END)
		FROM users LEFT JOIN totp_factors f ON f.user_id = users.id GROUP BY users.account_id, users.portal_id`)
}

func (q *Queries) listCountsForTest(ctx context.Context, query string) (map[[2]int64]ListCountsForTest, error) {
	rows, err := q.sql.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]int64]ListCountsForTest{}
	for rows.Next() {
		var (
			key [2]int64
			c   ListCountsForTest
		)
		if err := rows.Scan(&key[0], &key[1], &c.Users, &c.WithMFA, &c.WithPasskey, &c.Current, &c.CurrentWithMFA, &c.CurrentWithApp, &c.CurrentWithPasskey); err != nil {
			return nil, err
		}
		out[key] = c
	}
	return out, rows.Err()
}

// FullCountForTest is CountUsers as it was before user_counts: one
// aggregate over every user of the list, joined to their factors.
func (q *Queries) FullCountForTest(ctx context.Context, accountID, portalID int64, r padlock.Requirement, now time.Time) (UserCounts, error) {
	deadline, joined := overdueCutoffs(r, now)
	overdue := joinedFactors.overdue("$3", "$4")
	query := `SELECT COUNT(*), COUNT(CASE WHEN ` + joinedFactors.has + ` THEN 1 END),
		COUNT(CASE WHEN users.status <> $2 THEN 1 END), COUNT(CASE WHEN users.status <> $2 AND ` + joinedFactors.has + ` THEN 1 END),
		COUNT(CASE WHEN ` + joinedHasPasskey + ` THEN 1 END), COUNT(CASE WHEN users.status <> $2 AND ` + joinedHasPasskey + ` THEN 1 END),
		COUNT(CASE WHEN users.status <> $2 AND ` + overdue + ` THEN 1 END)
		FROM users LEFT JOIN totp_factors f ON f.user_id = users.id WHERE users.account_id = $1`
	args := []any{accountID, string(padlock.StatusDeactivated), deadline, joined}
	if portalID == 0 {
		query += ` AND users.portal_id IS NULL`
	} else {
		query += ` AND users.portal_id = $5`
		args = append(args, portalID)
	}
	var c UserCounts
	err := q.sql.QueryRowContext(ctx, query, args...).Scan(c.fields()...)
	return c, err
}
