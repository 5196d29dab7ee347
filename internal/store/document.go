package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// CreateDocument inserts a document into an organization of its account.
func (tx *Tx) CreateDocument(ctx context.Context, d *padlock.Document) error {
	return tx.q.QueryRowContext(ctx, `INSERT INTO documents (account_id, organization_id, title, body, updated_at, updated_by, shared_with_portal)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		d.AccountID, d.OrganizationID, d.Title, d.Body, d.UpdatedAt.Unix(), d.UpdatedBy, d.SharedWithPortal).Scan(&d.ID)
}

// UpdateDocument saves a document's title and text.
func (tx *Tx) UpdateDocument(ctx context.Context, d *padlock.Document) error {
	n, err := tx.exec(ctx, `UPDATE documents SET title = $4, body = $5, updated_at = $6, updated_by = $7, shared_with_portal = $8
		WHERE account_id = $1 AND organization_id = $2 AND id = $3`,
		d.AccountID, d.OrganizationID, d.ID, d.Title, d.Body, d.UpdatedAt.Unix(), d.UpdatedBy, d.SharedWithPortal)
	if err == nil && n == 0 {
		return errNotFound
	}
	return err
}

// DeleteDocument removes a document.
func (tx *Tx) DeleteDocument(ctx context.Context, accountID, orgID, id int64) error {
	n, err := tx.exec(ctx, `DELETE FROM documents WHERE account_id = $1 AND organization_id = $2 AND id = $3`, accountID, orgID, id)
	if err == nil && n == 0 {
		return errNotFound
	}
	return err
}

const documentColumns = `id, account_id, organization_id, title, body, updated_at, updated_by, shared_with_portal`

func scanDocument(row interface{ Scan(...any) error }) (*padlock.Document, error) {
	var (
		d  padlock.Document
		at int64
	)
	if err := row.Scan(&d.ID, &d.AccountID, &d.OrganizationID, &d.Title, &d.Body, &at, &d.UpdatedBy, &d.SharedWithPortal); err != nil {
		return nil, notFound(err)
	}
	d.UpdatedAt = time.Unix(at, 0)
	return &d, nil
}

// Document returns one document of an organization of the account.
func (tx *Tx) Document(ctx context.Context, accountID, orgID, id int64) (*padlock.Document, error) {
	return scanDocument(tx.q.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM documents
		WHERE account_id = $1 AND organization_id = $2 AND id = $3`, accountID, orgID, id))
}

// Documents lists an organization's documents by title; sharedOnly keeps
// those shared with its portal.
func (tx *Tx) Documents(ctx context.Context, accountID, orgID int64, sharedOnly bool) ([]*padlock.Document, error) {
	rows, err := tx.q.QueryContext(ctx, `SELECT `+documentColumns+` FROM documents
		WHERE account_id = $1 AND organization_id = $2 AND ($3 = FALSE OR shared_with_portal = TRUE) ORDER BY title, id`, accountID, orgID, sharedOnly)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*padlock.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
