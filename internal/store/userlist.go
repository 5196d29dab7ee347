package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// MFAFilter narrows the users list by MFA status.
type MFAFilter string

const (
	MFAAny    MFAFilter = ""
	MFASetUp  MFAFilter = "set_up"
	MFANotSet MFAFilter = "not_set_up"
	// MFAOverdue lists the users whom UserFilter.Requirement finds overdue
	// at UserFilter.Now (padlock.User.MFAOverdue): without MFA after their
	// deadline or, at the strict level, with only an app after the strict
	// level's deadline; deactivated users left out.
	MFAOverdue MFAFilter = "overdue"
	// MFANoPasskey lists the users without a phishing-resistant factor
	// (no passkey or security key), whatever else they have.
	MFANoPasskey MFAFilter = "no_passkey"
)

// Factor types a users list may be narrowed to.
const (
	FactorTOTP    = "totp"
	FactorPasskey = "passkey"
)

// UserSort is the order of a users list; each pages by a key of its own.
type UserSort string

const (
	// SortEmail orders by email, then id.
	SortEmail UserSort = ""
	// SortDeadline orders by the MFA deadline ("Must set up by"), earliest
	// first, then id.
	SortDeadline UserSort = "deadline"
)

// UserKey is a place in a users list: a page starts after, or ends before,
// the user with this key. Email is the key of SortEmail, Deadline (Unix
// seconds, 0 for none) that of SortDeadline.
type UserKey struct {
	Email    string
	Deadline int64
	ID       int64
}

// KeyOf is the key of u in a list of this order.
func (s UserSort) KeyOf(u *padlock.User) UserKey {
	if s == SortDeadline {
		return UserKey{Deadline: unixOrNone(u.MFADeadline), ID: u.ID}
	}
	return UserKey{Email: u.Email, ID: u.ID}
}

// UserFilter selects and pages a users list: the account's staff, or with
// PortalID the users of one portal. A page is found by key, After or Before
// (at most one), never by counting rows from the start; Offset serves only
// the JSON API's numbered pages. Limit 0 means every matching user.
type UserFilter struct {
	PortalID int64
	MFA      MFAFilter
	// Requirement is the list's (the account's, or the portal's), and Now
	// the time MFAOverdue finds users overdue at.
	Requirement padlock.Requirement
	Now         time.Time
	Sort        UserSort
	// Role, Status and Factor narrow the list further (the API's filters);
	// empty means any. Factor is "totp" or "passkey".
	Role          padlock.Role
	Status        padlock.UserStatus
	Factor        string
	After, Before UserKey
	Offset, Limit int
}

// query builds the list's SQL with numbered placeholders, the same text for
// both databases. Staff and portal lists get different texts so that each
// can use its own index: a staff query says portal_id IS NULL outright.
// Each order is read from an index in that order (users_list_idx by email,
// users_deadline_idx by deadline), so a page costs the same deep in the list
// and in a large account as at the start of a small one.
func (f UserFilter) query(accountID int64) (string, []any) { return f.queryOf(userSelect, accountID) }

