package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Sealed-secret purposes, bound into each ciphertext.
const (
	purposeTOTP     = "totp"
	purposeRecovery = "recovery codes"
)

// enrollmentTTL bounds an enrollment in progress; recoveryRevealTTL bounds
// how long new recovery codes stay viewable.
const (
	enrollmentTTL     = time.Hour
	recoveryRevealTTL = 30 * time.Minute
	// LowRecoveryCodes is when a user is told to make new codes.
	LowRecoveryCodes = 3
)

// MFAStatus is what My Settings > MFA shows.
type MFAStatus struct {
	Enabled   bool
	Since     time.Time
	CodesLeft int
	Enrolling bool
}

// MFAStatus reads the user's factors from the database.
func (s *Service) MFAStatus(ctx context.Context, userID int64) (*MFAStatus, error) {
	conn := s.DB.Conn()
	st := &MFAStatus{}
	f, err := conn.TOTP(ctx, userID)
	switch {
	case err == nil:
		st.Enabled, st.Since = true, f.ConfirmedAt
		if st.CodesLeft, err = conn.RecoveryCodesLeft(ctx, userID); err != nil {
			return nil, err
		}
	case !errors.Is(err, padlock.ErrNotFound):
		return nil, err
	}
	if _, at, err := conn.Enrollment(ctx, userID); err == nil && s.now().Sub(at) < enrollmentTTL {
		st.Enrolling = true
	}
	return st, nil
}

// Enrollment is what the enrollment screen shows: the secret for manual
// entry and the QR code of its otpauth URI.
type Enrollment struct {
	Secret string
	URI    string
	QR     string // data: URI of a PNG
}

