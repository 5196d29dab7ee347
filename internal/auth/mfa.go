package auth

import (
	"context"
	"errors"
	"time"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// MFAStatus is what My Settings > MFA shows: the user's factors.
type MFAStatus struct {
	Enabled   bool // any factor
	App       bool // an authenticator app
	Since     time.Time
	AppUsed   time.Time // when its last accepted code was current
	Passkeys  []*padlock.Passkey
	CodesLeft int
	// PasskeysAvailable tells whether this server can add passkeys.
	PasskeysAvailable bool
}

// LastFactor tells whether one factor is all the user has.
func (st *MFAStatus) LastFactor() bool {
	n := len(st.Passkeys)
	if st.App {
		n++
	}
	return n == 1
}

// MFAStatus reads the user's factors from the database.
func (s *Service) MFAStatus(ctx context.Context, userID int64) (*MFAStatus, error) {
	conn := s.DB.Conn()
	st := &MFAStatus{PasskeysAvailable: s.rp != nil}
	f, err := conn.TOTP(ctx, userID)
	switch {
	case errors.Is(err, padlock.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		st.App, st.Since, st.AppUsed = true, f.ConfirmedAt, time.Unix(f.LastStep*30, 0)
	}
	if st.Passkeys, err = conn.Passkeys(ctx, userID); err != nil {
		return nil, err
	}
	st.Enabled = st.App || len(st.Passkeys) > 0
	if !st.Enabled {
		return st, nil
	}
	if st.CodesLeft, err = conn.RecoveryCodesLeft(ctx, userID); err != nil {
		return nil, err
	}
	return st, nil
}

// confirmPassword checks the user's own password, for changes that a
// session alone may not make. A wrong password counts toward the user's
// lock as a failed sign-in does, so a borrowed session cannot guess the
// password without end; wrong is the message beside the field.
func (s *Service) confirmPassword(ctx context.Context, c *Current, password, field, wrong, address string) error {
	creds, err := s.DB.Conn().CredentialsByEmail(ctx, c.User.Email)
	if err != nil {
		return err
	}
	// While the user is locked no password is checked here, the right one
	// included: guessing on would otherwise go on past the lock.
	if creds.LockedUntil.After(s.now()) {
		return padlock.FieldError(field, "Too many wrong passwords: your account is locked for now. Use the link we emailed you, or try again later.")
	}
	if ok, _, err := s.Hasher.Verify(ctx, creds.PasswordHash, password); err != nil || ok {
		return err
	}
	err = s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.LockUser(ctx, c.User.ID); err != nil {
			return err
		}
		_, err := s.countFailure(ctx, tx, q, c.User, address, q.Now)
		return err
	})
	if err != nil {
		return err
	}
	return padlock.FieldError(field, wrong)
}

// wrongPassword is what a form that asks for the password says when it is
// not the user's.
const wrongPassword = "Your password is not correct."

// withPasswordAndCode runs change in one transaction with the user's row
// held, after checking the user's password and a current second factor (a
// code from the app or an unused recovery code, used up by the check). The
// form's fields are named prefix+"password" and prefix+"code".
func (s *Service) withPasswordAndCode(ctx context.Context, c *Current, password, code, prefix, address string, change func(*store.Queries, *MailQueue) error) error {
	if err := s.confirmPassword(ctx, c, password, prefix+"password", wrongPassword, address); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.LockUser(ctx, c.User.ID); err != nil {
			return err
		}
		proof, err := s.checkSecondFactor(ctx, tx, c.User.ID, code, q.Now)
		if err != nil {
			return onField(err, prefix+"code")
		}
		if proof == padlock.ProofRecovery {
			if err := s.recoveryCodeUsed(ctx, tx, q, c.User, address); err != nil {
				return err
			}
		}
		return change(tx, q)
	})
}

// onField moves a form error to another field of the same form.
func onField(err error, field string) error {
	var e *padlock.Error
	if errors.As(err, &e) && len(e.Fields) == 1 {
		return &padlock.Error{Code: e.Code, Message: e.Message, Fields: padlock.FieldErrors{{Field: field, Message: e.Fields[0].Message}}}
	}
	return err
}

