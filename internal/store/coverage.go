package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The counts of a list's users that the users lists, MFA coverage and
// Client portals show. All but Overdue are kept in user_counts, one row per
// list, by the database's own triggers in the statement that changes a user
// or a factor (migration 0020), so reading them costs the same in an
// account of any size. Overdue moves with the clock: it is counted when
// asked, by index, from only the users it can find.

// UserCounts are the counts a users list shows, all read by one query.
type UserCounts struct {
	All, WithMFA            int // every user of the list, and those with MFA
	Current, CurrentWithMFA int // the same without deactivated users
	// Overdue counts the current users the list's requirement finds
	// overdue (padlock.User.MFAOverdue).
	Overdue int
	// WithPasskey and CurrentWithPasskey count the users (all, and not
	// deactivated) who own a phishing-resistant factor.
	WithPasskey, CurrentWithPasskey int
}

// Matching is the number of users the MFA filter lists.
func (c UserCounts) Matching(f MFAFilter) int {
	switch f {
	case MFASetUp:
		return c.WithMFA
	case MFANotSet:
		return c.All - c.WithMFA
	case MFAOverdue:
		return c.Overdue
	case MFANoPasskey:
		return c.All - c.WithPasskey
	}
	return c.All
}

// storedCounts is the select list of the user_counts row c, zeros when the
// list has no row, in the order of UserCounts.fields.
const storedCounts = `COALESCE(c.users, 0), COALESCE(c.with_mfa, 0), COALESCE(c.current_users, 0), COALESCE(c.current_with_mfa, 0),
	COALESCE(c.with_passkey, 0), COALESCE(c.current_with_passkey, 0)`

func (c *UserCounts) fields() []any {
	return []any{&c.All, &c.WithMFA, &c.Current, &c.CurrentWithMFA, &c.WithPasskey, &c.CurrentWithPasskey, &c.Overdue}
}

// overdueCount is overdue as a count of the current users of the account $1
// in a list (list: a condition on users u), from the list's kept counts c and
// the partial indexes that hold only the users it concerns, naming
// users.mfa_factors literally so that the planner picks them. Each part
// reads the side of its cut-off that holds few users:
//   - without MFA (users_without_mfa_idx): while the requirement's grace
//     runs, those whose deadline is at or before the cut-off deadline (reset
//     users); once it is over (graceOver), every current user without MFA
//     but those whose deadline is after it (who joined within the grace);
//   - with only an app (users_app_only_idx), once the strict level's
//     deadline passed for some (joined not -1): every current user with only
//     an app but those who joined after the cut-off joined.
func overdueCount(list, deadline, graceOver, joined string) string {
	const current = `u.status <> '` + string(padlock.StatusDeactivated) + `'`
	count := func(factors, cutoff string) string {
		return `(SELECT COUNT(*) FROM users u WHERE u.account_id = $1 AND ` + list + ` AND u.mfa_factors = ` + factors +
			` AND ` + current + ` AND ` + cutoff + `)`
	}
	return `CASE WHEN ` + graceOver + ` THEN COALESCE(c.current_users - c.current_with_mfa, 0) - ` + count("0", `u.mfa_deadline > `+deadline) +
		` ELSE ` + count("0", `u.mfa_deadline <= `+deadline) + ` END
		+ CASE WHEN ` + joined + ` >= 0 THEN COALESCE(c.current_with_mfa - c.current_with_passkey, 0) - ` + count("1", `u.created_at > `+joined) +
		` ELSE 0 END`
}

// countUsersQuery reads a list's counts: $1 the account, $2 the portal (0
// for the staff), $3 and $4 the cut-offs of overdue, $5 1 once the grace of
// the requirement is over.
func countUsersQuery(portalID int64) string {
	list := `u.portal_id IS NULL`
	if portalID != 0 {
		list = `u.portal_id = $2`
	}
	return `SELECT ` + storedCounts + `, ` + overdueCount(list, "$3", "$5 = 1", "$4") + `
		FROM (SELECT 1) AS one LEFT JOIN user_counts c ON c.account_id = $1 AND c.portal_id = $2`
}

// countUsersArgs are the arguments of countUsersQuery.
func countUsersArgs(accountID, portalID int64, r padlock.Requirement, now time.Time) []any {
	deadline, joined := overdueCutoffs(r, now)
	graceOver := 0
	if !r.RequiredAt.IsZero() && !now.Before(padlock.GraceEnds(r.RequiredAt, r.GraceDays)) {
		graceOver = 1
	}
	return []any{accountID, portalID, deadline, joined, graceOver}
}

// CountUsers counts an account's staff (portalID 0) or one portal's users,
// with and without MFA and overdue at now under the list's requirement r.
func (q *Queries) CountUsers(ctx context.Context, accountID, portalID int64, r padlock.Requirement, now time.Time) (UserCounts, error) {
	var c UserCounts
	err := q.sql.QueryRowContext(ctx, countUsersQuery(portalID), countUsersArgs(accountID, portalID, r, now)...).Scan(c.fields()...)
	return c, err
}