// SecretGroups is the secret in groups of four, easier to type by hand.
func (e *Enrollment) SecretGroups() string {
	var b strings.Builder
	for i, r := range e.Secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// BeginEnrollment starts an enrollment with a new secret. Until confirmed it
// counts for nothing; the current factor, if any, stays in force.
// A user who already has MFA replaces it with ReplaceFactor instead.
func (s *Service) BeginEnrollment(ctx context.Context, c *Current) error {
	if c.User.HasMFA() {
		return padlock.FieldError("move_password", "Confirm your password to move MFA to a new phone.")
	}
	return s.saveNewEnrollment(ctx, c)
}

// ReplaceFactor starts an enrollment for a user who has MFA ("Move to a new
// phone"). It needs the password, so a borrowed session cannot swap the
// factor; the old one stays in force until the new one is confirmed.
func (s *Service) ReplaceFactor(ctx context.Context, c *Current, password string) error {
	if err := s.confirmPassword(ctx, c.User.ID, password, "move_password"); err != nil {
		return err
	}
	return s.saveNewEnrollment(ctx, c)
}

func (s *Service) saveNewEnrollment(ctx context.Context, c *Current) error {
	secret := mfa.NewSecret()
	return s.DB.Conn().SaveEnrollment(ctx, c.User.ID, s.Sealer.Seal(c.User.ID, purposeTOTP, secret), s.now())
}

// confirmPassword checks the user's own password, for changes that a
// session alone may not make.
func (s *Service) confirmPassword(ctx context.Context, userID int64, password, field string) error {
	stored, err := s.DB.Conn().PasswordHash(ctx, userID)
	if err != nil {
		return err
	}
	if ok, _, err := s.Hasher.Verify(ctx, stored, password); err != nil {
		return err
	} else if !ok {
		return padlock.FieldError(field, "Your password is not correct.")
	}
	return nil
}

// errNoEnrollment means there is no enrollment in progress (or it expired).
var errNoEnrollment = &padlock.Error{Code: padlock.ENOTFOUND, Message: "The setup has expired. Start again with Enable MFA."}

// PendingEnrollment returns the enrollment in progress for display.
func (s *Service) PendingEnrollment(ctx context.Context, c *Current) (*Enrollment, error) {
	secret, err := s.enrollmentSecret(ctx, c.User.ID)
	if err != nil {
		return nil, err
	}
	e := &Enrollment{Secret: mfa.EncodeSecret(secret), URI: mfa.KeyURI(c.Place(), c.User.Email, secret)}
	if e.QR, err = mfa.QRDataURI(e.URI); err != nil {
		return nil, err
	}
	return e, nil
}

func (s *Service) enrollmentSecret(ctx context.Context, userID int64) ([]byte, error) {
	sealed, at, err := s.DB.Conn().Enrollment(ctx, userID)
	if errors.Is(err, padlock.ErrNotFound) || (err == nil && s.now().Sub(at) >= enrollmentTTL) {
		return nil, errNoEnrollment
	} else if err != nil {
		return nil, err
	}
	return s.Sealer.Open(userID, purposeTOTP, sealed)
}

// ErrWrongCode answers a code that is not right now, with the usual cause
// and the ways out.
var ErrWrongCode = padlock.FieldError("code", "That code is not correct. Check that your phone's clock is set automatically, then try the newest code. Lost your phone? Use a recovery code, or ask an administrator to reset your MFA.")

var errNotACode = padlock.FieldError("code", "Enter the 6-digit code from your authenticator app, or one of your recovery codes.")

// ConfirmEnrollment checks a code against the enrollment's secret and, if
// right, makes it the user's factor with a new set of recovery codes. The
// confirming code's step is stored as used, so it cannot sign anyone in.
// A sign-in that was held at enrollment becomes a full session under a new
// token, returned; otherwise the result is nil and the session goes on.
func (s *Service) ConfirmEnrollment(ctx context.Context, c *Current, code, address string) (*SignedIn, error) {
	code, kind := mfa.NormalizeCode(code)
	if kind != mfa.TOTPCode {
		return nil, padlock.FieldError("code", "Enter the 6-digit code your authenticator app shows.")
	}
	secret, err := s.enrollmentSecret(ctx, c.User.ID)
	if err != nil {
		return nil, err
	}
	step, ok := mfa.MatchStep(secret, code, s.now())
	if !ok {
		return nil, ErrWrongCode
	}
	var upgraded *SignedIn
	err = s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		if err := tx.ActivateTOTP(ctx, c.User.ID, s.Sealer.Seal(c.User.ID, purposeTOTP, secret), step, q.now); err != nil {
			return err
		}
		if err := tx.DeleteEnrollment(ctx, c.User.ID); err != nil {
			return err
		}
		if err := s.newRecoveryCodes(ctx, tx, q, c.User.ID); err != nil {
			return err
		}
		if err := q.add(mail.MFAEnabled(c.User.Email, q.now)); err != nil {
			return err
		}
		if err := tx.RecordEvent(ctx, event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventMFAEnabled, c.User.ID, "authenticator app", q.now)); err != nil {
			return err
		}
		if c.Session.State != padlock.SessionEnrollPending {
			return nil
		}
		if err := tx.DeleteSession(ctx, c.Session.ID); err != nil {
			return err
		}
		upgraded, err = s.fullSession(ctx, tx, c.User, address, q.now, "password, then MFA set up")
		return err
	})
	return upgraded, err
}

// newRecoveryCodes replaces the user's codes and keeps the new ones, sealed,
// for the page that shows them once.
func (s *Service) newRecoveryCodes(ctx context.Context, tx *store.Tx, q *mailQueue, userID int64) error {
	codes := mfa.NewRecoveryCodes()
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		n, _ := mfa.NormalizeCode(c)
		hashes[i] = mfa.HashRecoveryCode(s.Sealer.RecoveryKey(), n)
	}
	if err := tx.ReplaceRecoveryCodes(ctx, userID, hashes, q.now); err != nil {
		return err
	}
	sealed := s.Sealer.Seal(userID, purposeRecovery, []byte(strings.Join(codes, "\n")))
	return tx.SaveRecoveryReveal(ctx, userID, sealed, q.now.Add(recoveryRevealTTL))
}

// RecoveryCodesToShow returns newly made codes until the user acknowledges
// them; afterwards they cannot be seen again.
func (s *Service) RecoveryCodesToShow(ctx context.Context, userID int64) ([]string, error) {
	sealed, err := s.DB.Conn().RecoveryReveal(ctx, userID, s.now())
	if err != nil {
		return nil, err
	}
	plain, err := s.Sealer.Open(userID, purposeRecovery, sealed)
	if err != nil {
		return nil, err
	}
	return strings.Split(string(plain), "\n"), nil
}

