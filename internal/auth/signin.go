package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// ErrBadCredentials is the one answer for an unknown email, a wrong
// password, and a deactivated, invited or locked user.
var ErrBadCredentials = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Incorrect email or password."}

// SignIn checks a staff member's email and password and starts a session.
// Every kind of refusal returns ErrBadCredentials after one password hash,
// so neither the answer nor its timing tells whether the email exists.
func (s *Service) SignIn(ctx context.Context, email, password, address string) (*SignedIn, error) {
	return s.SignInTo(ctx, padlock.SurfaceAccount, email, password, address)
}

// SignInTo is sign-in on one surface: a portal user signing in to the
// account, or a staff member to a portal, is refused like an unknown email.
func (s *Service) SignInTo(ctx context.Context, surface padlock.Surface, email, password, address string) (*SignedIn, error) {
	creds, ok, stale, err := s.checkPassword(ctx, email, password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case creds == nil || creds.User.Surface() != surface:
		return nil, s.recordUnknown(ctx, address, now)
	case creds.User.Status != padlock.StatusActive:
		return nil, s.recordRefusal(ctx, creds.User, address, "user "+string(creds.User.Status), now)
	}
	// Before the lock and the count: a password cannot sign such a user in,
	// so a wrong one must not lock them out of SSO either.
	if err := s.refuseIfSSOEnforced(ctx, creds.User, address, now); err != nil {
		return nil, err
	}
	switch {
	case creds.Locked(now):
		return nil, s.recordRefusal(ctx, creds.User, address, "locked", now)
	case !ok:
		return nil, s.recordFailure(ctx, creds.User, address, now)
	}
	if stale {
		s.rehash(ctx, creds.User.ID, password)
	}
	return s.startSession(ctx, creds.User, address, now)
}

// checkPassword admits the sign-in to the hasher first (refusing it at once
// when the node is saturated), then reads the user and hashes.
func (s *Service) checkPassword(ctx context.Context, email, password string) (creds *store.Credentials, ok, stale bool, err error) {
	release, err := s.Hasher.Admit(ctx)
	if err != nil {
		return nil, false, false, err
	}
	defer release()
	if email, err := padlock.NormalizeEmail(email); err == nil {
		creds, err = s.DB.Conn().CredentialsByEmail(ctx, email)
		if err != nil && !errors.Is(err, padlock.ErrNotFound) {
			return nil, false, false, err
		}
	}
	hash := ""
	if creds != nil {
		hash = creds.PasswordHash
	}
	ok, stale, err = s.Hasher.VerifyAdmitted(hash, password)
	if err != nil && !errors.Is(err, errMalformedHash) {
		return nil, false, false, err
	}
	return creds, ok, stale, nil
}

