// Package admin is account administration: the account's users and their
// roles, invitations, client portals, the account's authentication settings
// and Reset MFA. Each method is one transaction holding the change, its
// audit event and its email, like the sign-in service in auth, whose
// transaction, mail queue and audit helpers it shares.
package admin

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Config holds what administration needs of the server's configuration.
type Config struct {
	BaseURL       string // public URL, for links in email
	InvitationTTL time.Duration
}

// ConfigFrom takes the administration settings from the sign-in service's,
// so both services build links and invitations alike.
func ConfigFrom(c auth.Config) Config {
	return Config{BaseURL: c.BaseURL, InvitationTTL: c.InvitationTTL}
}

// Service carries out the changes an Administrator or Manager makes to
// their account, and the operator's Reset MFA from the command line.
type Service struct {
	DB     *store.DB
	Config Config
	Now    func() time.Time
	// MailQueued is called after a transaction that queued email commits,
	// to wake the delivery worker. May be nil.
	MailQueued func()
}

// NewService returns a Service that tells the time with now, the node's
// one clock.
func NewService(db *store.DB, cfg Config, now func() time.Time) *Service {
	return &Service{DB: db, Config: cfg, Now: now}
}

func (s *Service) now() time.Time { return s.Now().Truncate(time.Second) }

func (s *Service) inTx(ctx context.Context, fn func(tx *store.Queries, q *auth.MailQueue) error) error {
	return auth.InTx(ctx, s.DB, s.now, s.MailQueued, fn)
}

func (s *Service) link(u *padlock.User, path string) string {
	return auth.Link(s.Config.BaseURL, u, path)
}

// signInLink is the link to the sign-in page of u's tenant
// (auth.SignInPath).
func (s *Service) signInLink(ctx context.Context, tx *store.Queries, u *padlock.User) (string, error) {
	path, err := auth.SignInPath(ctx, tx, u.AccountID, u.PortalID)
	return s.link(u, path), err
}

// asOperator runs an operator's action on the user with the email, in one
// transaction.
func (s *Service) asOperator(ctx context.Context, email string, fn func(*store.Queries, *auth.MailQueue, *padlock.User) error) (*padlock.User, error) {
	email, err := padlock.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	var u *padlock.User
	err = s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		var err error
		if u, err = auth.OperatorTarget(ctx, tx, email); err != nil {
			return err
		}
		return fn(tx, q, u)
	})
	return u, err
}