// AcknowledgeRecoveryCodes is "I have saved these codes".
func (s *Service) AcknowledgeRecoveryCodes(ctx context.Context, userID int64) error {
	return s.DB.Conn().DeleteRecoveryReveal(ctx, userID)
}

// RegenerateRecoveryCodes voids the old set and makes a new one.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, c *Current, address string) error {
	return s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		if _, err := tx.TOTP(ctx, c.User.ID); err != nil {
			if errors.Is(err, padlock.ErrNotFound) {
				return padlock.Errorf(padlock.ECONFLICT, "Turn on MFA first.")
			}
			return err
		}
		if err := s.newRecoveryCodes(ctx, tx, q, c.User.ID); err != nil {
			return err
		}
		if err := q.add(mail.RecoveryCodesRegenerated(c.User.Email, q.now)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventRecoveryCodesRegenerated, c.User.ID, "", q.now))
	})
}

// Second-factor methods, as recorded in the audit log.
const (
	MethodTOTP     = "authenticator app"
	MethodRecovery = "recovery code"
)

// checkSecondFactor accepts a current TOTP code or an unused recovery code,
// each at most once even under racing requests on several nodes.
func (s *Service) checkSecondFactor(ctx context.Context, tx *store.Tx, userID int64, typed string, now time.Time) (string, error) {
	code, kind := mfa.NormalizeCode(typed)
	switch kind {
	case mfa.TOTPCode:
		f, err := tx.TOTP(ctx, userID)
		if err != nil {
			return "", notFoundAs(err, ErrWrongCode)
		}
		secret, err := s.Sealer.Open(userID, purposeTOTP, f.Sealed)
		if err != nil {
			return "", err
		}
		step, ok := mfa.MatchStep(secret, code, now)
		if !ok || step <= f.LastStep {
			return "", ErrWrongCode
		}
		advanced, err := tx.AdvanceTOTPStep(ctx, userID, step)
		if err != nil || !advanced {
			return "", errOr(err, ErrWrongCode)
		}
		return MethodTOTP, nil
	case mfa.RecoveryCode:
		used, err := tx.UseRecoveryCode(ctx, userID, mfa.HashRecoveryCode(s.Sealer.RecoveryKey(), code), now)
		if err != nil || !used {
			return "", errOr(err, ErrWrongCode)
		}
		return MethodRecovery, nil
	}
	return "", errNotACode
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
// current code, and is refused while the account requires MFA.
func (s *Service) DisableMFA(ctx context.Context, c *Current, password, code, address string) error {
	required, err := s.MFARequired(ctx, c.User)
	if err != nil {
		return err
	}
	if required {
		return padlock.Errorf(padlock.EFORBIDDEN, "Your account requires MFA, so it cannot be turned off.")
	}
	if err := s.confirmPassword(ctx, c.User.ID, password, "password"); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		if _, err := s.checkSecondFactor(ctx, tx, c.User.ID, code, q.now); err != nil {
			return err
		}
		if err := tx.DeleteFactors(ctx, c.User.ID); err != nil {
			return err
		}
		if err := q.add(mail.MFADisabled(c.User.Email, q.now)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventMFADisabled, c.User.ID, "by the user", q.now))
	})
}

// MFARequired is the policy: whether MFA is required of the user, by their
// account or, for a portal user, by their portal. It is read from stored
// settings on every call, never from the request.
func (s *Service) MFARequired(ctx context.Context, u *padlock.User) (bool, error) {
	return requiredFor(ctx, s.DB.Conn(), u)
}

func requiredFor(ctx context.Context, tx *store.Tx, u *padlock.User) (bool, error) {
	if u.IsPortalUser() {
		p, err := tx.PortalByID(ctx, u.PortalID)
		if err != nil {
			return false, err
		}
		return p.RequiresMFA(), nil
	}
	acct, err := tx.Account(ctx, u.AccountID)
	if err != nil {
		return false, err
	}
	return acct.RequiresMFA(), nil
}

// MFAState is where the signed-in caller stands against the requirement
// now; the caller's user, account and portal were read for this request.
func (s *Service) MFAState(c *Current) padlock.MFAState {
	required := c.Account.RequiresMFA()
	if c.User.IsPortalUser() {
		required = c.Portal != nil && c.Portal.RequiresMFA()
	}
	return s.withIdPMFA(c, padlock.MFAStateOf(required, c.User, s.now()))
}
