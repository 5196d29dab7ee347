package mail_test

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	padmail "github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// These tests play the relays and shutdowns that used to deliver a message
// more than once, and check that each reaches the relay once, or at least
// carries one Message-ID on every attempt.

// pastTheLease is long enough for any lease a worker takes to run out.
const pastTheLease = 3 * time.Minute

func TestARelayThatDropsTheConnectionAtQuitGetsTheMessageOnce(t *testing.T) {
	t.Parallel()
	forEachDBWithSQL(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		srv, clk := testenv.StartSMTP(t), newClock()
		logger, logs := bufferLogger()
		w := padmail.NewWorker(db, smtpSender(t, srv), logger, clk.Now)
		srv.DropAtQuit(12)
		enqueue(t, db, start, padmail.PasswordChanged("ada@example.com", start))
		n, err := w.DeliverDue(context.Background())
		if n != 1 || err != nil {
			t.Fatalf("DeliverDue = %d, %v; want the accepted message counted as sent", n, err)
		}
		for range 12 {
			clk.Advance(time.Hour)
			deliverDue(t, w)
		}
		if got := len(srv.Messages()); got != 1 {
			t.Errorf("the relay received %d copies, want 1", got)
		}
		if row := readOutbox(t, raw); row.sentAt != start.Unix() {
			t.Errorf("sent_at = %d, want %d", row.sentAt, start.Unix())
		}
		if !strings.Contains(logs.String(), "level=WARN") {
			t.Errorf("the failed goodbye was not logged:\n%s", logs)
		}
	})
}

func TestEveryAttemptOfARetriedMessageCarriesTheSameMessageID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		legacy bool // queued before outbox.message_id existed
	}{
		{"a message queued today keeps the Message-ID it was queued with", false},
		{"a message queued before Message-IDs were stored keeps the one its first attempt chose", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEachDBWithSQL(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
				srv, clk := testenv.StartSMTP(t), newClock()
				w := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), clk.Now)
				srv.FailNext(2)
				enqueue(t, db, start, padmail.PasswordReset("ada@example.com", longLink, start))
				queued := readOutbox(t, raw).messageID
				if tt.legacy {
					mustExec(t, raw, `UPDATE outbox SET message_id = ''`)
				} else if queued == "" {
					t.Fatal("the message was queued without a Message-ID")
				}
				deliverDue(t, w)
				stored := readOutbox(t, raw).messageID
				if stored == "" || (!tt.legacy && stored != queued) {
					t.Fatalf("after the first attempt message_id = %q, queued with %q", stored, queued)
				}
				for _, d := range []time.Duration{15 * time.Second, 30 * time.Second} {
					clk.Advance(d)
					deliverDue(t, w)
				}
				attempts := srv.Attempts()
				if len(attempts) != 3 || len(srv.Messages()) != 1 {
					t.Fatalf("the relay saw %d attempts and kept %d messages, want 3 and 1", len(attempts), len(srv.Messages()))
				}
				want := "<" + stored + "@example.com>"
				for i, a := range attempts {
					if got := a.Header.Get("Message-ID"); got != want {
						t.Errorf("attempt %d: Message-ID %q, want %q", i+1, got, want)
					}
				}
			})
		})
	}
}

