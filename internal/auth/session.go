package auth

import (
	"context"
	"errors"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// touchEvery limits writes for the idle timeout to one a minute per session.
const touchEvery = time.Minute

// ErrNoSession means the token names no live session.
var ErrNoSession = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Please sign in."}

// Current is what one request knows about its signed-in caller. It is read
// from the database on every request, so a change made on any node (a
// deactivation, a role change, a reset) applies at the next click.
type Current struct {
	Session *padlock.Session
	User    *padlock.User
	Account *padlock.Account
	Portal  *padlock.Portal // the portal of a portal user
	// Step is what the session may do now, decided by padlock.NextStep for
	// this request.
	Step padlock.Step
	// APIKey is set, and Session nil, for a request made with an API key;
	// User is then the key's principal (KeyPrincipal).
	APIKey *padlock.APIKey
	// HeldPage is the page the session's held form is given back on, ""
	// without one (held_form.go): read with the session, so that only
	// that page reads the form.
	HeldPage string
}

// Place names where the caller signs in: their portal, or their account. It
// is the issuer an authenticator app shows.
func (c *Current) Place() string {
	if c.Portal != nil {
		return c.Portal.Name
	}
	return c.Account.Name
}

// Requirement is the MFA requirement that applies to the caller: their
// portal's for a portal user, their account's for the staff.
func (c *Current) Requirement() padlock.Requirement {
	if !c.User.IsPortalUser() {
		return c.Account.Requirement()
	}
	if c.Portal == nil {
		return padlock.Requirement{}
	}
	return c.Portal.Requirement()
}

// Authenticate returns the live session named by token. Expired, idle or
// orphaned sessions are deleted and reported as ErrNoSession. It costs one
// statement (store.SignedInByTokenHash), and a second at most once every
// touchEvery per session, to record the session's activity for its idle
// limit.
func (s *Service) Authenticate(ctx context.Context, token string) (*Current, error) {
	if token == "" {
		return nil, ErrNoSession
	}
	conn := s.DB.Conn()
	in, err := conn.SignedInByTokenHash(ctx, HashToken(token))
	if errors.Is(err, padlock.ErrNotFound) {
		return nil, ErrNoSession
	} else if err != nil {
		return nil, err
	}
	sess, u, acct, portal := in.Session, in.User, in.Account, in.Portal
	now := s.now()
	if (u.IsPortalUser() && portal == nil) || !s.alive(sess, u, acct, now) {
		conn.DeleteSession(ctx, sess.ID)
		return nil, ErrNoSession
	}
	c := &Current{Session: sess, User: u, Account: acct, Portal: portal}
	if now.Before(in.Held.ExpiresAt) {
		c.HeldPage = in.Held.Page
	}
	if c.Step, err = s.stepOf(ctx, c, now); err != nil {
		return nil, err
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := conn.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, err
		}
		sess.LastSeenAt = now
	}
	return c, nil
}

// alive applies the account's idle timeout and absolute lifetime, and ends
// sessions of users who are no longer active or whose credentials changed.
func (s *Service) alive(sess *padlock.Session, u *padlock.User, acct *padlock.Account, now time.Time) bool {
	switch {
	case u.Status != padlock.StatusActive:
		return false
	case u.CredentialVersion != sess.CredentialVersion:
		// Started before a password change or reset (even one that raced
		// the sign-in's password hash).
		return false
	case sess.MFAFailures >= padlock.MaxMFAFailures:
		return false
	case !now.Before(sess.ExpiresAt), !now.Before(sess.CreatedAt.Add(acct.SessionLifetime)):
		return false
	case !now.Before(sess.LastSeenAt.Add(acct.SessionIdle)):
		return false
	}
	return true
}

// SignOut ends a session on every node (it is deleted from the database).
func (s *Service) SignOut(ctx context.Context, c *Current, address string) error {
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.DeleteSession(ctx, c.Session.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventSignOut, c.User.ID, "", q.Now))
	})
}
