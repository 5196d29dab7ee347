package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// EnqueueMail writes a message to the outbox; call it in the transaction of
// the change that causes the message, so both happen or neither.
func (tx *Tx) EnqueueMail(ctx context.Context, m padlock.Mail, now time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)`,
		m.To, m.Subject, m.Body, now.Unix())
	return err
}

// ClaimMail takes the oldest message due for delivery and leases it until
// leaseUntil, so another worker (on this node or another) skips it. It
// returns padlock.ErrNotFound when nothing is due.
func (tx *Tx) ClaimMail(ctx context.Context, now, leaseUntil time.Time) (*padlock.Mail, int, error) {
	var (
		m        padlock.Mail
		attempts int
	)
	// The lease condition is repeated in the outer WHERE: PostgreSQL
	// re-checks it on the row a concurrent claimer already updated.
	err := tx.q.QueryRowContext(ctx, `UPDATE outbox SET locked_until = $2, attempts = attempts + 1
		WHERE id = (SELECT id FROM outbox WHERE sent_at = 0 AND next_attempt_at <= $1 AND locked_until <= $1 ORDER BY id LIMIT 1)
		  AND sent_at = 0 AND locked_until <= $1
		RETURNING id, recipient, subject, body, attempts`, now.Unix(), leaseUntil.Unix()).
		Scan(&m.ID, &m.To, &m.Subject, &m.Body, &attempts)
	if err != nil {
		return nil, 0, notFound(err)
	}
	return &m, attempts, nil
}

// MarkMailSent records delivery and drops the body, which may hold a
// single-use link.
func (tx *Tx) MarkMailSent(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE outbox SET sent_at = $2, body = '', last_error = '' WHERE id = $1`, id, at.Unix())
	return err
}

// MarkMailFailed releases a message for another attempt at retryAt.
func (tx *Tx) MarkMailFailed(ctx context.Context, id int64, retryAt time.Time, reason string) error {
	_, err := tx.exec(ctx, `UPDATE outbox SET next_attempt_at = $2, locked_until = 0, last_error = $3 WHERE id = $1`,
		id, retryAt.Unix(), reason)
	return err
}

// PendingMail counts messages not yet delivered, for /metrics.
func (tx *Tx) PendingMail(ctx context.Context) (int, error) {
	var n int
	err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at = 0`).Scan(&n)
	return n, err
}
