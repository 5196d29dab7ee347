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

// BeginEnrollment starts an enrollment for a user without MFA, with a new
// secret that belongs to this session alone. Until confirmed it counts for
// nothing. A user who has an app moves it with ReplaceFactor instead; one
// who has only passkeys adds an app with AddApp.
func (s *Service) BeginEnrollment(ctx context.Context, c *Current) error {
	if c.User.HasTOTP() {
		return padlock.FieldError("move_password", "Confirm your password and a current code to move MFA to a new phone.")
	}
	if c.User.HasMFA() {
		return padlock.FieldError("app_password", "Confirm your password to add an authenticator app.")
	}
	return s.DB.Conn().SaveEnrollment(ctx, c.Session.ID, c.User.ID, s.Sealer.Seal(c.User.ID, purposeTOTP, mfa.NewSecret()), s.now())
}

// AddApp starts an enrollment of an authenticator app for a user whose
// factors are passkeys. It needs the password, as adding a passkey does.
func (s *Service) AddApp(ctx context.Context, c *Current, password, address string) error {
	if err := s.confirmPassword(ctx, c, password, "app_password", wrongPassword, address); err != nil {
		return err
	}
	return s.DB.Conn().SaveEnrollment(ctx, c.Session.ID, c.User.ID, s.Sealer.Seal(c.User.ID, purposeTOTP, mfa.NewSecret()), s.now())
}

// ReplaceFactor starts an enrollment for a user who has MFA ("Move to a new
// phone"). It needs the password and a current code (or recovery code), so
// a borrowed session cannot swap the factor; the old one stays in force
// until the new one is confirmed.
func (s *Service) ReplaceFactor(ctx context.Context, c *Current, password, code, address string) error {
	return s.withPasswordAndCode(ctx, c, password, code, "move_", address, func(tx *store.Queries, q *MailQueue) error {
		return tx.SaveEnrollment(ctx, c.Session.ID, c.User.ID, s.Sealer.Seal(c.User.ID, purposeTOTP, mfa.NewSecret()), q.Now)
	})
}

// errNoEnrollment means this session has no enrollment in progress (or it
// expired).
var errNoEnrollment = &padlock.Error{Code: padlock.ENOTFOUND, Message: "The setup has expired. Start again with Enable MFA."}

// Enrolling tells whether this session has an enrollment in progress.
func (s *Service) Enrolling(ctx context.Context, c *Current) (bool, error) {
	_, err := s.enrollmentSecret(ctx, s.DB.Conn(), c)
	if err == errNoEnrollment {
		return false, nil
	}
	return err == nil, err
}

// PendingEnrollment returns this session's enrollment for display.
func (s *Service) PendingEnrollment(ctx context.Context, c *Current) (*Enrollment, error) {
	secret, err := s.enrollmentSecret(ctx, s.DB.Conn(), c)
	if err != nil {
		return nil, err
	}
	e := &Enrollment{Secret: mfa.EncodeSecret(secret), URI: mfa.KeyURI(c.Place(), c.User.Email, secret)}
	if e.QR, err = mfa.QRDataURI(e.URI); err != nil {
		return nil, err
	}
	return e, nil
}

func (s *Service) enrollmentSecret(ctx context.Context, db *store.Queries, c *Current) ([]byte, error) {
	sealed, at, err := db.Enrollment(ctx, c.Session.ID)
	if errors.Is(err, padlock.ErrNotFound) || (err == nil && s.now().Sub(at) >= enrollmentTTL) {
		return nil, errNoEnrollment
	} else if err != nil {
		return nil, err
	}
	return s.open(c.User.ID, purposeTOTP, sealed)
}

// ErrWrongCode answers a code that is not right now, with the usual cause
// and the ways out.
var ErrWrongCode = padlock.FieldError("code", "That code is not correct. Check that your phone's clock is set automatically, then try the newest code. Lost your phone? Use a recovery code, or ask an administrator to reset your MFA.")

var errNotACode = padlock.FieldError("code", "Enter the 6-digit code from your authenticator app, or one of your recovery codes.")

