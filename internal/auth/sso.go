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
	ErrSSOOff     = &padlock.Error{Code: padlock.EFORBIDDEN, Message: "Single sign-on is turned off for this account. Sign in with your password."}
	ErrSSONoEmail = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your identity provider did not send an email address, so Padlock cannot tell who you are. Ask your administrator to send the email as the NameID."}
	ErrSSONoUser  = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your identity provider signed you in, but this account has no Padlock user with your email address. Ask an administrator to invite you."}
	ErrSSOBlocked = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your Padlock user cannot sign in: it is deactivated, has not accepted its invitation, or is locked after too many failed attempts."}
)

// ssoRefusal is why an SSO sign-in with a valid assertion was refused: the
// audit detail and the answer.
type ssoRefusal struct {
	reason string
	target int64
	err    error
}

// SignInWithSSO starts a session for a staff member of the account whose
// identity provider has signed an assertion for email. The caller has
// checked the assertion (signature, audience, time, request, replay).
// authnContext is the assertion's AuthnContextClassRef: if the account
// accepts it as MFA performed at the identity provider, the session is full;
// otherwise the same state machine as a correct password decides, from
// stored policy, between the MFA challenge, enrollment and a full session.
// An unknown email gets a user of the default role only when the account
// creates users just in time.
func (s *Service) SignInWithSSO(ctx context.Context, accountID int64, email, authnContext, address string) (*SignedIn, error) {
	var (
		out     *SignedIn
		refused *ssoRefusal
	)
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		cfg, err := tx.SSOConfig(ctx, accountID)
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
		return nil, s.recordSSORefusal(ctx, accountID, address, refused)
	}
	return out, nil
}

// ssoUser finds the staff member the assertion names, or creates one just
// in time. Another account's user and a portal user are "no user": an
// identity provider speaks for its own account's staff only.
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
		return nil, &ssoRefusal{reason: "no user " + email, err: ErrSSONoUser}, nil
	case err != nil:
		return nil, nil, err
	case c.User.AccountID != cfg.AccountID || c.User.IsPortalUser():
		return nil, &ssoRefusal{reason: "no user " + email + " on this account's staff", err: ErrSSONoUser}, nil
	case c.User.Status != padlock.StatusActive:
		return nil, &ssoRefusal{reason: "user " + string(c.User.Status), target: c.User.ID, err: ErrSSOBlocked}, nil
	case c.LockedUntil.After(q.Now):
		return nil, &ssoRefusal{reason: "locked", target: c.User.ID, err: ErrSSOBlocked}, nil
	}
	return c.User, nil, nil
}

// createSSOUser adds an active user of the account's default SSO role. The
// account's MFA requirement applies to them as to an invited user.
func (s *Service) createSSOUser(ctx context.Context, tx *store.Queries, q *MailQueue, cfg *store.SSORecord, email, address string) (*padlock.User, error) {
	acct, err := tx.Account(ctx, cfg.AccountID)
	if err != nil {
		return nil, err
	}
	u := &padlock.User{AccountID: acct.ID, Email: email, Role: cfg.JITRole, Status: padlock.StatusActive, CreatedAt: q.Now}
	if acct.RequiresMFA() {
		u.MFADeadline = padlock.MFADeadline(acct.MFARequiredAt, q.Now, acct.MFAGraceDays)
	}
	if err := tx.CreateUser(ctx, u, ""); err != nil {
		return nil, err
	}
	detail := "just-in-time, as " + cfg.JITRole.Label()
	if err := tx.RecordEvent(ctx, Event(acct.ID, Actor{Address: address}, padlock.EventSSOUserCreated, u.ID, detail, q.Now)); err != nil {
		return nil, err
	}
	return tx.UserByID(ctx, u.ID)
}

// ssoSession is startSession for an SSO sign-in: MFA performed at the
// identity provider is what the session proved when the account accepts its
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

func (s *Service) recordSSORefusal(ctx context.Context, accountID int64, address string, r *ssoRefusal) error {
	e := Event(accountID, Actor{Address: address}, padlock.EventSSOFailed, r.target, r.reason, s.now())
	if err := s.DB.Conn().RecordEvent(ctx, e); err != nil {
		return err
	}
	return r.err
}

// refuseIfSSOEnforced closes password sign-in to a staff member of an
// account that enforces SSO, unless they are one of its break-glass users.
// It runs after the password was checked and answers like a wrong one.
func (s *Service) refuseIfSSOEnforced(ctx context.Context, u *padlock.User, address string, now time.Time) error {
	if u.IsPortalUser() {
		return nil
	}
	cfg, err := s.DB.Conn().SSOConfig(ctx, u.AccountID)
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
