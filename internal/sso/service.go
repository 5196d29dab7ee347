// Package sso is Padlock's single sign-on with SAML 2.0: each tenant (an
// account's staff, or one of its client portals) is a service provider
// (SP) of its own, trusting one identity provider (IdP). It builds
// crewjam/saml's ServiceProvider from the tenant's stored settings for
// every request, so every node behaves the same and nothing
// lives only in one node's memory: outstanding requests and the replay cache
// are in the database. A valid assertion is handed to auth, whose state
// machine decides between the MFA challenge, enrollment and a full session.
package sso

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Service carries out SSO configuration, sign-in and connection tests.
type Service struct {
	DB      *store.DB
	Auth    *auth.Service
	BaseURL string // public URL of Padlock; the SP's addresses live under it
	Now     func() time.Time
	Logger  *slog.Logger
	// AllowPrivateMetadataHosts lets "fetch metadata from a URL" reach
	// loopback and private addresses. Off in production, so a tenant's
	// administrator cannot make the server probe its own network; tests
	// turn it on for an IdP on 127.0.0.1.
	AllowPrivateMetadataHosts bool
}

// New returns a Service that tells the time with now, the node's one clock.
func New(db *store.DB, a *auth.Service, baseURL string, logger *slog.Logger, now func() time.Time) *Service {
	return &Service{DB: db, Auth: a, BaseURL: strings.TrimRight(baseURL, "/"), Now: now, Logger: logger}
}

func (s *Service) now() time.Time { return s.Now().Truncate(time.Second) }

// Request lifetimes: a sign-in at the IdP may involve its own MFA.
const requestTTL = 10 * time.Minute

// Purposes of an AuthnRequest.
const (
	purposeSignIn = "sign-in"
	purposeTest   = "test"
)

// mayManage checks the actor's role: SSO settings are for Administrators.
func mayManage(actor auth.Actor) error {
	if actor.User == nil || actor.User.IsPortalUser() || !actor.User.Role.Can(padlock.PermManageSSO) {
		return padlock.Errorf(padlock.EFORBIDDEN, "Only an Administrator may change single sign-on.")
	}
	return nil
}

// PublicIDForEmail finds where "Sign in with SSO" sends an email address.
// The address of an existing staff member goes to their own account's SSO,
// whatever account lists its domain; a portal user's goes nowhere, since
// portal users sign in at the portal. Only an address with no user is sent
// by its domain, to the account that may create the user just in time.
func (s *Service) PublicIDForEmail(ctx context.Context, email string) (string, error) {
	email, err := padlock.NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	c, err := s.DB.Conn().CredentialsByEmail(ctx, email)
	switch {
	case err == nil && c.User.IsPortalUser():
		return "", padlock.FieldError("email", "Client portal users sign in at their portal's sign-in page, /portal/login, not with the account's single sign-on.")
	case err == nil:
		return s.publicIDOfAccount(ctx, c.User.AccountID, email)
	case !errors.Is(err, padlock.ErrNotFound):
		return "", err
	}
	_, domain, _ := strings.Cut(email, "@")
	id, err := s.DB.Conn().SSOPublicIDByDomain(ctx, domain)
	if errors.Is(err, padlock.ErrNotFound) {
		return "", errNoSSOFor(email)
	}
	return id, err
}

// errNoSSOFor answers an address that has no single sign-on, in the same
// words whether or not a staff member has it, so the form tells nobody who
// has a Padlock user.
func errNoSSOFor(email string) error {
	_, domain, _ := strings.Cut(email, "@")
	return padlock.FieldError("email", "Single sign-on is not set up for "+domain+". Sign in with your password, or use the sign-in link your administrator gave you.")
}

// publicIDOfAccount is the SSO address of a user's own account, if its SSO
// is on.
func (s *Service) publicIDOfAccount(ctx context.Context, accountID int64, email string) (string, error) {
	rec, err := s.DB.Conn().SSOConfig(ctx, padlock.SSOTenant{AccountID: accountID})
	if err != nil && !errors.Is(err, padlock.ErrNotFound) {
		return "", err
	}
	if rec == nil || !rec.Enabled || !rec.Configured() {
		return "", errNoSSOFor(email)
	}
	return rec.PublicID, nil
}

func (s *Service) record(ctx context.Context, e padlock.Event) {
	e.At = s.now()
	if err := s.DB.Conn().RecordEvent(ctx, e); err != nil {
		s.Logger.Error("recording an SSO event", "kind", e.Kind, "err", err)
	}
}

func actorOf(u *padlock.User) auth.Actor { return auth.Actor{User: u} }
