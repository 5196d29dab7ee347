package auth

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Config holds the sign-in rules. DefaultConfig gives the documented
// defaults.
type Config struct {
	BaseURL          string        // public URL, for links in email
	SessionIdle      time.Duration // for new accounts
	SessionLifetime  time.Duration // for new accounts
	InvitationTTL    time.Duration
	ResetTTL         time.Duration
	UnlockTTL        time.Duration
	SetupTTL         time.Duration
	LockoutThreshold int
	LockoutDuration  time.Duration
	// RPID and RPOrigin are the WebAuthn relying party (config.WebAuthnRP);
	// empty RPID leaves passkeys unavailable.
	RPID, RPOrigin string
}

// DefaultConfig returns the defaults that README.md and docs/ADMIN_GUIDE.md
// state (session timeouts, link lifetimes, lockout); app.New overrides some
// from the configuration.
func DefaultConfig() Config {
	return Config{
		BaseURL:          "http://127.0.0.1:8080",
		SessionIdle:      5 * time.Hour,
		SessionLifetime:  24 * time.Hour,
		InvitationTTL:    72 * time.Hour,
		ResetTTL:         30 * time.Minute,
		UnlockTTL:        24 * time.Hour,
		SetupTTL:         24 * time.Hour,
		LockoutThreshold: 10,
		LockoutDuration:  15 * time.Minute,
	}
}

// Service carries out the ways in (setup, sign-in, SSO sign-in, accepting an
// invitation, resets, unlocks), sessions and a user's own MFA. Each method is
// one transaction: the change, its audit event and its email commit
// together. Account administration is admin.Service.
type Service struct {
	DB     *store.DB
	Hasher *Hasher
	// Sealer encrypts factor secrets and keys recovery-code hashes.
	Sealer *mfa.Sealer
	Config Config
	Now    func() time.Time
	Logger *slog.Logger
	// MailQueued is called after a transaction that queued email commits,
	// to wake the delivery worker. May be nil.
	MailQueued func()
	// PendingSignInsPerClient bounds the unfinished sign-ins one client
	// starts each public way; 0 means padlock.MaxPendingSignInsPerClient.
	PendingSignInsPerClient int
	rp                      *webauthn.WebAuthn // nil without a relying party
}

// PendingSignInCap is how many unfinished sign-ins one client may hold
// each public way (see padlock.MaxPendingSignInsPerClient).
func (s *Service) PendingSignInCap() int {
	if s.PendingSignInsPerClient > 0 {
		return s.PendingSignInsPerClient
	}
	return padlock.MaxPendingSignInsPerClient
}

// NewService returns a Service that tells the time with now: the node's one
// clock, which tests move by hand.
func NewService(db *store.DB, h *Hasher, sealer *mfa.Sealer, cfg Config, logger *slog.Logger, now func() time.Time) *Service {
	s := &Service{DB: db, Hasher: h, Sealer: sealer, Config: cfg, Now: now, Logger: logger}
	rp, err := newRelyingParty(cfg)
	if err != nil {
		logger.Warn("passkeys are unavailable", "rp_id", cfg.RPID, "err", err)
	}
	s.rp = rp
	return s
}

func (s *Service) now() time.Time { return s.Now().Truncate(time.Second) }

// inTx runs fn in a transaction and wakes the mail worker if fn queued mail.
func (s *Service) inTx(ctx context.Context, fn func(tx *store.Queries, q *MailQueue) error) error {
	return InTx(ctx, s.DB, s.now, s.MailQueued, fn)
}

// InTx runs fn in one transaction on db, with a mail queue whose Now is
// now() at the transaction's start, and calls wake (if not nil) after a
// commit that queued mail. It is how every service call of auth and admin
// holds its change, its audit event and its email together.
func InTx(ctx context.Context, db *store.DB, now func() time.Time, wake func(), fn func(tx *store.Queries, q *MailQueue) error) error {
	q := &MailQueue{}
	err := db.InTx(ctx, func(tx *store.Queries) error {
		q.tx, q.Now, q.ctx = tx, now(), ctx
		return fn(tx, q)
	})
	if err == nil && q.n > 0 && wake != nil {
		wake()
	}
	return err
}

// MailQueue queues mail in the surrounding transaction; Now is the
// transaction's time, for its audit events and tokens.
type MailQueue struct {
	Now time.Time
	ctx context.Context
	tx  *store.Queries
	n   int
}

// Add writes m to the outbox in the transaction.
func (q *MailQueue) Add(m padlock.Mail) error {
	q.n++
	return q.tx.EnqueueMail(q.ctx, m, q.Now)
}

// link builds an absolute URL under the configured base, on the surface
// where u signs in: a portal user's links lead to the portal.
func (s *Service) link(u *padlock.User, path string) string {
	return Link(s.Config.BaseURL, u, path)
}

// Link builds an absolute URL under base, on the surface where u signs in.
func Link(base string, u *padlock.User, path string) string {
	return strings.TrimRight(base, "/") + u.Surface().Prefix() + path
}

// SignInPath is the sign-in page of a tenant's users, under their
// surface: a client portal whose SSO is on has its own, which offers "Sign
// in with SSO"; the account and every other portal have the surface's.
func SignInPath(ctx context.Context, q *store.Queries, accountID, portalID int64) (string, error) {
	if portalID == 0 {
		return "/login", nil
	}
	id, err := q.PortalSSOAddress(ctx, accountID, portalID)
	if err != nil || id == "" {
		return "/login", err
	}
	return "/login?sso=" + url.QueryEscape(id), nil
}

// Actor is who asks for a change, and from where. For a request made
// with an API key, User is the key's principal (KeyPrincipal) and Key the
// key, which the audit log names as the actor.
type Actor struct {
	User    *padlock.User
	Address string
	Key     *padlock.APIKey
}

func (a Actor) id() int64 {
	if a.User == nil {
		return 0
	}
	return a.User.ID
}

// Event is the audit event of a change the actor made in the account, at
// the transaction's time.
func Event(accountID int64, a Actor, kind string, target int64, detail string, at time.Time) padlock.Event {
	e := padlock.Event{AccountID: accountID, ActorID: a.id(), TargetID: target, Kind: kind, Detail: detail, Address: a.Address, At: at}
	if a.Key != nil {
		e.ActorLabel = a.Key.ActorLabel()
	}
	return e
}