// MFACoverage counts the active and invited users of an account's staff
// (portalID 0) or of one portal, and how many of them have MFA set up
// ("31 of 40 users have MFA").
func (q *Queries) MFACoverage(ctx context.Context, accountID, portalID int64) (withMFA, total int, err error) {
	c, err := q.CountUsers(ctx, accountID, portalID, padlock.Requirement{}, time.Time{})
	return c.CurrentWithMFA, c.Current, err
}

// coverageQuery reads the counts of every list of the account $1 with
// users, each overdue at $2 under its own requirement.
var coverageQuery = `SELECT c.portal_id, ` + storedCounts + `,
		CASE WHEN c.portal_id = 0 THEN ` + overdueCount(`u.portal_id IS NULL`, listDeadlineCutoff, listGraceOver, listJoinedCutoff) + `
		ELSE ` + overdueCount(`u.portal_id = c.portal_id`, listDeadlineCutoff, listGraceOver, listJoinedCutoff) + ` END
	FROM user_counts c JOIN accounts a ON a.id = c.account_id LEFT JOIN portals p ON p.id = c.portal_id
	WHERE c.account_id = $1 AND c.users > 0`

// Coverage counts the users of an account's staff and of each of its
// portals, with and without MFA and overdue at now under each list's own
// requirement, keyed by portal id (0 for the staff); a list without users
// has no entry.
func (q *Queries) Coverage(ctx context.Context, accountID int64, now time.Time) (map[int64]UserCounts, error) {
	return q.coverage(ctx, coverageQuery, accountID, now.Unix())
}

// CoverageOf is Coverage for the lists named only: portal ids, and 0 for
// the staff. A page of the coverage costs its own lists, not the account's.
func (q *Queries) CoverageOf(ctx context.Context, accountID int64, now time.Time, lists []int64) (map[int64]UserCounts, error) {
	if len(lists) == 0 {
		return map[int64]UserCounts{}, nil
	}
	args := []any{accountID, now.Unix()}
	return q.coverage(ctx, coverageQuery+listsIn(&args, lists), args...)
}

func (q *Queries) coverage(ctx context.Context, query string, args ...any) (map[int64]UserCounts, error) {
	rows, err := q.sql.QueryContext(ctx, query, args...)
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

// listsIn is the condition that user_counts c is of one of lists, with
// placeholders numbered after args, to which it adds the lists.
func listsIn(args *[]any, lists []int64) string {
	var b strings.Builder
	b.WriteString(` AND c.portal_id IN (`)
	for i, id := range lists {
		if i > 0 {
			b.WriteString(", ")
		}
		*args = append(*args, id)
		b.WriteString("$" + strconv.Itoa(len(*args)))
	}
	b.WriteString(")")
	return b.String()
}

// The requirement of a list in a query that joins accounts a and (left)
// portals p to it: the portal's for its users, the account's for the
// staff. From them, overdueCutoffs in SQL with $2 the time now, and
// whether the requirement's grace is over.
const (
	listRequiredAt = `COALESCE(p.mfa_required_at, a.mfa_required_at)`
	listStrictAt   = `COALESCE(p.mfa_strict_at, a.mfa_strict_at)`
	listGrace      = `COALESCE(p.mfa_grace_days, a.mfa_grace_days) * 86400`

	listDeadlineCutoff = `CASE WHEN ` + listRequiredAt + ` > 0 THEN CAST($2 AS BIGINT) ELSE -1 END`
	listGraceOver      = listRequiredAt + ` > 0 AND ` + listRequiredAt + ` + ` + listGrace + ` <= CAST($2 AS BIGINT)`
	listJoinedCutoff   = `CASE WHEN ` + listRequiredAt + ` > 0 AND ` + listStrictAt + ` > 0 AND ` + listStrictAt + ` + ` + listGrace +
		` <= CAST($2 AS BIGINT) THEN CAST($2 AS BIGINT) - ` + listGrace + ` ELSE -1 END`
)

// FactorCounts are how many current (not deactivated) users of a list own
// each kind of factor; a user with both counts in both.
type FactorCounts struct {
	TOTP, Passkey int
}

// FactorCoverage counts, for the account's staff (key 0) and each portal,
// the current users with an authenticator app and with a passkey.
func (q *Queries) FactorCoverage(ctx context.Context, accountID int64) (map[int64]FactorCounts, error) {
	return q.factorCoverage(ctx, accountID, nil)
}

// FactorCoverageOf is FactorCoverage for the lists named only, as
// CoverageOf.
func (q *Queries) FactorCoverageOf(ctx context.Context, accountID int64, lists []int64) (map[int64]FactorCounts, error) {
	if len(lists) == 0 {
		return map[int64]FactorCounts{}, nil
	}
	return q.factorCoverage(ctx, accountID, lists)
}

// factorCoverage reads the factor counts of lists, or of every list when
// lists is nil.
func (q *Queries) factorCoverage(ctx context.Context, accountID int64, lists []int64) (map[int64]FactorCounts, error) {
	args := []any{accountID}
	query := `SELECT c.portal_id, c.current_with_app, c.current_with_passkey FROM user_counts c
		WHERE c.account_id = $1 AND c.current_users > 0`
	if lists != nil {
		query += listsIn(&args, lists)
	}
	rows, err := q.sql.QueryContext(ctx, query, args...)
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
