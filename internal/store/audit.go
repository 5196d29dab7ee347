package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// RecordEvent appends to the audit log.
func (q *Queries) RecordEvent(ctx context.Context, e padlock.Event) error {
	var acct any
	if e.AccountID != 0 {
		acct = e.AccountID
	}
	// An event about a portal user is attributed to their portal.
	_, err := q.exec(ctx, `INSERT INTO audit_events (account_id, portal_id, actor_id, target_id, kind, detail, address, created_at, actor_label)
		VALUES ($1, CASE WHEN $2 <> 0 THEN $2 ELSE COALESCE((SELECT portal_id FROM users WHERE id = $4), 0) END, $3, $4, $5, $6, $7, $8, $9)`,
		acct, e.PortalID, e.ActorID, e.TargetID, e.Kind, e.Detail, e.Address, e.At.Unix(), e.ActorLabel)
	return err
}

// Events returns an account's newest events first, at most limit.
func (q *Queries) Events(ctx context.Context, accountID int64, limit int) ([]padlock.Event, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT id, account_id, portal_id, actor_id, target_id, kind, detail, address, created_at, actor_label
		FROM audit_events WHERE account_id = $1 ORDER BY id DESC LIMIT $2`, accountID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []padlock.Event
	for rows.Next() {
		var (
			e  padlock.Event
			at int64
		)
		if err := rows.Scan(&e.ID, &e.AccountID, &e.PortalID, &e.ActorID, &e.TargetID, &e.Kind, &e.Detail, &e.Address, &at, &e.ActorLabel); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0)
		out = append(out, e)
	}
	return out, rows.Err()
}
