package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// MFAFilter narrows the users list by MFA status.
type MFAFilter string

const (
	MFAAny    MFAFilter = ""
	MFASetUp  MFAFilter = "set_up"
	MFANotSet MFAFilter = "not_set_up"
)

// UserFilter selects and pages a users list: the account's staff, or with
// PortalID the users of one portal.
type UserFilter struct {
	PortalID      int64
	MFA           MFAFilter
	Offset, Limit int
}

// where adds the filter's conditions; $1 is the account and $2 the portal.
func (f UserFilter) where() string {
	w := ` AND (($2 = 0 AND users.portal_id IS NULL) OR users.portal_id = $2)`
	switch f.MFA {
	case MFASetUp:
		w += ` AND f.user_id IS NOT NULL`
	case MFANotSet:
		w += ` AND f.user_id IS NULL`
	}
	return w
}

// Users lists an account's users by email, a page at a time, with the
// number matching the filter. Limit 0 means every user (the CSV export).
func (tx *Tx) Users(ctx context.Context, accountID int64, f UserFilter) ([]*padlock.User, int, error) {
	var total int
	if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users LEFT JOIN totp_factors f ON f.user_id = users.id
		WHERE users.account_id = $1`+f.where(), accountID, f.PortalID).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = total + 1
	}
	users, err := tx.queryUsers(ctx, userSelect+` WHERE users.account_id = $1`+f.where()+` ORDER BY users.email LIMIT $3 OFFSET $4`,
		accountID, f.PortalID, limit, f.Offset)
	return users, total, err
}

// MFACoverage counts the active and invited users of an account's staff
// (portalID 0) or of one portal, and how many of them have MFA set up
// ("31 of 40 users have MFA").
func (tx *Tx) MFACoverage(ctx context.Context, accountID, portalID int64) (withMFA, total int, err error) {
	err = tx.q.QueryRowContext(ctx, `SELECT COUNT(f.user_id), COUNT(*) FROM users LEFT JOIN totp_factors f ON f.user_id = users.id
		WHERE users.account_id = $1 AND (($2 = 0 AND users.portal_id IS NULL) OR users.portal_id = $2) AND users.status <> $3`,
		accountID, portalID, string(padlock.StatusDeactivated)).Scan(&withMFA, &total)
	return withMFA, total, err
}

// UsersWithoutMFA lists the active users without a factor of an account's
// staff (portalID 0) or of one portal, for the enforcement notice.
// accountID 0 lists every account's staff, for `padlock user list --no-mfa`.
func (tx *Tx) UsersWithoutMFA(ctx context.Context, accountID, portalID int64) ([]*padlock.User, error) {
	return tx.queryUsers(ctx, userSelect+` WHERE ($1 = 0 OR users.account_id = $1)
		AND (($2 = 0 AND users.portal_id IS NULL) OR users.portal_id = $2) AND users.status = $3 AND f.user_id IS NULL
		ORDER BY users.account_id, users.email`, accountID, portalID, string(padlock.StatusActive))
}

// RecomputeMFADeadlines stores every user's deadline for a requirement
// turned on at requiredAt with graceDays: the grace runs from requiredAt or
// from when the user joined, whichever is later. Shortening the grace takes
// effect for everyone at once. A user whose MFA was reset while this
// requirement was on gets no grace: their deadline stays the reset.
func (tx *Tx) RecomputeMFADeadlines(ctx context.Context, accountID int64, requiredAt time.Time, graceDays int) error {
	grace := int64(graceDays) * 24 * 3600
	_, err := tx.exec(ctx, `UPDATE users SET mfa_deadline =
		CASE WHEN mfa_reset_at > 0 AND mfa_reset_at >= $2 THEN mfa_reset_at
		WHEN created_at > $2 THEN created_at + $3 ELSE $2 + $3 END
		WHERE account_id = $1 AND portal_id IS NULL`, accountID, requiredAt.Unix(), grace)
	return err
}

// SetPortalMFADeadlines makes a portal's requirement apply to all its users
// from at (portals have no grace period).
func (tx *Tx) SetPortalMFADeadlines(ctx context.Context, portalID int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE users SET mfa_deadline = $2 WHERE portal_id = $1`, portalID, at.Unix())
	return err
}

// AllUsers lists every account's users, for the operator's `user list`.
func (tx *Tx) AllUsers(ctx context.Context) ([]*padlock.User, error) {
	return tx.queryUsers(ctx, userSelect+` ORDER BY users.account_id, users.email`)
}

// queryUsers runs a userSelect query and scans every row.
func (tx *Tx) queryUsers(ctx context.Context, query string, args ...any) ([]*padlock.User, error) {
	rows, err := tx.q.QueryContext(ctx, query, args...)
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
