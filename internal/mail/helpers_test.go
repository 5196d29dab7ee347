package mail_test

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// start is a whole second, so retry times stored as Unix seconds are exact.
var start = time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC)

// clock is a settable clock for stepping through retry delays.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: start} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func bufferLogger() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

func enqueue(t *testing.T, db *store.DB, now time.Time, msgs ...padlock.Mail) {
	t.Helper()
	err := db.InTx(context.Background(), func(tx *store.Queries) error {
		for _, m := range msgs {
			if err := tx.EnqueueMail(context.Background(), m, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func smtpSender(t *testing.T, srv *testenv.SMTPServer) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(srv.URL(), "Padlock <padlock@example.com>")
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

func deliverDue(t *testing.T, w *mail.Worker) int {
	t.Helper()
	n, err := w.DeliverDue(context.Background())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	return n
}

// forEachDBWithSQL is testenv.ForEachDB with a plain SQL handle beside the
// store, to look at outbox columns no store method returns.
func forEachDBWithSQL(t *testing.T, fn func(t *testing.T, db *store.DB, raw *sql.DB)) {
	t.Helper()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			url, dir := testenv.DatabaseURL(t, d), t.TempDir()
			db, err := store.Open(context.Background(), url, dir)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			driver, dsn := "pgx", url
			if d == store.SQLite {
				driver, dsn = "sqlite", filepath.Join(dir, "padlock.db")
			}
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatalf("open raw: %v", err)
			}
			t.Cleanup(func() { raw.Close() })
			fn(t, db, raw)
		})
	}
}
