package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

const (
	// lease is how long a claimed message is hidden from other workers. It
	// outlasts an attempt and the recording of its outcome together
	// (attemptTimeout + markTries×writeTimeout + the pauses, about 93 s), so
	// a message is never sent again while its worker is still at it.
	lease          = 2 * time.Minute
	attemptTimeout = time.Minute

	firstRetry  = 15 * time.Second
	maxRetry    = time.Hour
	maxAttempts = 12

	// markTries bounds the writes that record a message the relay accepted;
	// the pause between them starts at markFirstPause and doubles.
	markTries      = 6
	markFirstPause = 100 * time.Millisecond
	// writeTimeout bounds each outbox write made once a send is over; those
	// writes go on after shutdown has begun.
	writeTimeout = 5 * time.Second

	defaultPollInterval  = 2 * time.Second
	defaultShutdownGrace = 10 * time.Second
)

// errGraceOver ends a send that was still going when ShutdownGrace ran out.
var errGraceOver = errors.New("mail: stopped by shutdown")

// Worker drains the outbox. Any number of workers, on any number of nodes,
// may share one database: each message is leased to one of them at a time.
//
// A message counts as sent once the relay has accepted its data (250 after
// DATA). The worker records that at once, before ending the SMTP
// conversation, trying the write up to markTries times within the lease; a
// relay that hangs up afterwards, or a shutdown, cannot make it go out
// again. What remains possible is a second copy, with the same Message-ID so
// that a receiver can drop it, when:
//   - the relay took the data but its 250 never reached us (the relay or the
//     connection failed in between): to us that is a failed attempt;
//   - the node dies (kill -9, power loss) between the 250 and the commit of
//     the mark, a window of one database write;
//   - every try of the mark fails: the error says so, and once the lease
//     runs out another attempt sends the message again.
//
// Padlock prefers that to losing a reset link or an unlock notice.
type Worker struct {
	// PollInterval is how often Run looks for due messages without a Wake.
	PollInterval time.Duration
	// ShutdownGrace is how long a send in progress when Run's context ends
	// may take to finish and be recorded. One still going then is stopped
	// and its message released for the next worker at once.
	ShutdownGrace time.Duration

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
		PollInterval:  defaultPollInterval,
		ShutdownGrace: defaultShutdownGrace,
		db:            db,
		sender:        s,
		logger:        logger,
		now:           now,
		wake:          make(chan struct{}, 1),
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

// Run delivers mail until ctx is done. It returns once the send in progress,
// if any, has finished and been recorded, or ShutdownGrace has passed.
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
// Once ctx is done it claims no more messages, but finishes the one in hand.
func (w *Worker) DeliverDue(ctx context.Context) (sent int, err error) {
	for ctx.Err() == nil {
		now := w.now()
		m, attempt, err := w.db.Conn().ClaimMail(ctx, now, now.Add(lease))
		if errors.Is(err, padlock.ErrNotFound) {
			return sent, nil
		}
		if err != nil {
			return sent, err
		}
		ok, err := w.deliver(ctx, m, attempt)
		if ok {
			sent++
		}
		if err != nil {
			return sent, err
		}
	}
	return sent, ctx.Err()
}

// deliver sends one claimed message and records the outcome. It reports
// whether the relay accepted the message, even when recording that failed.
func (w *Worker) deliver(ctx context.Context, m *padlock.Mail, attempt int) (bool, error) {
	sendCtx, cancel := w.sendContext(ctx)
	defer cancel()
	var (
		accepted bool
		markErr  error
	)
	sendErr := w.sender.Send(sendCtx, *m, func() {
		accepted = true
		markErr = w.recordSent(ctx, m)
	})
	if sendErr == nil && !accepted { // a Sender that never says
		accepted = true
		markErr = w.recordSent(ctx, m)
	}
	switch {
	case accepted:
		if sendErr != nil {
			w.logger.Warn("mail: the relay accepted the message, then the conversation failed; it is not sent again",
				"id", m.ID, "message_id", m.MessageID, "err", sendErr)
		}
		return true, markErr
	case errors.Is(context.Cause(sendCtx), errGraceOver):
		w.logger.Warn("mail: shutdown stopped a send; the message is released for the next start",
			"id", m.ID, "message_id", m.MessageID)
		return false, w.release(ctx, m, attempt, w.now(), sendErr)
	default:
		return false, w.reschedule(ctx, m, attempt, sendErr)
	}
}

// sendContext returns the context of one attempt: it ends after
// attemptTimeout, and outlives ctx by up to ShutdownGrace, so a message on
// its way to the relay at shutdown is finished and recorded rather than left
// to its lease.
func (w *Worker) sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	graced, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.NewTimer(w.ShutdownGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancel(errGraceOver)
		case <-graced.Done():
		}
	})
	timed, cancelTimed := context.WithTimeout(graced, attemptTimeout)
	return timed, func() { stop(); cancelTimed(); cancel(nil) }
}

// recordSent marks m sent, trying again when the write fails: until it
// succeeds, only the lease keeps another attempt from sending m again. The
// tries end well inside the lease; after the last one the error says so.
func (w *Worker) recordSent(ctx context.Context, m *padlock.Mail) error {
	pause := markFirstPause
	var err error
	for try := 1; ; try++ {
		wctx, cancel := writeContext(ctx)
		err = w.db.Conn().MarkMailSent(wctx, m.ID, w.now())
		cancel()
		if err == nil || try == markTries {
			break
		}
		w.logger.Warn("mail: recording a sent message failed; retrying",
			"id", m.ID, "message_id", m.MessageID, "try", try, "err", err)
		time.Sleep(pause)
		pause *= 2
	}
	if err != nil {
		return fmt.Errorf("mail: message %d (Message-ID %s) was accepted by the relay but could not be marked sent; it may be delivered again when its lease ends: %w",
			m.ID, m.MessageID, err)
	}
	return nil
}

// writeContext bounds one outbox write made after a send, going on through
// a shutdown.
func writeContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
}

// reschedule records a failed attempt; after maxAttempts it parks the message
// for good and says so in the log.
func (w *Worker) reschedule(ctx context.Context, m *padlock.Mail, attempt int, sendErr error) error {
	now := w.now()
	retryAt := now.Add(backoff(attempt))
	if attempt >= maxAttempts {
		retryAt = now.AddDate(100, 0, 0)
		w.logger.Error("mail: giving up", "id", m.ID, "to", m.To, "subject", m.Subject,
			"attempts", attempt, "err", sendErr)
	} else {
		w.logger.Warn("mail: send failed; will retry", "id", m.ID, "to", m.To,
			"attempts", attempt, "retry_at", retryAt, "err", sendErr)
	}
	return w.release(ctx, m, attempt, retryAt, sendErr)
}

// release ends this worker's lease on m, due again at retryAt.
func (w *Worker) release(ctx context.Context, m *padlock.Mail, attempt int, retryAt time.Time, sendErr error) error {
	wctx, cancel := writeContext(ctx)
	defer cancel()
	return w.db.Conn().MarkMailFailed(wctx, m.ID, attempt, retryAt, sendErr.Error())
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