// RegenerateRecoveryCodes voids the old set and makes a new one, shown to
// this session only. It needs the password and a current code.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, c *Current, password, code, address string) error {
	if !c.User.HasMFA() {
		return padlock.Errorf(padlock.ECONFLICT, "Turn on MFA first.")
	}
	return s.withPasswordAndCode(ctx, c, password, code, "regen_", address, func(tx *store.Queries, q *MailQueue) error {
		if err := s.newRecoveryCodes(ctx, tx, q, c.User.ID, c.Session.ID); err != nil {
			return err
		}
		if err := q.Add(mail.RecoveryCodesRegenerated(c.User.Email, q.Now)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventRecoveryCodesRegenerated, c.User.ID, "", q.Now))
	})
}

// Second-factor methods, as recorded in the audit log.
const (
	MethodTOTP     = "authenticator app"
	MethodRecovery = "recovery code"
)

// checkSecondFactor accepts a current TOTP code or an unused recovery code,
// each at most once even under racing requests on several nodes, and says
// which it was.
func (s *Service) checkSecondFactor(ctx context.Context, tx *store.Queries, userID int64, typed string, now time.Time) (padlock.Proof, error) {
	code, kind := mfa.NormalizeCode(typed)
	switch kind {
	case mfa.TOTPCode:
		f, err := tx.TOTP(ctx, userID)
		if err != nil {
			return padlock.ProofNone, notFoundAs(err, ErrWrongCode)
		}
		secret, err := s.open(userID, purposeTOTP, f.Sealed)
		if err != nil {
			return padlock.ProofNone, err // never a wrong code: nothing is counted
		}
		step, ok := mfa.MatchStep(secret, code, now)
		if !ok || step <= f.LastStep {
			return padlock.ProofNone, ErrWrongCode
		}
		advanced, err := tx.AdvanceTOTPStep(ctx, userID, step)
		if err != nil || !advanced {
			return padlock.ProofNone, errOr(err, ErrWrongCode)
		}
		return padlock.ProofTOTP, nil
	case mfa.RecoveryCode:
		used, err := tx.UseRecoveryCode(ctx, userID, mfa.HashRecoveryCode(s.Sealer.RecoveryKey(), code), now)
		if err != nil || !used {
			return padlock.ProofNone, errOr(err, ErrWrongCode)
		}
		return padlock.ProofRecovery, nil
	}
	return padlock.ProofNone, errNotACode
}

func notFoundAs(err, as error) error {
	if errors.Is(err, padlock.ErrNotFound) {
		return as
	}
	return err
}

func errOr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// DisableMFA removes the user's own factor. It needs the password and a
// current code, and is refused while the account requires MFA. Sign-ins of
// the user still waiting for a second step end with it.
func (s *Service) DisableMFA(ctx context.Context, c *Current, password, code, address string) error {
	required, err := s.MFARequired(ctx, c.User)
	if err != nil {
		return err
	}
	if required {
		return padlock.Errorf(padlock.EFORBIDDEN, "Your account requires MFA, so it cannot be turned off.")
	}
	return s.withPasswordAndCode(ctx, c, password, code, "", address, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.DeleteUnprovenSessions(ctx, c.User.ID, c.Session.ID); err != nil {
			return err
		}
		if err := tx.DeleteFactors(ctx, c.User.ID); err != nil {
			return err
		}
		if err := q.Add(mail.MFADisabled(c.User.Email, q.Now)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventMFADisabled, c.User.ID, "by the user", q.Now))
	})
}

// MFARequired is the policy: whether MFA is required of the user, by their
// account or, for a portal user, by their portal. It is read from stored
// settings on every call, never from the request.
func (s *Service) MFARequired(ctx context.Context, u *padlock.User) (bool, error) {
	return requiredFor(ctx, s.DB.Conn(), u)
}
