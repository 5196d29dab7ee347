package store

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// EnqueueMail writes a message to the outbox; call it in the transaction of
// the change that causes the message, so both happen or neither. A message
// without a MessageID gets a new one here, kept for every delivery attempt.
func (q *Queries) EnqueueMail(ctx context.Context, m padlock.Mail, now time.Time) error {
	if m.MessageID == "" {
		m.MessageID = newMessageID()
	}
	_, err := q.exec(ctx, `INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at, message_id) VALUES ($1, $2, $3, $4, $4, $5)`,
		m.To, m.Subject, m.Body, now.Unix(), m.MessageID)
	return err
}

// newMessageID returns the unique left part of a Message-ID: 128 random
// bits in base32, which needs no quoting in a header.
func newMessageID() string { return rand.Text() }

// ClaimMail takes the oldest message due for delivery and leases it until
// leaseUntil, so another worker (on this node or another) skips it. The
// attempt number it returns names this claim, for MarkMailFailed. A message
// queued before Message-IDs were stored gets one now, in the same statement,
// so its first attempt already sends the one every later attempt will. It
// returns padlock.ErrNotFound when nothing is due.
func (q *Queries) ClaimMail(ctx context.Context, now, leaseUntil time.Time) (*padlock.Mail, int, error) {
	var (
		m        padlock.Mail
		attempts int
	)
	// The lease condition is repeated in the outer WHERE: PostgreSQL
	// re-checks it on the row a concurrent claimer already updated.
	err := q.sql.QueryRowContext(ctx, `UPDATE outbox SET locked_until = $2, attempts = attempts + 1,
		    message_id = CASE WHEN message_id = '' THEN $3 ELSE message_id END
		WHERE id = (SELECT id FROM outbox WHERE sent_at = 0 AND next_attempt_at <= $1 AND locked_until <= $1 ORDER BY id LIMIT 1)
		  AND sent_at = 0 AND locked_until <= $1
		RETURNING id, recipient, subject, body, message_id, attempts`, now.Unix(), leaseUntil.Unix(), newMessageID()).
		Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.MessageID, &attempts)
	if err != nil {
		return nil, 0, notFound(err)
	}
	return &m, attempts, nil
}

// MarkMailSent records delivery and drops the body, which may hold a
// single-use link. Whoever saw the relay accept the message may call it,
// whatever became of its lease since.
func (q *Queries) MarkMailSent(ctx context.Context, id int64, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE outbox SET sent_at = $2, body = '', last_error = '' WHERE id = $1`, id, at.Unix())
	return err
}

// MarkMailFailed releases a message for another attempt at retryAt. Only the
// claim numbered attempt may release it, and only while unsent: a worker that
// outlived its lease never frees a message another worker is sending.
func (q *Queries) MarkMailFailed(ctx context.Context, id int64, attempt int, retryAt time.Time, reason string) error {
	_, err := q.exec(ctx, `UPDATE outbox SET next_attempt_at = $3, locked_until = 0, last_error = $4
		WHERE id = $1 AND attempts = $2 AND sent_at = 0`,
		id, attempt, retryAt.Unix(), reason)
	return err
}

// PendingMail counts messages not yet delivered, for /metrics.
func (q *Queries) PendingMail(ctx context.Context) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at = 0`).Scan(&n)
	return n, err
}