// queryOf is query with sel in place of userSelect: a select of the same
// columns.
func (f UserFilter) queryOf(sel string, accountID int64) (string, []any) {
	var b strings.Builder
	args := []any{accountID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(sel + ` WHERE users.account_id = $1`)
	if f.PortalID == 0 {
		b.WriteString(` AND users.portal_id IS NULL`)
	} else {
		b.WriteString(` AND users.portal_id = ` + arg(f.PortalID))
	}
	// In the deadline order the factor tests join the factor tables, as
	// before users.mfa_factors: the planner then reads users_deadline_idx in
	// its order. On the kept column it would prefer users_without_mfa_idx,
	// which has no id after the deadline, and sort every user sharing one
	// deadline, as all do when MFA was required of them at once.
	tests := keptFactors
	if f.Sort == SortDeadline {
		tests = joinedFactors
	}
	switch f.MFA {
	case MFASetUp:
		b.WriteString(` AND ` + tests.has)
	case MFANotSet:
		b.WriteString(` AND ` + tests.none)
	case MFANoPasskey:
		b.WriteString(` AND ` + tests.noPasskey)
	case MFAOverdue:
		b.WriteString(` AND users.status <> ` + arg(string(padlock.StatusDeactivated)))
		deadline, joined := overdueCutoffs(f.Requirement, f.Now)
		if joined < 0 { // no one overdue by the strict level's deadline
			b.WriteString(` AND ` + tests.none + ` AND users.mfa_deadline <= ` + arg(deadline))
		} else {
			b.WriteString(` AND ` + tests.overdue(arg(deadline), arg(joined)))
		}
	}
	if f.Role != "" {
		b.WriteString(` AND users.role = ` + arg(string(f.Role)))
	}
	if f.Status != "" {
		b.WriteString(` AND users.status = ` + arg(string(f.Status)))
	}
	switch f.Factor {
	case FactorTOTP:
		b.WriteString(` AND ` + hasApp)
	case FactorPasskey:
		b.WriteString(` AND ` + hasPasskey)
	}
	column := `users.email`
	var after, before any = f.After.Email, f.Before.Email
	if f.Sort == SortDeadline {
		column, after, before = `users.mfa_deadline`, f.After.Deadline, f.Before.Deadline
	}
	// The order names the index's leading columns too: they are the same
	// on every row, but PostgreSQL reads "portal_id IS NULL" as no constant
	// and would otherwise sort the whole list instead of reading the index
	// in its order.
	dir := ``
	switch {
	case f.After.ID != 0:
		b.WriteString(` AND (` + column + `, users.id) > (` + arg(after) + `, ` + arg(f.After.ID) + `)`)
	case f.Before.ID != 0:
		b.WriteString(` AND (` + column + `, users.id) < (` + arg(before) + `, ` + arg(f.Before.ID) + `)`)
		dir = ` DESC`
	}
	b.WriteString(` ORDER BY users.account_id` + dir + `, users.portal_id` + dir + `, ` + column + dir + `, users.id` + dir)
	if f.Limit > 0 {
		b.WriteString(` LIMIT ` + arg(f.Limit))
	}
	if f.Offset > 0 {
		b.WriteString(` OFFSET ` + arg(f.Offset))
	}
	return b.String(), args
}

// Users lists a page of an account's users in the list's order, also when
// the page was asked for by the key after it.
func (q *Queries) Users(ctx context.Context, accountID int64, f UserFilter) ([]*padlock.User, error) {
	query, args := f.query(accountID)
	users, err := q.queryUsers(ctx, query, args...)
	if f.Before.ID != 0 && f.After.ID == 0 {
		slices.Reverse(users)
	}
	return users, err
}

// factorTests are the SQL tests of a user's factors that a users list
// filters by: has any, has none, has no passkey, has only an app.
type factorTests struct{ has, none, noPasskey, appOnly string }

// keptFactors read users.mfa_factors; joinedFactors the factor tables, the
// user joined with totp_factors f.
var (
	keptFactors   = factorTests{has: hasFactor, none: noFactor, noPasskey: noPasskey, appOnly: `users.mfa_factors = 1`}
	joinedFactors = factorTests{
		has:       `(f.user_id IS NOT NULL OR ` + joinedHasPasskey + `)`,
		none:      `(f.user_id IS NULL AND NOT ` + joinedHasPasskey + `)`,
		noPasskey: `NOT ` + joinedHasPasskey,
		appOnly:   `f.user_id IS NOT NULL AND NOT ` + joinedHasPasskey,
	}
)

const joinedHasPasskey = `EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = users.id)`

// overdue is padlock.User.MFAOverdue in SQL, but for the status: a user
// without a factor whose deadline is at or before the time deadline, or a
// user with only an app who joined at or before the time joined (at the
// strict level, padlock.Requirement.StrictOverdueJoinedBy). Each time is a
// placeholder or an expression; -1 where nothing is overdue that way.
func (t factorTests) overdue(deadline, joined string) string {
	return `(` + t.none + ` AND users.mfa_deadline <= ` + deadline +
		` OR ` + t.appOnly + ` AND users.created_at <= ` + joined + `)`
}

// overdueCutoffs are the times overdue compares with for requirement r at
// now, in Unix seconds: -1, before every deadline and joining time, where
// r finds no one overdue that way.
func overdueCutoffs(r padlock.Requirement, now time.Time) (deadline, joined int64) {
	deadline, joined = -1, -1
	if !r.RequiredAt.IsZero() {
		deadline = now.Unix()
	}
	if by, ok := r.StrictOverdueJoinedBy(now); ok {
		joined = by.Unix()
	}
	return deadline, joined
}

// UsersWithoutMFA lists the active users without a factor of an account's
// staff (portalID 0) or of one portal, for the enforcement notice.
// accountID 0 lists every account's staff, for `padlock user list --no-mfa`.
func (q *Queries) UsersWithoutMFA(ctx context.Context, accountID, portalID int64) ([]*padlock.User, error) {
	return q.queryUsers(ctx, userSelect+` WHERE ($1 = 0 OR users.account_id = $1)
		AND (($2 = 0 AND users.portal_id IS NULL) OR users.portal_id = $2) AND users.status = $3 AND `+noFactor+`
		ORDER BY users.account_id, users.email`, accountID, portalID, string(padlock.StatusActive))
}

// UsersWithoutPasskey lists the active users without a phishing-resistant
// factor of an account's staff (portalID 0) or of one portal, for the
// notice of a phishing-resistant requirement.
func (q *Queries) UsersWithoutPasskey(ctx context.Context, accountID, portalID int64) ([]*padlock.User, error) {
	return q.queryUsers(ctx, userSelect+` WHERE users.account_id = $1
		AND (($2 = 0 AND users.portal_id IS NULL) OR users.portal_id = $2) AND users.status = $3 AND `+noPasskey+`
		ORDER BY users.email`, accountID, portalID, string(padlock.StatusActive))
}

// RecomputeMFADeadlines stores every user's deadline for a requirement
// turned on at requiredAt with graceDays: the grace runs from requiredAt or
// from when the user joined, whichever is later. Shortening the grace takes
// effect for everyone at once. A user whose MFA was reset while this
// requirement was on gets no grace: their deadline stays the reset.
func (q *Queries) RecomputeMFADeadlines(ctx context.Context, accountID int64, requiredAt time.Time, graceDays int) error {
	grace := int64(graceDays) * 24 * 3600
	_, err := q.exec(ctx, `UPDATE users SET mfa_deadline =
		CASE WHEN mfa_reset_at > 0 AND mfa_reset_at >= $2 THEN mfa_reset_at
		WHEN created_at > $2 THEN created_at + $3 ELSE $2 + $3 END
		WHERE account_id = $1 AND portal_id IS NULL`, accountID, requiredAt.Unix(), grace)
	return err
}

// RecomputePortalMFADeadlines stores the deadline of every user of a
// portal for its requirement turned on at requiredAt with graceDays, by the
// same rule as the account's (RecomputeMFADeadlines).
func (q *Queries) RecomputePortalMFADeadlines(ctx context.Context, portalID int64, requiredAt time.Time, graceDays int) error {
	grace := int64(graceDays) * 24 * 3600
	_, err := q.exec(ctx, `UPDATE users SET mfa_deadline =
		CASE WHEN mfa_reset_at > 0 AND mfa_reset_at >= $2 THEN mfa_reset_at
		WHEN created_at > $2 THEN created_at + $3 ELSE $2 + $3 END
		WHERE portal_id = $1`, portalID, requiredAt.Unix(), grace)
	return err
}

// AllUsers lists every account's users, for the operator's `user list`.
func (q *Queries) AllUsers(ctx context.Context) ([]*padlock.User, error) {
	return q.queryUsers(ctx, userSelect+` ORDER BY users.account_id, users.email`)
}

// queryUsers runs a userSelect query and scans every row.
func (q *Queries) queryUsers(ctx context.Context, query string, args ...any) ([]*padlock.User, error) {
	rows, err := q.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*padlock.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
