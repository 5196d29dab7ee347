package auth

import (
	"context"
	"errors"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Answers to an SSO sign-in whose assertion was valid but whose person
// cannot come in. The identity provider has already vouched for the email,
// so these may say more than the password form's single answer.
var (
	ErrSSOOff     = &padlock.Error{Code: padlock.EFORBIDDEN, Message: "Single sign-on is turned off here. Sign in with your password."}
	ErrSSONoEmail = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your identity provider did not send an email address, so Padlock cannot tell who you are. Ask your administrator to send the email as the NameID."}
	ErrSSONoUser  = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your identity provider signed you in, but this account has no Padlock user with your email address. Ask an administrator to invite you."}
	// ErrSSONoPortalUser is ErrSSONoUser at a client portal.
	ErrSSONoPortalUser = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your identity provider signed you in, but this client portal has no Padlock user with your email address. Ask your portal's administrator to invite you."}
	ErrSSOBlocked      = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your Padlock user cannot sign in: it is deactivated, has not accepted its invitation, or is locked after too many failed attempts."}
)

// ssoRefusal is why an SSO sign-in with a valid assertion was refused: the
// audit detail and the answer.
type ssoRefusal struct {
	reason string
	target int64
	err    error
}

// SignInWithSSO starts a session for a user of the tenant (the account's
// staff, or one portal's users) whose identity provider has signed an
// assertion for email. The caller has checked the assertion (signature,
// audience, time, request, replay) against that tenant's settings.
// authnContext is the assertion's AuthnContextClassRef: if the tenant
// accepts it as MFA performed at the identity provider, the session has
// proved it; either way the same decision as after a correct password
// (beginSession, NextStep) chooses, under the requirement of the user's
// account or portal, between the MFA challenge, enrollment and a full
// session. An unknown email gets a user of the default role only when the
// tenant creates users just in time.
func (s *Service) SignInWithSSO(ctx context.Context, t padlock.SSOTenant, email, authnContext, address string) (*SignedIn, error) {
	var (
		out     *SignedIn
		refused *ssoRefusal
	)
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		cfg, err := tx.SSOConfig(ctx, t)
		if err != nil {
			return err
		}
		if !cfg.Enabled {
			refused = &ssoRefusal{reason: "single sign-on is off", err: ErrSSOOff}
			return nil
		}
		u, r, err := s.ssoUser(ctx, tx, q, cfg, email, address)
		if err != nil || r != nil {
			refused = r
			return err
		}
		out, err = s.ssoSession(ctx, tx, &cfg.SSOConfig, u, authnContext, address, q.Now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, s.recordSSORefusal(ctx, t, address, refused)
	}
	return out, nil
}

// ssoUser finds the tenant's user the assertion names, or creates one just
// in time. Another tenant's user is "no user": the account's identity
// provider speaks for its staff only, and a portal's for that portal's
// users only.
func (s *Service) ssoUser(ctx context.Context, tx *store.Queries, q *MailQueue, cfg *store.SSORecord, email, address string) (*padlock.User, *ssoRefusal, error) {
	email, err := padlock.NormalizeEmail(email)
	if err != nil {
		return nil, &ssoRefusal{reason: "no email address in the assertion", err: ErrSSONoEmail}, nil
	}
	c, err := tx.CredentialsByEmail(ctx, email)
	switch {
	case errors.Is(err, padlock.ErrNotFound) && cfg.JIT:
		u, err := s.createSSOUser(ctx, tx, q, cfg, email, address)
		return u, nil, err
	case errors.Is(err, padlock.ErrNotFound):
		return nil, &ssoRefusal{reason: "no user " + email, err: noUser(cfg.Tenant())}, nil
	case err != nil:
		return nil, nil, err
	case !cfg.Tenant().Has(c.User):
		return nil, &ssoRefusal{reason: "no user " + email + " " + tenantWords(cfg.Tenant()), err: noUser(cfg.Tenant())}, nil
	case c.User.Status != padlock.StatusActive:
		return nil, &ssoRefusal{reason: "user " + string(c.User.Status), target: c.User.ID, err: ErrSSOBlocked}, nil
	case c.LockedUntil.After(q.Now):
		return nil, &ssoRefusal{reason: "locked", target: c.User.ID, err: ErrSSOBlocked}, nil
	}
	return c.User, nil, nil
}

// noUser is the answer to an email that is none of the tenant's users.
func noUser(t padlock.SSOTenant) error {
	if t.IsPortal() {
		return ErrSSONoPortalUser
	}
	return ErrSSONoUser
}

// tenantWords names whose users an email is not among, for the audit log.
func tenantWords(t padlock.SSOTenant) string {
	if t.IsPortal() {
		return "in this portal"
	}
	return "on this account's staff"
}

// createSSOUser adds an active user of the tenant's default SSO role: a
// member of the account's staff, or a user of the portal. The requirement
// of the account or the portal applies to them as to an invited user.
func (s *Service) createSSOUser(ctx context.Context, tx *store.Queries, q *MailQueue, cfg *store.SSORecord, email, address string) (*padlock.User, error) {
	u := &padlock.User{AccountID: cfg.AccountID, PortalID: cfg.PortalID, Email: email, Role: cfg.JITRole, Status: padlock.StatusActive, CreatedAt: q.Now}
	r, err := requirementOf(ctx, tx, u)
	if err != nil {
		return nil, err
	}
	if !r.RequiredAt.IsZero() {
		u.MFADeadline = padlock.MFADeadline(r.RequiredAt, q.Now, r.GraceDays)
	}
	if err := tx.CreateUser(ctx, u, ""); err != nil {
		return nil, err
	}
	detail := "just-in-time, as " + cfg.JITRole.Label()
	if err := tx.RecordEvent(ctx, Event(cfg.AccountID, Actor{Address: address}, padlock.EventSSOUserCreated, u.ID, detail, q.Now)); err != nil {
		return nil, err
	}
	return tx.UserByID(ctx, u.ID)
}

// ssoSession is startSession for an SSO sign-in: MFA performed at the
// identity provider is what the session proved when the tenant accepts its
// context; beginSession decides the rest like after a password.
func (s *Service) ssoSession(ctx context.Context, tx *store.Queries, cfg *padlock.SSOConfig, u *padlock.User, authnContext, address string, now time.Time) (*SignedIn, error) {
	creds, err := tx.LockUser(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	in := sessionStart{user: creds.User, first: padlock.FirstSSO, address: address}
	if cfg.AcceptsIDPMFA(authnContext) {
		in.proved, in.idpStrong = padlock.ProofIDP, cfg.IDPMFAPhishingResistant(authnContext)
	}
	out, err := s.beginSession(ctx, tx, in, now)
	if err != nil {
		return nil, err
	}
	next := ssoOutcome(out.Step, in.proved, authnContext)
	if in.proved == padlock.ProofIDP {
		if err := tx.MarkSSOSession(ctx, out.Session.ID, u.AccountID, authnContext); err != nil {
			return nil, err
		}
	}
	return out, tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventSSOSignIn, u.ID, next, now))
}