// ConfirmEnrollment checks a code against this session's enrollment and, if
// right, makes it the user's factor with a new set of recovery codes, in
// one transaction. The confirming code's step is stored as used. Every
// other session of the user that proved no second factor ends (pending
// sign-ins, enrollment holds, password-only sessions) and the credential
// version advances. A session that had proved none itself is replaced by
// one that proved this factor, under a new token, returned; otherwise the
// result is nil and the session goes on. The recovery codes are shown only
// to the resulting session.
func (s *Service) ConfirmEnrollment(ctx context.Context, c *Current, code, address string) (*SignedIn, error) {
	code, kind := mfa.NormalizeCode(code)
	if kind != mfa.TOTPCode {
		return nil, padlock.FieldError("code", "Enter the 6-digit code your authenticator app shows.")
	}
	var upgraded *SignedIn
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.LockUser(ctx, c.User.ID); err != nil {
			return err
		}
		sess, err := tx.LockSession(ctx, c.Session.ID)
		if err != nil {
			return notFoundAs(err, errNoEnrollment)
		}
		secret, err := s.enrollmentSecret(ctx, tx, c)
		if err != nil {
			return err
		}
		step, ok := mfa.MatchStep(secret, code, q.Now)
		if !ok {
			return ErrWrongCode
		}
		if err := s.activateFactor(ctx, tx, c.User.ID, sess.ID, secret, step, q.Now); err != nil {
			return err
		}
		u, err := tx.UserByID(ctx, c.User.ID)
		if err != nil {
			return err
		}
		revealTo := sess.ID
		if !provedItself(sess) {
			if upgraded, err = s.replaceSession(ctx, tx, sessionStart{user: u, first: sess.FirstStep, proved: padlock.ProofEnrolled, address: address, replaces: sess}, q.Now); err != nil {
				return err
			}
			revealTo = upgraded.Session.ID
		}
		if err := s.newRecoveryCodes(ctx, tx, q, u.ID, revealTo); err != nil {
			return err
		}
		if err := q.Add(mail.MFAEnabled(u.Email, q.Now)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventMFAEnabled, u.ID, "authenticator app", q.Now))
	})
	return upgraded, err
}

// activateFactor makes the confirmed secret the user's factor and ends
// what it must: every enrollment in progress, and every other session that
// proved no second factor. The credential version advances, and the
// sessions that remain are bound to it.
func (s *Service) activateFactor(ctx context.Context, tx *store.Queries, userID, sessionID int64, secret []byte, step int64, now time.Time) error {
	if err := tx.ActivateTOTP(ctx, userID, s.Sealer.Seal(userID, purposeTOTP, secret), step, now); err != nil {
		return err
	}
	if err := tx.DeleteEnrollments(ctx, userID); err != nil {
		return err
	}
	if _, err := tx.DeleteUnprovenSessions(ctx, userID, sessionID); err != nil {
		return err
	}
	if err := tx.ResetCredentials(ctx, userID); err != nil {
		return err
	}
	return tx.SyncAllSessionCredentials(ctx, userID)
}

// provedItself tells whether a session proved a factor of Padlock's own
// (not the identity provider's, which the account may stop accepting).
func provedItself(sess *padlock.Session) bool {
	return sess.Proved == padlock.ProofTOTP || sess.Proved == padlock.ProofRecovery || sess.Proved == padlock.ProofWebAuthn || sess.Proved == padlock.ProofEnrolled ||
		sess.Proved == padlock.ProofEnrolledPasskey
}

// newRecoveryCodes replaces the user's codes and keeps the new ones, sealed,
// for the one session that may see them, once.
func (s *Service) newRecoveryCodes(ctx context.Context, tx *store.Queries, q *MailQueue, userID, sessionID int64) error {
	codes := mfa.NewRecoveryCodes()
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		n, _ := mfa.NormalizeCode(c)
		hashes[i] = mfa.HashRecoveryCode(s.Sealer.RecoveryKey(), n)
	}
	if err := tx.ReplaceRecoveryCodes(ctx, userID, hashes, q.Now); err != nil {
		return err
	}
	sealed := s.Sealer.Seal(userID, purposeRecovery, []byte(strings.Join(codes, "\n")))
	return tx.SaveRecoveryReveal(ctx, sessionID, userID, sealed, q.Now.Add(recoveryRevealTTL))
}

// RecoveryCodesToShow returns newly made codes to the session that made
// them, until the user acknowledges them; afterwards nobody sees them again.
func (s *Service) RecoveryCodesToShow(ctx context.Context, c *Current) ([]string, error) {
	sealed, err := s.DB.Conn().RecoveryReveal(ctx, c.Session.ID, s.now())
	if err != nil {
		return nil, err
	}
	plain, err := s.open(c.User.ID, purposeRecovery, sealed)
	if err != nil {
		return nil, err
	}
	return strings.Split(string(plain), "\n"), nil
}

// AcknowledgeRecoveryCodes is "I have saved these codes".
func (s *Service) AcknowledgeRecoveryCodes(ctx context.Context, c *Current) error {
	return s.DB.Conn().DeleteRecoveryReveal(ctx, c.Session.ID)
}
