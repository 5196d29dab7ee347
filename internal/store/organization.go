package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// CreateOrganization inserts an organization; a duplicate name in the same
// account is ECONFLICT on the name field.
func (q *Queries) CreateOrganization(ctx context.Context, o *padlock.Organization) error {
	err := q.sql.QueryRowContext(ctx, `INSERT INTO organizations (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
		o.AccountID, o.Name, o.CreatedAt.Unix()).Scan(&o.ID)
	if isUniqueViolation(err, "organizations_name_key", "organizations.account_id, organizations.name") {
		return padlock.FieldError("name", "An organization with this name already exists.").WithCode(padlock.ECONFLICT)
	}
	return err
}

// Organization returns an organization of the account.
func (q *Queries) Organization(ctx context.Context, accountID, id int64) (*padlock.Organization, error) {
	var (
		o  padlock.Organization
		at int64
	)
	err := q.sql.QueryRowContext(ctx, `SELECT id, account_id, name, created_at FROM organizations WHERE account_id = $1 AND id = $2`,
		accountID, id).Scan(&o.ID, &o.AccountID, &o.Name, &at)
	if err != nil {
		return nil, notFound(err)
	}
	o.CreatedAt = time.Unix(at, 0)
	return &o, nil
}

// OrganizationsWithoutPortalAfter lists up to limit of an account's
// organizations that have no client portal yet, by name, after the one
// named after ("" for the first): the choices of the New client portal
// form.
func (q *Queries) OrganizationsWithoutPortalAfter(ctx context.Context, accountID int64, after string, limit int) ([]*padlock.Organization, error) {
	return q.organizations(ctx, `SELECT o.id, o.account_id, o.name, o.created_at FROM organizations o
		WHERE o.account_id = $1 AND o.name > $2 AND NOT EXISTS (SELECT 1 FROM portals p WHERE p.organization_id = o.id)
		ORDER BY o.name LIMIT $3`, accountID, after, limit)
}

// OrganizationsAfter lists up to limit of an account's organizations by
// name, after the one named after ("" for the first page). Names are
// unique in an account, so the name alone is the key.
func (q *Queries) OrganizationsAfter(ctx context.Context, accountID int64, after string, limit int) ([]*padlock.Organization, error) {
	return q.organizations(ctx, `SELECT id, account_id, name, created_at FROM organizations
		WHERE account_id = $1 AND name > $2 ORDER BY name LIMIT $3`, accountID, after, limit)
}

func (q *Queries) organizations(ctx context.Context, query string, args ...any) ([]*padlock.Organization, error) {
	rows, err := q.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*padlock.Organization
	for rows.Next() {
		var (
			o  padlock.Organization
			at int64
		)
		if err := rows.Scan(&o.ID, &o.AccountID, &o.Name, &at); err != nil {
			return nil, err
		}
		o.CreatedAt = time.Unix(at, 0)
		out = append(out, &o)
	}
	return out, rows.Err()
}