// ssoOutcome describes where an SSO sign-in went, for the audit log.
func ssoOutcome(step padlock.Step, proved padlock.Proof, authnContext string) string {
	switch {
	case proved == padlock.ProofIDP:
		return "full session; MFA at the identity provider (" + authnContext + ")"
	case step == padlock.StepChallenge:
		return "MFA challenge"
	case step == padlock.StepEnroll:
		return "MFA enrollment"
	}
	return "full session"
}

func (s *Service) recordSSORefusal(ctx context.Context, t padlock.SSOTenant, address string, r *ssoRefusal) error {
	e := Event(t.AccountID, Actor{Address: address}, padlock.EventSSOFailed, r.target, r.reason, s.now())
	e.PortalID = t.PortalID
	if err := s.DB.Conn().RecordEvent(ctx, e); err != nil {
		return err
	}
	return r.err
}

// refuseIfSSOEnforced closes password sign-in to a user whose tenant (the
// account for its staff, the portal for its users) enforces SSO, unless
// they are one of its break-glass users. It runs after the password was
// checked and answers like a wrong one.
func (s *Service) refuseIfSSOEnforced(ctx context.Context, u *padlock.User, address string, now time.Time) error {
	cfg, err := s.DB.Conn().SSOConfig(ctx, padlock.TenantOf(u))
	if errors.Is(err, padlock.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if !cfg.Enforced() || cfg.IsBreakGlass(u.ID) {
		return nil
	}
	return s.recordRefusal(ctx, u, address, "password sign-in refused: SSO is enforced", now)
}
