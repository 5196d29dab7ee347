package testenv

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// TakeMail claims every message waiting in db's outbox, as the delivery
// worker would, so each message is returned once. Service-level tests read
// mail this way, without a worker or an SMTP server.
func TakeMail(t testing.TB, db *store.DB) []padlock.Mail {
	t.Helper()
	ctx := context.Background()
	far := time.Now().Add(100 * 365 * 24 * time.Hour)
	var out []padlock.Mail
	for {
		var m *padlock.Mail
		err := db.InTx(ctx, func(tx *store.Queries) error {
			var err error
			m, _, err = tx.ClaimMail(ctx, far, far.Add(time.Hour))
			if err == nil {
				err = tx.MarkMailSent(ctx, m.ID, far)
			}
			return err
		})
		if errors.Is(err, padlock.ErrNotFound) {
			return out
		}
		if err != nil {
			t.Fatalf("outbox: %v", err)
		}
		out = append(out, *m)
	}
}

// MailsTo keeps the messages to one address whose subject contains subject.
func MailsTo(msgs []padlock.Mail, to, subject string) []padlock.Mail {
	var out []padlock.Mail
	for _, m := range msgs {
		if m.To == to && strings.Contains(m.Subject, subject) {
			out = append(out, m)
		}
	}
	return out
}

// MailToken takes the outbox and returns the token of the one link after
// prefix in the newest message to the address with subject.
func MailToken(t testing.TB, db *store.DB, to, subject, prefix string) string {
	t.Helper()
	msgs := MailsTo(TakeMail(t, db), to, subject)
	if len(msgs) == 0 {
		t.Fatalf("no mail to %s with subject containing %q", to, subject)
	}
	return LinkToken(t, msgs[len(msgs)-1].Body, prefix)
}

// Credentials reads what sign-in sees of a user.
func Credentials(t testing.TB, db *store.DB, email string) *store.Credentials {
	t.Helper()
	c, err := db.Conn().CredentialsByEmail(context.Background(), email)
	if err != nil {
		t.Fatalf("credentials of %s: %v", email, err)
	}
	return c
}