// recordUnknown audits a sign-in for an email no user of this surface has.
// It commits like a wrong password does, so both answers take the same time.
func (s *Service) recordUnknown(ctx context.Context, address string, now time.Time) error {
	err := s.DB.InTx(ctx, func(tx *store.Queries) error {
		return tx.RecordEvent(ctx, Event(0, Actor{Address: address}, padlock.EventSignInFailed, 0, "unknown email", now))
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

func (s *Service) recordRefusal(ctx context.Context, u *padlock.User, address, reason string, now time.Time) error {
	err := s.DB.Conn().RecordEvent(ctx, Event(u.AccountID, Actor{Address: address}, padlock.EventSignInFailed, u.ID, reason, now))
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

// recordFailure counts a wrong password.
func (s *Service) recordFailure(ctx context.Context, u *padlock.User, address string, now time.Time) error {
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if err := tx.RecordEvent(ctx, Event(u.AccountID, Actor{Address: address}, padlock.EventSignInFailed, u.ID, "wrong password", now)); err != nil {
			return err
		}
		_, err := s.countFailure(ctx, tx, q, u, address, now)
		return err
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

// countFailure counts one failed sign-in step (a wrong password or a wrong
// second factor) atomically; the failure that reaches the threshold locks
// the user, ends their pending sign-ins and emails an unlock link. It
// tells whether the user is now locked.
func (s *Service) countFailure(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, address string, now time.Time) (bool, error) {
	until := now.Add(s.Config.LockoutDuration)
	n, err := tx.RecordFailedAttempt(ctx, u.ID, now, s.Config.LockoutThreshold, until)
	if err != nil || n < s.Config.LockoutThreshold {
		return false, err
	}
	if n > s.Config.LockoutThreshold {
		return true, nil // locked already; told once
	}
	a := Actor{Address: address}
	detail := fmt.Sprintf("%d failures in a row; locked until %s", n, until.UTC().Format(time.RFC3339))
	if err := tx.RecordEvent(ctx, Event(u.AccountID, a, padlock.EventLockout, u.ID, detail, now)); err != nil {
		return false, err
	}
	if err := tx.DeletePendingSessions(ctx, u.ID); err != nil {
		return false, err
	}
	token, hash := NewToken()
	if err := tx.CreateToken(ctx, store.TokenUnlock, u.ID, hash, now, now.Add(s.Config.UnlockTTL)); err != nil {
		return false, err
	}
	return true, q.Add(mail.Unlock(u.Email, s.link(u, "/unlock/"+token), until))
}

// rehash stores a hash with the current parameters; failure only means the
// old hash stays.
func (s *Service) rehash(ctx context.Context, userID int64, password string) {
	h, err := s.Hasher.Hash(ctx, password)
	if err == nil {
		err = s.DB.Conn().SetPassword(ctx, userID, h, false)
	}
	if err != nil {
		s.Logger.Warn("password re-hash failed", "user", userID, "err", err)
	}
}

// startSession follows a correct password. What the user may do next is
// decided by beginSession from stored data only, with the user's row held
// so that a lock, a deactivation or a password change that raced the
// password hash is seen.
func (s *Service) startSession(ctx context.Context, u *padlock.User, address string, now time.Time) (*SignedIn, error) {
	var out *SignedIn
	var refused string
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		cur, err := tx.LockUser(ctx, u.ID)
		if err != nil {
			return err
		}
		switch {
		case cur.User.CredentialVersion != u.CredentialVersion || cur.User.Status != padlock.StatusActive:
			refused = "password changed or user deactivated during sign-in"
			return nil
		case cur.Locked(now):
			refused = "locked"
			return nil
		}
		out, err = s.beginSession(ctx, tx, sessionStart{user: cur.User, first: padlock.FirstPassword, address: address}, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	if refused != "" {
		return nil, s.recordRefusal(ctx, u, address, refused, now)
	}
	return out, nil
}

// Unlock uses an emailed unlock link: the lock and the failure count are
// cleared at once.
func (s *Service) Unlock(ctx context.Context, token, address string) error {
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		t, err := tx.UseToken(ctx, store.TokenUnlock, HashToken(token), q.Now)
		if err != nil {
			return errLinkInvalid
		}
		u, err := tx.UserByID(ctx, t.UserID)
		if err != nil {
			return err
		}
		if err := tx.ClearFailedAttempts(ctx, u.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{Address: address}, padlock.EventUnlock, u.ID, "unlock link", q.Now))
	})
}

// errLinkInvalid answers a used, expired or unknown single-use link.
var errLinkInvalid = &padlock.Error{Code: padlock.ENOTFOUND, Message: "This link has expired or has already been used."}

// ErrLinkInvalid lets handlers recognise a dead link.
var ErrLinkInvalid = errLinkInvalid

// UnlockByOperator clears a user's lock from the command line, audited as
// done there.
func (s *Service) UnlockByOperator(ctx context.Context, email string) (*padlock.User, error) {
	return s.asOperator(ctx, email, func(tx *store.Queries, q *MailQueue, u *padlock.User) error {
		if err := tx.ClearFailedAttempts(ctx, u.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Operator, padlock.EventUnlock, u.ID, "by the server's operator", q.Now))
	})
}

// Operator is the server's operator, acting from the command line.
var Operator = Actor{Address: "command line"}

// asOperator runs an operator's action on the user with the email, in one
// transaction.
func (s *Service) asOperator(ctx context.Context, email string, fn func(*store.Queries, *MailQueue, *padlock.User) error) (*padlock.User, error) {
	email, err := padlock.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	var u *padlock.User
	err = s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		var err error
		if u, err = OperatorTarget(ctx, tx, email); err != nil {
			return err
		}
		return fn(tx, q, u)
	})
	return u, err
}

// OperatorTarget finds in tx the user a command names by its normalized
// email, for an operator's break-glass action.
func OperatorTarget(ctx context.Context, tx *store.Queries, email string) (*padlock.User, error) {
	c, err := tx.CredentialsByEmail(ctx, email)
	if err != nil {
		return nil, notFoundAs(err, padlock.Errorf(padlock.ENOTFOUND, "No user has the email %s.", email))
	}
	return c.User, nil
}