func TestEachQueuedMessageGetsItsOwnMessageID(t *testing.T) {
	t.Parallel()
	forEachDBWithSQL(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		enqueue(t, db, start,
			padmail.PasswordChanged("ada@example.com", start),
			padmail.PasswordChanged("bob@example.com", start))
		var n, distinct int
		err := raw.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT message_id) FROM outbox WHERE message_id <> ''`).Scan(&n, &distinct)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || distinct != 2 {
			t.Errorf("%d messages with a Message-ID, %d distinct; want 2 and 2", n, distinct)
		}
	})
}

func TestAWorkerStoppedMidSendDeliversOnceAfterARestart(t *testing.T) {
	t.Parallel()
	forEachDBWithSQL(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		srv, clk := testenv.StartSMTP(t), newClock()
		held, release := srv.HoldNextData()
		enqueue(t, db, start, padmail.PasswordChanged("ada@example.com", start))
		w := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), clk.Now)
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		waitFor(t, held, "the relay to receive the data")
		stop() // SIGTERM while the relay has the data but has not answered
		release()
		waitFor(t, done, "the worker to stop")
		if row := readOutbox(t, raw); row.sentAt == 0 {
			t.Errorf("the worker stopped without recording the send it finished")
		}

		clk.Advance(pastTheLease)
		restarted := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), clk.Now)
		deliverDue(t, restarted)
		if got := len(srv.Messages()); got != 1 {
			t.Errorf("the relay received %d copies, want 1", got)
		}
	})
}

func TestASendStillGoingWhenTheShutdownGraceEndsIsReleasedForTheNextStart(t *testing.T) {
	t.Parallel()
	forEachDBWithSQL(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		clk := newClock()
		stuck := stuckSender{started: make(chan struct{})}
		w := padmail.NewWorker(db, stuck, discardLogger(), clk.Now)
		w.ShutdownGrace = time.Millisecond
		enqueue(t, db, start, padmail.PasswordChanged("ada@example.com", start))
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		waitFor(t, stuck.started, "the send to start")
		stop()
		waitFor(t, done, "the worker to stop")
		if row := readOutbox(t, raw); row.sentAt != 0 || row.lockedUntil != 0 || row.nextAttemptAt > start.Unix() {
			t.Errorf("after shutdown: %+v; want the message unsent, unleased and due now", row)
		}

		srv := testenv.StartSMTP(t) // the same clock: no lease has run out
		restarted := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), clk.Now)
		if n := deliverDue(t, restarted); n != 1 || len(srv.Messages()) != 1 {
			t.Errorf("the next start sent %d and the relay received %d, want 1 and 1", n, len(srv.Messages()))
		}
	})
}

// stuckSender is a relay that never answers: Send waits for its context.
type stuckSender struct{ started chan struct{} }

func (s stuckSender) Send(ctx context.Context, _ padlock.Mail, _ func()) error {
	close(s.started)
	<-ctx.Done()
	return ctx.Err()
}

func TestAMessageWhoseSentMarkFailsAtFirstIsNotSentAgain(t *testing.T) {
	t.Parallel()
	forEachDBWithSQL(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		refuseSentMarks(t, db.Dialect(), raw)
		var once sync.Once
		allow := func() { once.Do(func() { mustExec(t, raw, `DELETE FROM refuse_sent_mark`) }) }
		srv, clk := testenv.StartSMTP(t), newClock()
		w := padmail.NewWorker(db, smtpSender(t, srv), hookLogger("retrying", allow), clk.Now)
		enqueue(t, db, start, padmail.PasswordChanged("ada@example.com", start))
		w.DeliverDue(context.Background()) // the first mark fails; a retry may not
		clk.Advance(pastTheLease)
		w.DeliverDue(context.Background())
		if got := len(srv.Messages()); got != 1 {
			t.Errorf("the relay received %d copies, want 1", got)
		}
		if row := readOutbox(t, raw); row.sentAt == 0 {
			t.Errorf("the message is not marked sent")
		}
	})
}

// refuseSentMarks makes the database refuse to mark mail sent while the
// table refuse_sent_mark has a row, as a database that fails a write would.
func refuseSentMarks(t *testing.T, d store.Dialect, raw *sql.DB) {
	t.Helper()
	stmts := []string{
		`CREATE TABLE refuse_sent_mark (n INTEGER)`,
		`INSERT INTO refuse_sent_mark VALUES (1)`,
		`CREATE TRIGGER refuse_sent_mark BEFORE UPDATE OF sent_at ON outbox
		 WHEN NEW.sent_at <> 0 AND EXISTS (SELECT 1 FROM refuse_sent_mark)
		 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
	}
	if d == store.Postgres {
		stmts[2] = `CREATE FUNCTION refuse_sent_mark() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN
		   IF NEW.sent_at <> 0 AND EXISTS (SELECT 1 FROM refuse_sent_mark) THEN
		     RAISE EXCEPTION 'refused by the test';
		   END IF;
		   RETURN NEW;
		 END $$`
		stmts = append(stmts, `CREATE TRIGGER refuse_sent_mark BEFORE UPDATE ON outbox
		 FOR EACH ROW EXECUTE FUNCTION refuse_sent_mark()`)
	}
	for _, s := range stmts {
		mustExec(t, raw, s)
	}
}

// outboxRow is what the tests look at in the one row of the outbox.
type outboxRow struct {
	sentAt, lockedUntil, nextAttemptAt int64
	messageID                          string
}

func readOutbox(t *testing.T, raw *sql.DB) outboxRow {
	t.Helper()
	var r outboxRow
	err := raw.QueryRow(`SELECT sent_at, locked_until, next_attempt_at, message_id FROM outbox`).
		Scan(&r.sentAt, &r.lockedUntil, &r.nextAttemptAt, &r.messageID)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	return r
}

func mustExec(t *testing.T, raw *sql.DB, query string) {
	t.Helper()
	if _, err := raw.Exec(query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// waitFor fails the test if ch is not closed within ten seconds.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// hookLogger discards the log but calls fn for each record whose message
// contains match, so a test can act at a point the worker logs.
func hookLogger(match string, fn func()) *slog.Logger {
	return slog.New(hookHandler{Handler: discardLogger().Handler(), match: match, fn: fn})
}

type hookHandler struct {
	slog.Handler
	match string
	fn    func()
}

func (h hookHandler) Handle(ctx context.Context, r slog.Record) error {
	if strings.Contains(r.Message, h.match) {
		h.fn()
	}
	return h.Handler.Handle(ctx, r)
}
