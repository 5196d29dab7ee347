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

// SignedIn is the outcome of a successful sign-in: the session and the
// token for its cookie.
type SignedIn struct {
	Token   string
	Session *padlock.Session
	User    *padlock.User
}

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
	case creds.LockedUntil.After(now):
		return nil, s.recordRefusal(ctx, creds.User, address, "locked", now)
	case !ok:
		return nil, s.recordFailure(ctx, creds.User, address, now)
	}
	if err := s.refuseIfSSOEnforced(ctx, creds.User, address, now); err != nil {
		return nil, err
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
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.RecordEvent(ctx, event(0, Actor{Address: address}, padlock.EventSignInFailed, 0, "unknown email", now))
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

func (s *Service) recordRefusal(ctx context.Context, u *padlock.User, address, reason string, now time.Time) error {
	err := s.DB.Conn().RecordEvent(ctx, event(u.AccountID, Actor{Address: address}, padlock.EventSignInFailed, u.ID, reason, now))
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

// recordFailure counts a wrong password.
func (s *Service) recordFailure(ctx context.Context, u *padlock.User, address string, now time.Time) error {
	err := s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		if err := tx.RecordEvent(ctx, event(u.AccountID, Actor{Address: address}, padlock.EventSignInFailed, u.ID, "wrong password", now)); err != nil {
			return err
		}
		return s.countFailure(ctx, tx, q, u, address, now)
	})
	if err != nil {
		return err
	}
	return ErrBadCredentials
}

// countFailure counts one failed sign-in step (a wrong password or a wrong
// second factor) atomically; the failure that reaches the threshold locks
// the user and emails an unlock link.
func (s *Service) countFailure(ctx context.Context, tx *store.Tx, q *mailQueue, u *padlock.User, address string, now time.Time) error {
	until := now.Add(s.Config.LockoutDuration)
	n, err := tx.RecordFailedAttempt(ctx, u.ID, now, s.Config.LockoutThreshold, until)
	if err != nil || n != s.Config.LockoutThreshold {
		return err
	}
	a := Actor{Address: address}
	detail := fmt.Sprintf("%d failures in a row; locked until %s", n, until.UTC().Format(time.RFC3339))
	if err := tx.RecordEvent(ctx, event(u.AccountID, a, padlock.EventLockout, u.ID, detail, now)); err != nil {
		return err
	}
	if err := tx.DeletePendingSessions(ctx, u.ID); err != nil {
		return err
	}
	token, hash := NewToken()
	if err := tx.CreateToken(ctx, store.TokenUnlock, u.ID, hash, now, now.Add(s.Config.UnlockTTL)); err != nil {
		return err
	}
	return q.add(mail.Unlock(u.Email, s.link(u, "/unlock/"+token), until))
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

// startSession follows a correct password. The next state is decided
// from stored data only (the user and account as they are now): a user
// with a confirmed factor gets a session that reaches nothing but the
// challenge; one who must set MFA up first, a session that reaches only
// enrollment; anyone else a full one.
func (s *Service) startSession(ctx context.Context, u *padlock.User, address string, now time.Time) (*SignedIn, error) {
	var out *SignedIn
	err := s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		cur, err := tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if cur.CredentialVersion != u.CredentialVersion || cur.Status != padlock.StatusActive {
			// The password was changed or the user deactivated while the
			// password was being checked: the check no longer holds.
			return ErrBadCredentials
		}
		required, err := requiredFor(ctx, tx, cur)
		if err != nil {
			return err
		}
		switch padlock.MFAStateOf(required, cur, now) {
		case padlock.MFASatisfied:
			out, err = s.pendingSession(ctx, tx, cur, address, now, padlock.SessionMFAPending)
		case padlock.MFAMustEnroll:
			out, err = s.pendingSession(ctx, tx, cur, address, now, padlock.SessionEnrollPending)
		default:
			out, err = s.fullSession(ctx, tx, cur, address, now, "password")
		}
		return err
	})
	return out, err
}

// pendingSession is a state between the password and a full session: ten
// minutes, bound to the credential version.
func (s *Service) pendingSession(ctx context.Context, tx *store.Tx, u *padlock.User, address string, now time.Time, state padlock.SessionState) (*SignedIn, error) {
	token, hash := NewToken()
	sess := &padlock.Session{
		UserID: u.ID, AccountID: u.AccountID, State: state, CredentialVersion: u.CredentialVersion,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(padlock.PendingLifetime),
	}
	if err := tx.CreateSession(ctx, sess, hash, address); err != nil {
		return nil, err
	}
	return &SignedIn{Token: token, Session: sess, User: u}, nil
}

// fullSession starts a session that reaches the application, under a new
// token, and records the completed sign-in.
func (s *Service) fullSession(ctx context.Context, tx *store.Tx, u *padlock.User, address string, now time.Time, method string) (*SignedIn, error) {
	acct, err := tx.Account(ctx, u.AccountID)
	if err != nil {
		return nil, err
	}
	token, hash := NewToken()
	sess := &padlock.Session{
		UserID: u.ID, AccountID: u.AccountID, State: padlock.SessionFull, CredentialVersion: u.CredentialVersion,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(acct.SessionLifetime),
	}
	if err := tx.CreateSession(ctx, sess, hash, address); err != nil {
		return nil, err
	}
	if err := tx.RecordSignIn(ctx, u.ID, now); err != nil {
		return nil, err
	}
	if err := tx.RecordEvent(ctx, event(u.AccountID, Actor{User: u, Address: address}, padlock.EventSignIn, u.ID, method, now)); err != nil {
		return nil, err
	}
	return &SignedIn{Token: token, Session: sess, User: u}, nil
}

// Unlock uses an emailed unlock link: the lock and the failure count are
// cleared at once.
func (s *Service) Unlock(ctx context.Context, token, address string) error {
	return s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		t, err := tx.UseToken(ctx, store.TokenUnlock, HashToken(token), q.now)
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
		return tx.RecordEvent(ctx, event(u.AccountID, Actor{Address: address}, padlock.EventUnlock, u.ID, "unlock link", q.now))
	})
}

// errLinkInvalid answers a used, expired or unknown single-use link.
var errLinkInvalid = &padlock.Error{Code: padlock.ENOTFOUND, Message: "This link has expired or has already been used."}

// ErrLinkInvalid lets handlers recognise a dead link.
var ErrLinkInvalid = errLinkInvalid

// UnlockByOperator clears a user's lock from the command line, audited as
// done there.
func (s *Service) UnlockByOperator(ctx context.Context, email string) (*padlock.User, error) {
	return s.asOperator(ctx, email, func(tx *store.Tx, q *mailQueue, u *padlock.User) error {
		if err := tx.ClearFailedAttempts(ctx, u.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, event(u.AccountID, operator, padlock.EventUnlock, u.ID, "by the server's operator", q.now))
	})
}

// operator is the server's operator, acting from the command line.
var operator = Actor{Address: "command line"}

// asOperator runs an operator's action on the user with the email, in one
// transaction.
func (s *Service) asOperator(ctx context.Context, email string, fn func(*store.Tx, *mailQueue, *padlock.User) error) (*padlock.User, error) {
	email, err := padlock.NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	var u *padlock.User
	err = s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		c, err := tx.CredentialsByEmail(ctx, email)
		if err != nil {
			return notFoundAs(err, padlock.Errorf(padlock.ENOTFOUND, "No user has the email %s.", email))
		}
		u = c.User
		return fn(tx, q, u)
	})
	return u, err
}
