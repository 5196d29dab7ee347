package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// CreatePortal inserts a portal; an organization has at most one.
func (q *Queries) CreatePortal(ctx context.Context, p *padlock.Portal) error {
	err := q.sql.QueryRowContext(ctx, `INSERT INTO portals (account_id, organization_id, name, mfa_required_at, mfa_grace_days, created_at, mfa_strict_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		p.AccountID, p.OrganizationID, p.Name, unixOrNone(p.MFARequiredAt), p.MFAGraceDays, p.CreatedAt.Unix(), unixOrNone(p.MFAStrictAt)).Scan(&p.ID)
	if isUniqueViolation(err, "portals_organization_key", "portals.organization_id") {
		return padlock.FieldError("organization", "This organization already has a client portal.").WithCode(padlock.ECONFLICT)
	}
	return err
}

const portalColumns = `id, account_id, organization_id, name, mfa_required_at, mfa_grace_days, created_at, mfa_strict_at`

func scanPortal(row interface{ Scan(...any) error }) (*padlock.Portal, error) {
	var (
		p                     padlock.Portal
		required, cre, strict int64
	)
	if err := row.Scan(&p.ID, &p.AccountID, &p.OrganizationID, &p.Name, &required, &p.MFAGraceDays, &cre, &strict); err != nil {
		return nil, notFound(err)
	}
	p.MFARequiredAt, p.CreatedAt, p.MFAStrictAt = unixOrZero(required), time.Unix(cre, 0), unixOrZero(strict)
	return &p, nil
}

// Portal returns a portal of the account.
func (q *Queries) Portal(ctx context.Context, accountID, id int64) (*padlock.Portal, error) {
	return scanPortal(q.sql.QueryRowContext(ctx, `SELECT `+portalColumns+` FROM portals WHERE account_id = $1 AND id = $2`, accountID, id))
}

// PortalByID returns a portal whatever its account; for its users' sessions.
func (q *Queries) PortalByID(ctx context.Context, id int64) (*padlock.Portal, error) {
	return scanPortal(q.sql.QueryRowContext(ctx, `SELECT `+portalColumns+` FROM portals WHERE id = $1`, id))
}

// PortalSummary is a row of Account > Client portals.
type PortalSummary struct {
	padlock.Portal
	Organization string
	Users        int
	WithMFA      int
}

// PortalKey is a place in the portals list: a page starts after, or ends
// before, the portal with this key.
type PortalKey struct {
	Organization string
	ID           int64
}

// PortalPage selects and pages Account > Client portals, by organization
// name then id. A page is found by key, After or Before (at most one);
// Limit 0 lists every portal. ID, when set, keeps only that portal.
type PortalPage struct {
	ID            int64
	After, Before PortalKey
	Limit         int
}

// clause is the page's conditions, order and limit, with placeholders
// numbered after args, to which it adds its values. Each page reads the
// account's organizations by name from organizations_name_key.
func (p PortalPage) clause(args *[]any) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	var b strings.Builder
	b.WriteString(` AND o.account_id = p.account_id`)
	if p.ID != 0 {
		b.WriteString(` AND p.id = ` + arg(p.ID))
	}
	dir := ``
	switch {
	case p.After.ID != 0:
		name := arg(p.After.Organization)
		b.WriteString(` AND o.name >= ` + name + ` AND (o.name > ` + name + ` OR p.id > ` + arg(p.After.ID) + `)`)
	case p.Before.ID != 0:
		name := arg(p.Before.Organization)
		b.WriteString(` AND o.name <= ` + name + ` AND (o.name < ` + name + ` OR p.id < ` + arg(p.Before.ID) + `)`)
		dir = ` DESC`
	}
	b.WriteString(` ORDER BY o.name` + dir + `, p.id` + dir)
	if p.Limit > 0 {
		b.WriteString(` LIMIT ` + arg(p.Limit))
	}
	return b.String()
}

// Portals lists a page of an account's portals by organization, with their
// users and how many of them have MFA, in the list's order also when the
// page was asked for by the key after it.
func (q *Queries) Portals(ctx context.Context, accountID int64, page PortalPage) ([]PortalSummary, error) {
	args := []any{accountID}
	rows, err := q.sql.QueryContext(ctx, `SELECT p.id, p.account_id, p.organization_id, p.name, p.mfa_required_at, p.mfa_grace_days, p.created_at, p.mfa_strict_at, o.name,
			COALESCE(c.current_users, 0), COALESCE(c.current_with_mfa, 0)
		FROM portals p JOIN organizations o ON o.id = p.organization_id
		LEFT JOIN user_counts c ON c.account_id = p.account_id AND c.portal_id = p.id
		WHERE p.account_id = $1`+page.clause(&args), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PortalSummary
	for rows.Next() {
		var (
			s                     PortalSummary
			required, cre, strict int64
		)
		if err := rows.Scan(&s.ID, &s.AccountID, &s.OrganizationID, &s.Name, &required, &s.MFAGraceDays, &cre, &strict, &s.Organization, &s.Users, &s.WithMFA); err != nil {
			return nil, err
		}
		s.MFARequiredAt, s.CreatedAt, s.MFAStrictAt = unixOrZero(required), time.Unix(cre, 0), unixOrZero(strict)
		out = append(out, s)
	}
	if page.Before.ID != 0 && page.After.ID == 0 {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// UpdatePortal saves a portal's name, requirement and grace period.
func (q *Queries) UpdatePortal(ctx context.Context, p *padlock.Portal) error {
	return q.execOne(ctx, `UPDATE portals SET name = $3, mfa_required_at = $4, mfa_grace_days = $5, mfa_strict_at = $6 WHERE account_id = $1 AND id = $2`,
		p.AccountID, p.ID, p.Name, unixOrNone(p.MFARequiredAt), p.MFAGraceDays, unixOrNone(p.MFAStrictAt))
}

// PortalsOf lists an account's portals by name, without counts.
func (q *Queries) PortalsOf(ctx context.Context, accountID int64) ([]*padlock.Portal, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT `+portalColumns+` FROM portals WHERE account_id = $1 ORDER BY name, id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*padlock.Portal
	for rows.Next() {
		p, err := scanPortal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// HasPortals tells whether the account has a client portal.
func (q *Queries) HasPortals(ctx context.Context, accountID int64) (bool, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM portals WHERE account_id = $1 LIMIT 1) AS one`, accountID).Scan(&n)
	return n > 0, err
}

// DeletePortal removes a portal and, by cascade, its users and their
// sessions, tokens and factors. Nothing else of the account is touched.
func (q *Queries) DeletePortal(ctx context.Context, accountID, id int64) error {
	return q.execOne(ctx, `DELETE FROM portals WHERE account_id = $1 AND id = $2`, accountID, id)
}
