package store

import (
	"context"
	"time"
)

// SaveEnrollment starts an enrollment with a new secret for one session:
// no other session sees the secret or can confirm it.
func (q *Queries) SaveEnrollment(ctx context.Context, sessionID, userID int64, sealed []byte, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO mfa_enrollments (session_id, user_id, secret, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (session_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`, sessionID, userID, sealed, now.Unix())
	return err
}

// Enrollment returns the sealed secret of the session's enrollment in
// progress.
func (q *Queries) Enrollment(ctx context.Context, sessionID int64) ([]byte, time.Time, error) {
	var (
		sealed []byte
		at     int64
	)
	err := q.sql.QueryRowContext(ctx, `SELECT secret, created_at FROM mfa_enrollments WHERE session_id = $1`, sessionID).Scan(&sealed, &at)
	return sealed, time.Unix(at, 0), notFound(err)
}

// DeleteEnrollments abandons every enrollment in progress of a user, in
// any session.
func (q *Queries) DeleteEnrollments(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `DELETE FROM mfa_enrollments WHERE user_id = $1`, userID)
	return err
}

// ActivateTOTP makes a confirmed secret the user's factor, replacing any
// earlier one. step is the step of the confirming code, so that code cannot
// be used again to sign in.
func (q *Queries) ActivateTOTP(ctx context.Context, userID int64, sealed []byte, step int64, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO totp_factors (user_id, secret, last_step, confirmed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = excluded.last_step, confirmed_at = excluded.confirmed_at`,
		userID, sealed, step, now.Unix())
	return err
}

// TOTPFactor is a user's confirmed authenticator app.
type TOTPFactor struct {
	Sealed      []byte
	LastStep    int64
	ConfirmedAt time.Time
}

// TOTP returns the user's confirmed factor; read on every use, never cached,
// so a factor added or removed on one node counts on all of them at once.
func (q *Queries) TOTP(ctx context.Context, userID int64) (*TOTPFactor, error) {
	var (
		f  TOTPFactor
		at int64
	)
	err := q.sql.QueryRowContext(ctx, `SELECT secret, last_step, confirmed_at FROM totp_factors WHERE user_id = $1`, userID).
		Scan(&f.Sealed, &f.LastStep, &at)
	if err != nil {
		return nil, notFound(err)
	}
	f.ConfirmedAt = time.Unix(at, 0)
	return &f, nil
}

// AdvanceTOTPStep accepts a code's step only if it is newer than the last
// accepted one, in one conditional update: of racing requests with the same
// code, on any number of nodes, exactly one gets true.
func (q *Queries) AdvanceTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	n, err := q.exec(ctx, `UPDATE totp_factors SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
	return n == 1, err
}

// DeleteFactors removes every factor (the app and every passkey), recovery
// code, enrollment and WebAuthn challenge of a user.
func (q *Queries) DeleteFactors(ctx context.Context, userID int64) error {
	for _, stmt := range []string{
		`DELETE FROM totp_factors WHERE user_id = $1`,
		`DELETE FROM webauthn_credentials WHERE user_id = $1`,
		`DELETE FROM webauthn_challenges WHERE user_id = $1`,
		`DELETE FROM recovery_codes WHERE user_id = $1`,
		`DELETE FROM recovery_reveals WHERE user_id = $1`,
		`DELETE FROM mfa_enrollments WHERE user_id = $1`,
	} {
		if _, err := q.exec(ctx, stmt, userID); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTOTP removes the user's authenticator app only.
func (q *Queries) DeleteTOTP(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `DELETE FROM totp_factors WHERE user_id = $1`, userID)
	return err
}

// ReplaceRecoveryCodes voids the user's codes and stores a new set of hashes.
func (q *Queries) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte, now time.Time) error {
	if _, err := q.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := q.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)`, userID, h, now.Unix()); err != nil {
			return err
		}
	}
	return nil
}

// UseRecoveryCode marks an unused code used in one conditional update, so a
// code redeemed by racing requests succeeds once.
func (q *Queries) UseRecoveryCode(ctx context.Context, userID int64, hash []byte, now time.Time) (bool, error) {
	n, err := q.exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at = 0`, userID, hash, now.Unix())
	return n == 1, err
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (q *Queries) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at = 0`, userID).Scan(&n)
	return n, err
}

// SaveRecoveryReveal keeps a new set of codes, sealed, for the session
// that made them, until the user acknowledges them.
func (q *Queries) SaveRecoveryReveal(ctx context.Context, sessionID, userID int64, sealed []byte, expires time.Time) error {
	if _, err := q.exec(ctx, `DELETE FROM recovery_reveals WHERE user_id = $1`, userID); err != nil {
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO recovery_reveals (session_id, user_id, codes, expires_at) VALUES ($1, $2, $3, $4)`,
		sessionID, userID, sealed, expires.Unix())
	return err
}

// RecoveryReveal returns the sealed codes waiting to be shown to the
// session.
func (q *Queries) RecoveryReveal(ctx context.Context, sessionID int64, now time.Time) ([]byte, error) {
	var sealed []byte
	err := q.sql.QueryRowContext(ctx, `SELECT codes FROM recovery_reveals WHERE session_id = $1 AND expires_at > $2`, sessionID, now.Unix()).Scan(&sealed)
	return sealed, notFound(err)
}

// DeleteRecoveryReveal forgets codes once the user has saved them.
func (q *Queries) DeleteRecoveryReveal(ctx context.Context, sessionID int64) error {
	_, err := q.exec(ctx, `DELETE FROM recovery_reveals WHERE session_id = $1`, sessionID)
	return err
}

// RecordMFAFailure counts a wrong code against a sign-in waiting for its
// second step and returns the count.
func (q *Queries) RecordMFAFailure(ctx context.Context, sessionID int64) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `UPDATE sessions SET mfa_failures = mfa_failures + 1 WHERE id = $1 RETURNING mfa_failures`, sessionID).Scan(&n)
	return n, notFound(err)
}

// DeletePendingSessions ends every sign-in of the user still waiting for a
// second step.
func (q *Queries) DeletePendingSessions(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND state <> 'full'`, userID)
	return err
}
