package mail

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

const (
	// lease is how long a claimed message is hidden from other workers; it
	// outlasts attemptTimeout so a slow send is never delivered twice.
	lease          = 2 * time.Minute
	attemptTimeout = time.Minute

	firstRetry  = 15 * time.Second
	maxRetry    = time.Hour
	maxAttempts = 12

	defaultPollInterval = 2 * time.Second
)

// Worker drains the outbox. Any number of workers, on any number of nodes,
// may share one database: each message is leased to one of them at a time.
type Worker struct {
	// PollInterval is how often Run looks for due messages without a Wake.
	PollInterval time.Duration

	db     *store.DB
	sender Sender
	logger *slog.Logger
	now    func() time.Time
	wake   chan struct{}
}

// NewWorker returns a worker delivering through s; now is the clock, so tests
// can step through retry delays.
func NewWorker(db *store.DB, s Sender, logger *slog.Logger, now func() time.Time) *Worker {
	return &Worker{
		PollInterval: defaultPollInterval,
		db:           db,
		sender:       s,
		logger:       logger,
		now:          now,
		wake:         make(chan struct{}, 1),
	}
}

// Wake makes Run look for mail now, for callers that just queued some. It
// never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx is done.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
		if _, err := w.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			w.logger.Error("mail: deliver", "err", err)
		}
		t.Reset(w.PollInterval)
	}
}

// DeliverDue sends every message due now and returns how many were sent. A
// failed send is rescheduled, not returned; the error is a database error.
func (w *Worker) DeliverDue(ctx context.Context) (sent int, err error) {
	for ctx.Err() == nil {
		now := w.now()
		m, attempts, err := w.db.Conn().ClaimMail(ctx, now, now.Add(lease))
		if errors.Is(err, padlock.ErrNotFound) {
			return sent, nil
		}
		if err != nil {
			return sent, err
		}
		ok, err := w.deliver(ctx, m, attempts)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, ctx.Err()
}

// deliver sends one claimed message and records the outcome.
func (w *Worker) deliver(ctx context.Context, m *padlock.Mail, attempts int) (bool, error) {
	sendCtx, cancel := context.WithTimeout(ctx, attemptTimeout)
	sendErr := w.sender.Send(sendCtx, *m)
	cancel()
	if sendErr == nil {
		return true, w.db.Conn().MarkMailSent(ctx, m.ID, w.now())
	}
	if ctx.Err() != nil {
		return false, ctx.Err() // shutting down: the lease expires and another attempt follows
	}
	return false, w.reschedule(ctx, m, attempts, sendErr)
}

// reschedule records a failed attempt; after maxAttempts it parks the message
// for good and says so in the log.
func (w *Worker) reschedule(ctx context.Context, m *padlock.Mail, attempts int, sendErr error) error {
	now := w.now()
	retryAt := now.Add(backoff(attempts))
	if attempts >= maxAttempts {
		retryAt = now.AddDate(100, 0, 0)
		w.logger.Error("mail: giving up", "id", m.ID, "to", m.To, "subject", m.Subject,
			"attempts", attempts, "err", sendErr)
	} else {
		w.logger.Warn("mail: send failed; will retry", "id", m.ID, "to", m.To,
			"attempts", attempts, "retry_at", retryAt, "err", sendErr)
	}
	return w.db.Conn().MarkMailFailed(ctx, m.ID, retryAt, sendErr.Error())
}

// backoff is the delay after the given failed attempt (1-based): 15s, 30s,
// 1m, … capped at an hour.
func backoff(attempts int) time.Duration {
	d := firstRetry
	for i := 1; i < attempts && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}
