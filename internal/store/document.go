package store

import (
	"context"
	"strconv"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The updated_by column holds the last saver's user id as decimal text
// (it held their name before ids were recorded, and holds the name of a
// saver that is no user: "API key: nightly-report"); reading a document
// joins it to the user, so a renamed user reads under their current name.

// updatedBy is what updated_by stores for d: its saver's id, or without
// one the name it was saved under (UpdatedBy), or "".
func updatedBy(d *padlock.Document) string {
	if d.UpdatedByID == 0 {
		return d.UpdatedBy
	}
	return strconv.FormatInt(d.UpdatedByID, 10)
}

// CreateDocument inserts a document into an organization of its account.
func (q *Queries) CreateDocument(ctx context.Context, d *padlock.Document) error {
	return q.sql.QueryRowContext(ctx, `INSERT INTO documents (account_id, organization_id, title, body, updated_at, updated_by, shared_with_portal)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		d.AccountID, d.OrganizationID, d.Title, d.Body, d.UpdatedAt.Unix(), updatedBy(d), d.SharedWithPortal).Scan(&d.ID)
}

// UpdateDocument saves a document's title and text.
func (q *Queries) UpdateDocument(ctx context.Context, d *padlock.Document) error {
	return q.execOne(ctx, `UPDATE documents SET title = $4, body = $5, updated_at = $6, updated_by = $7, shared_with_portal = $8
		WHERE account_id = $1 AND organization_id = $2 AND id = $3`,
		d.AccountID, d.OrganizationID, d.ID, d.Title, d.Body, d.UpdatedAt.Unix(), updatedBy(d), d.SharedWithPortal)
}

// DeleteDocument removes a document.
func (q *Queries) DeleteDocument(ctx context.Context, accountID, orgID, id int64) error {
	return q.execOne(ctx, `DELETE FROM documents WHERE account_id = $1 AND organization_id = $2 AND id = $3`, accountID, orgID, id)
}

// documentsFrom selects documents (as d) with the name and email of the
// user whose id updated_by holds, if any, in the document's account.
const documentsFrom = `SELECT d.id, d.account_id, d.organization_id, d.title, d.body, d.updated_at, d.updated_by, d.shared_with_portal,
		u.id, COALESCE(u.name, ''), COALESCE(u.email, '')` + documentsJoin

// documentListFrom is documentsFrom without the bodies, which a list never
// shows and which can be long.
const documentListFrom = `SELECT d.id, d.account_id, d.organization_id, d.title, '', d.updated_at, d.updated_by, d.shared_with_portal,
		u.id, COALESCE(u.name, ''), COALESCE(u.email, '')` + documentsJoin

const documentsJoin = `
	FROM documents d
	LEFT JOIN users u ON u.account_id = d.account_id AND d.updated_by <> '' AND CAST(u.id AS TEXT) = d.updated_by`

func scanDocument(row interface{ Scan(...any) error }) (*padlock.Document, error) {
	var (
		d           padlock.Document
		at          int64
		stored      string
		userID      *int64
		name, email string
	)
	if err := row.Scan(&d.ID, &d.AccountID, &d.OrganizationID, &d.Title, &d.Body, &at, &stored, &d.SharedWithPortal,
		&userID, &name, &email); err != nil {
		return nil, notFound(err)
	}
	d.UpdatedAt = time.Unix(at, 0)
	d.UpdatedBy = updaterName(stored, userID, name, email)
	if userID != nil {
		d.UpdatedByID = *userID
	}
	return &d, nil
}

// updaterName is how a document's last saver reads: the user's current
// name (or email), a note for a user who no longer exists, or for a
// document saved before ids were stored the name stored with it.
func updaterName(stored string, userID *int64, name, email string) string {
	switch {
	case userID != nil && name != "":
		return name
	case userID != nil:
		return email
	}
	if id, err := strconv.ParseInt(stored, 10, 64); err == nil && id > 0 {
		return "Deleted user #" + stored
	}
	return stored
}

// Document returns one document of an organization of the account.
func (q *Queries) Document(ctx context.Context, accountID, orgID, id int64) (*padlock.Document, error) {
	return scanDocument(q.sql.QueryRowContext(ctx, documentsFrom+`
		WHERE d.account_id = $1 AND d.organization_id = $2 AND d.id = $3`, accountID, orgID, id))
}

// DocumentKey is where a page of a documents list starts: after the
// document with this title and id. The zero key starts at the beginning.
type DocumentKey struct {
	Title string
	ID    int64
}

// documentListQuery reads a page of an organization's documents by key
// (Documents). It reads documents_list_idx in its order, and each saver by
// users_id_text_idx.
const documentListQuery = documentListFrom + `
		WHERE d.account_id = $1 AND d.organization_id = $2 AND ($3 = FALSE OR d.shared_with_portal = TRUE)
		AND (d.title > $4 OR (d.title = $4 AND d.id > $5))
		ORDER BY d.title, d.id LIMIT $6`

// Documents lists up to limit of an organization's documents by title,
// after the key, without their bodies; sharedOnly keeps those shared with
// its portal.
func (q *Queries) Documents(ctx context.Context, accountID, orgID int64, sharedOnly bool, after DocumentKey, limit int) ([]*padlock.Document, error) {
	rows, err := q.sql.QueryContext(ctx, documentListQuery, accountID, orgID, sharedOnly, after.Title, after.ID, limit)
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
