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
// wrong codes, credentials changed, user locked): the user starts again.
var ErrChallengeOver = &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Your sign-in has expired or had too many wrong codes. Sign in again; if your phone is lost, use a recovery code, or ask an administrator to reset your MFA."}

// CompleteMFA is the second step of sign-in, as one transaction: the user's
// row and then the session's are locked (the order every path takes), the
// session must still exist and the user must not be locked, the code is
// checked, and then either the failure is counted (against this sign-in, 5
// allowed, and against the user's lockout count) or the code's step is
// used up and the session replaced by one under a new token. Parallel
// submissions are decided one after another, each seeing the others' counts.
func (s *Service) CompleteMFA(ctx context.Context, c *Current, code, address string) (*SignedIn, error) {
	if c.Step != padlock.StepChallenge {
		return nil, ErrChallengeOver
	}
	var (
		out     *SignedIn
		outcome error
	)
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		creds, sess, err := s.lockChallenge(ctx, tx, c, q.Now)
		if err != nil || sess == nil {
			outcome = ErrChallengeOver
			return err
		}
		proof, err := s.checkSecondFactor(ctx, tx, creds.User.ID, code, q.Now)
		switch {
		case err == ErrWrongCode:
			over, err := s.countWrongAnswer(ctx, tx, q, creds.User, sess, address, "wrong code")
			outcome = ErrWrongCode
			if over {
				outcome = ErrChallengeOver
			}
			return err
		case err == errNotACode: // malformed input is not a guess and costs nothing
			outcome = err
			return nil
		case err != nil:
			return err
		}
		out, err = s.replaceSession(ctx, tx, sessionStart{user: creds.User, first: sess.FirstStep, proved: proof, address: address, replaces: sess}, q.Now)
		if err != nil || proof != padlock.ProofRecovery {
			return err
		}
		return s.recoveryCodeUsed(ctx, tx, q, creds.User, address)
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		return nil, outcome
	}
	return out, nil
}

// lockChallenge locks the user and then the session, and returns the
// session only if the challenge may go on: it still exists, is within its
// lifetime and wrong-code budget, is bound to the user's current
// credentials, and the user is active and not locked. A session that may
// not go on is deleted (in the same transaction).
func (s *Service) lockChallenge(ctx context.Context, tx *store.Queries, c *Current, now time.Time) (*store.Credentials, *padlock.Session, error) {
	creds, err := tx.LockUser(ctx, c.User.ID)
	if err != nil {
		return nil, nil, notFoundAs(err, nil)
	}
	sess, err := tx.LockSession(ctx, c.Session.ID)
	if err != nil {
		return nil, nil, notFoundAs(err, nil)
	}
	u := creds.User
	if sess.UserID == u.ID && u.Status == padlock.StatusActive && sess.CredentialVersion == u.CredentialVersion &&
		sess.MFAFailures < padlock.MaxMFAFailures && now.Before(sess.ExpiresAt) && !creds.Locked(now) && u.HasMFA() {
		return creds, sess, nil
	}
	_, err = tx.DeleteSession(ctx, sess.ID)
	return nil, nil, err
}

// countWrongAnswer counts a wrong code or a refused passkey against the
// sign-in and the user, in the transaction that checked it, and tells
// whether the sign-in is over: thrown away at the fifth wrong answer, or by
// the user's lockout.
func (s *Service) countWrongAnswer(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, sess *padlock.Session, address, what string) (over bool, err error) {
	n, err := tx.RecordMFAFailure(ctx, sess.ID)
	if err != nil {
		return false, err
	}
	a := Actor{Address: address}
	if err := tx.RecordEvent(ctx, Event(u.AccountID, a, padlock.EventMFAFailed, u.ID, fmt.Sprintf("%s (%d of %d)", what, n, padlock.MaxMFAFailures), q.Now)); err != nil {
		return false, err
	}
	if n == 1 {
		if err := q.Add(mail.SecondStepFailed(u.Email, q.Now, address)); err != nil {
			return false, err
		}
	}
	locked, err := s.countFailure(ctx, tx, q, u, address, q.Now)
	if err != nil || (n < padlock.MaxMFAFailures && !locked) {
		return false, err
	}
	_, err = tx.DeleteSession(ctx, sess.ID)
	return true, err
}

func (s *Service) recoveryCodeUsed(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, address string) error {
	left, err := tx.RecoveryCodesLeft(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventRecoveryCodeUsed, u.ID, fmt.Sprintf("%d left", left), q.Now)); err != nil {
		return err
	}
	if left <= LowRecoveryCodes {
		return q.Add(mail.RecoveryCodesLow(u.Email, left))
	}
	return nil
}
