package mail_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	padmail "github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A link longer than a quoted-printable line, full of characters QP escapes.
const longLink = "https://padlock.example.com/invite/accept?token=Zm9vYmFyYmF6cXV4cXV1eA==&next=%2Fsettings%2Fsecurity&lang=en"

func TestWorkerDeliversQueuedMail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		mail        padlock.Mail
		wantSubject string
	}{
		{
			name:        "an invitation arrives with its long link intact",
			mail:        padmail.Invitation(padmail.InvitationData{To: "ada@example.com", Inviter: "Grace", Account: "Acme", Link: longLink, Expires: start.Add(72 * time.Hour)}),
			wantSubject: "You're invited to Acme on Padlock",
		},
		{
			name:        "a subject with non-ASCII characters arrives readable",
			mail:        padmail.Invitation(padmail.InvitationData{To: "zoe@example.com", Inviter: "Zoë", Account: "Café Zürich", Link: longLink, Expires: start}),
			wantSubject: "You're invited to Café Zürich on Padlock",
		},
		{
			name:        "a password reset arrives",
			mail:        padmail.PasswordReset("bob@example.com", longLink, start.Add(time.Hour)),
			wantSubject: "Reset your Padlock password",
		},
	}
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		srv := testenv.StartSMTP(t)
		w := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), newClock().Now)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				enqueue(t, db, start, tt.mail)
				if n := deliverDue(t, w); n != 1 {
					t.Fatalf("sent %d, want 1", n)
				}
				got := srv.WaitFor(t, tt.mail.To, tt.wantSubject)
				checkReceived(t, got, tt.mail, tt.wantSubject)
				if n := deliverDue(t, w); n != 0 {
					t.Errorf("a second pass sent %d, want 0", n)
				}
			})
		}
	})
}

func checkReceived(t *testing.T, got testenv.ReceivedMail, want padlock.Mail, wantSubject string) {
	t.Helper()
	if got.Subject != wantSubject {
		t.Errorf("Subject = %q, want %q", got.Subject, wantSubject)
	}
	if got.Body != want.Body {
		t.Errorf("Body = %q, want %q", got.Body, want.Body)
	}
	if !strings.Contains(got.Body, longLink) {
		t.Errorf("the link did not survive: %q", got.Body)
	}
	if got.From != "padlock@example.com" || len(got.To) != 1 || got.To[0] != want.To {
		t.Errorf("envelope = %q → %q", got.From, got.To)
	}
	for k, v := range map[string]string{
		"From":                      `"Padlock" <padlock@example.com>`,
		"To":                        "<" + want.To + ">",
		"MIME-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
	} {
		if h := got.Header.Get(k); h != v {
			t.Errorf("%s = %q, want %q", k, h, v)
		}
	}
	if _, err := got.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if _, err := mail.ParseAddress(got.Header.Get("Message-ID")); err != nil {
		t.Errorf("Message-ID %q: %v", got.Header.Get("Message-ID"), err)
	}
}

func TestWorkerRetriesTemporaryFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		delays []time.Duration // between attempts; all but the last attempt fail
	}{
		{"one failure is retried after 15 seconds", []time.Duration{15 * time.Second}},
		{"two failures wait 15 then 30 seconds", []time.Duration{15 * time.Second, 30 * time.Second}},
		{"four failures back off to 2 minutes", []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
				srv, clk := testenv.StartSMTP(t), newClock()
				w := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), clk.Now)
				srv.FailNext(len(tt.delays))
				enqueue(t, db, start, padmail.PasswordChanged("ada@example.com", start))
				if n := deliverDue(t, w); n != 0 {
					t.Fatalf("first attempt sent %d, want a failure", n)
				}
				for i, d := range tt.delays {
					clk.Advance(d - time.Second)
					if n := deliverDue(t, w); n != 0 {
						t.Fatalf("retry %d came before its %v delay", i+1, d)
					}
					clk.Advance(time.Second)
					want := 0
					if i == len(tt.delays)-1 {
						want = 1
					}
					if n := deliverDue(t, w); n != want {
						t.Fatalf("retry %d after %v sent %d, want %d", i+1, d, n, want)
					}
				}
				clk.Advance(24 * time.Hour)
				deliverDue(t, w)
				if got := len(srv.Messages()); got != 1 {
					t.Errorf("server received %d messages, want exactly 1", got)
				}
			})
		})
	}
}

