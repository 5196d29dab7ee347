package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// ErrChallengeOver means the pending sign-in is gone (expired, too many
// wrong codes, credentials changed): the user starts again with the password.
var ErrChallengeOver = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your sign-in has expired or had too many wrong codes. Please sign in again."}

// CompleteMFA is the second step of sign-in. A right code replaces the
// pending session with a full one under a new token. A wrong one counts
// against the pending sign-in (5 allowed) and against the user's lockout
// count, so starting a new sign-in does not give a fresh budget.
func (s *Service) CompleteMFA(ctx context.Context, c *Current, code, address string) (*SignedIn, error) {
	if c.Session.State != padlock.SessionMFAPending {
		return nil, ErrChallengeOver
	}
	now := s.now()
	creds, err := s.DB.Conn().CredentialsByEmail(ctx, c.User.Email)
	if err != nil {
		return nil, err
	}
	if creds.LockedUntil.After(now) {
		s.DB.Conn().DeleteSession(ctx, c.Session.ID)
		return nil, ErrChallengeOver
	}
	var out *SignedIn
	var failure error
	err = s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		method, err := s.checkSecondFactor(ctx, tx, c.User.ID, code, now)
		if err != nil {
			failure = err
			return nil
		}
		if err := tx.DeleteSession(ctx, c.Session.ID); err != nil {
			return err
		}
		out, err = s.fullSession(ctx, tx, c.User, address, now, "password and "+method)
		if err != nil || method != MethodRecovery {
			return err
		}
		return s.recoveryCodeUsed(ctx, tx, q, c.User, address)
	})
	if err != nil {
		return nil, err
	}
	if failure != nil {
		return nil, s.recordMFAFailure(ctx, c, address, now, failure)
	}
	return out, nil
}

func (s *Service) recoveryCodeUsed(ctx context.Context, tx *store.Tx, q *mailQueue, u *padlock.User, address string) error {
	left, err := tx.RecoveryCodesLeft(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := tx.RecordEvent(ctx, event(u.AccountID, Actor{User: u, Address: address}, padlock.EventRecoveryCodeUsed, u.ID, fmt.Sprintf("%d left", left), q.now)); err != nil {
		return err
	}
	if left <= LowRecoveryCodes {
		return q.add(mail.RecoveryCodesLow(u.Email, left))
	}
	return nil
}

// recordMFAFailure counts a wrong or malformed code. Malformed input is not
// a guess and costs nothing.
func (s *Service) recordMFAFailure(ctx context.Context, c *Current, address string, now time.Time, failure error) error {
	if failure != ErrWrongCode {
		return failure
	}
	over := false
	err := s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		n, err := tx.RecordMFAFailure(ctx, c.Session.ID)
		if err != nil {
			return notFoundAs(err, ErrChallengeOver)
		}
		a := Actor{Address: address}
		if err := tx.RecordEvent(ctx, event(c.User.AccountID, a, padlock.EventMFAFailed, c.User.ID, fmt.Sprintf("wrong code (%d of %d)", n, padlock.MaxMFAFailures), now)); err != nil {
			return err
		}
		if n == 1 {
			if err := q.add(mail.SecondStepFailed(c.User.Email, now, address)); err != nil {
				return err
			}
		}
		if err := s.countFailure(ctx, tx, q, c.User, address, now); err != nil {
			return err
		}
		if n >= padlock.MaxMFAFailures {
			over = true
			return tx.DeleteSession(ctx, c.Session.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if over {
		return ErrChallengeOver
	}
	return failure
}