func TestWorkerGivesUpAfterTwelveAttempts(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		srv, clk := testenv.StartSMTP(t), newClock()
		logger, logs := bufferLogger()
		w := padmail.NewWorker(db, smtpSender(t, srv), logger, clk.Now)
		srv.FailNext(12)
		enqueue(t, db, start, padmail.PasswordReset("ada@example.com", longLink, start))
		for range 12 {
			deliverDue(t, w)
			clk.Advance(time.Hour)
		}
		if !strings.Contains(logs.String(), "giving up") {
			t.Errorf("no error logged after the last attempt:\n%s", logs)
		}
		clk.Advance(365 * 24 * time.Hour)
		if n := deliverDue(t, w); n != 0 || len(srv.Messages()) != 0 {
			t.Errorf("a message given up on was sent again")
		}
		if strings.Contains(logs.String(), "token=") {
			t.Errorf("the log holds the body:\n%s", logs)
		}
	})
}

func TestTwoWorkersDeliverEachMessageOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		srv := testenv.StartSMTP(t)
		const total = 20
		for i := range total {
			enqueue(t, db, time.Now(), padmail.PasswordChanged(fmt.Sprintf("user%d@example.com", i), start))
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			sent int
		)
		for range 2 {
			w := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), time.Now)
			wg.Go(func() {
				n, err := w.DeliverDue(context.Background())
				if err != nil {
					t.Errorf("DeliverDue: %v", err)
				}
				mu.Lock()
				sent += n
				mu.Unlock()
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[m.To[0]]++
		}
		if sent != total || len(srv.Messages()) != total || len(seen) != total {
			t.Errorf("workers sent %d, server received %d for %d recipients; want %d each",
				sent, len(srv.Messages()), len(seen), total)
		}
	})
}

func TestWorkerClearsTheBodyAfterSending(t *testing.T) {
	t.Parallel()
	forEachDBWithSQL(t, func(t *testing.T, db *store.DB, raw *sql.DB) {
		srv := testenv.StartSMTP(t)
		w := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), newClock().Now)
		enqueue(t, db, start, padmail.PasswordReset("ada@example.com", longLink, start))
		deliverDue(t, w)
		var (
			body   string
			sentAt int64
		)
		if err := raw.QueryRow(`SELECT body, sent_at FROM outbox`).Scan(&body, &sentAt); err != nil {
			t.Fatal(err)
		}
		if body != "" || sentAt != start.Unix() {
			t.Errorf("after sending: body %q, sent_at %d; want empty body, sent_at %d", body, sentAt, start.Unix())
		}
	})
}

// The message is queued to be due a minute from start: Run's first pass, at
// start, finds nothing due. Only then does the clock reach the message, and
// with an hour between polls only Wake can deliver it within the test.
func TestWakeDeliversWithoutWaitingForThePoll(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		srv := testenv.StartSMTP(t)
		clock := newClock()
		firstPass := make(chan struct{})
		var once sync.Once
		now := func() time.Time {
			at := clock.Now()
			once.Do(func() { close(firstPass) })
			return at
		}
		w := padmail.NewWorker(db, smtpSender(t, srv), discardLogger(), now)
		w.PollInterval = time.Hour
		enqueue(t, db, start.Add(time.Minute), padmail.PasswordChanged("ada@example.com", start))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { w.Run(ctx); close(done) }()
		<-firstPass // the first pass has read the clock: it claims as of start
		clock.Advance(time.Minute)
		w.Wake()
		srv.WaitFor(t, "ada@example.com", "password was changed")
		cancel()
		<-done
	})
}
