package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// userSelect reads users with their factors' times (the app's
// confirmation, the oldest passkey's creation, by index in the same
// statement), so "has MFA" is always as fresh as the row it is read with.
const (
	userFields = userColumns + `, ` + firstPasskey
	// userColumns are userFields but the oldest passkey's creation.
	userColumns = `users.id, users.account_id, COALESCE(users.portal_id, 0), users.email, users.name, users.role, users.status,
	users.credential_version, users.last_sign_in_at, users.created_at, users.mfa_deadline, COALESCE(f.confirmed_at, 0)`
	firstPasskey = `COALESCE((SELECT MIN(w.created_at) FROM webauthn_credentials w WHERE w.user_id = users.id), 0)`
	userFrom     = ` FROM users LEFT JOIN totp_factors f ON f.user_id = users.id`
	userSelect   = `SELECT ` + userFields + userFrom
	// hasFactor, noFactor and noPasskey read users.mfa_factors (0 none,
	// 1 an app, 2 a passkey, 3 both), which triggers keep (migration 0020),
	// rather than the factor tables: a filtered list then reads only the
	// account's users, by index, where a join could read a whole factor
	// table of every account.
	hasFactor = `users.mfa_factors <> 0`
	noFactor  = `users.mfa_factors = 0`
	noPasskey = `users.mfa_factors < 2`
	// hasApp and hasPasskey are true for a user owning that kind of factor.
	hasApp     = `users.mfa_factors IN (1, 3)`
	hasPasskey = `users.mfa_factors >= 2`
)

func scanUser(row interface{ Scan(...any) error }) (*padlock.User, error) {
	r := newUserRow()
	if err := r.scan(row); err != nil {
		return nil, err
	}
	u := r.User // keeps the user alone, not the row's scanning space
	return &u, nil
}

// userRow is where a row of userFields is scanned: a reader of many rows
// scans each into the same userRow, so that scanning allocates nothing of
// its own per row.
type userRow struct {
	padlock.User
	role, status                          string
	last, created, deadline, app, passkey int64
	dest                                  []any
}

func newUserRow() *userRow {
	r := &userRow{}
	r.dest = []any{&r.ID, &r.AccountID, &r.PortalID, &r.Email, &r.Name, &r.role, &r.status, &r.CredentialVersion,
		&r.last, &r.created, &r.deadline, &r.app, &r.passkey}
	return r
}

// scan reads a row into r.User, replacing every field the row holds.
func (r *userRow) scan(row interface{ Scan(...any) error }) error {
	if err := row.Scan(r.dest...); err != nil {
		return notFound(err)
	}
	u := &r.User
	u.Role, u.Status, u.CreatedAt = padlock.Role(r.role), padlock.UserStatus(r.status), time.Unix(r.created, 0)
	u.LastSignIn, u.MFADeadline = unixOrZero(r.last), unixOrZero(r.deadline)
	u.SetFactors(unixOrZero(r.app), unixOrZero(r.passkey))
	return nil
}

// unixOrZero reads a stored Unix time where 0 means "none".
func unixOrZero(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

// CreateUser inserts a user and sets its ID. An email already in use gives
// an ECONFLICT error on the email field.
func (q *Queries) CreateUser(ctx context.Context, u *padlock.User, passwordHash string) error {
	var portal any
	if u.PortalID != 0 {
		portal = u.PortalID
	}
	err := q.sql.QueryRowContext(ctx, `INSERT INTO users (account_id, portal_id, email, name, role, status, password_hash, created_at, mfa_deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, credential_version`,
		u.AccountID, portal, u.Email, u.Name, string(u.Role), string(u.Status), passwordHash, u.CreatedAt.Unix(), unixOrNone(u.MFADeadline)).
		Scan(&u.ID, &u.CredentialVersion)
	if isUniqueViolation(err, "users_email_key", "users.email") {
		return padlock.FieldError("email", "A user with this email address already exists.").WithCode(padlock.ECONFLICT)
	}
	return err
}

// CreateUserIfNew inserts a user and sets its ID, unless the email already
// belongs to a user of any account or portal: then it inserts nothing and
// reports false. It never fails on the taken address, so it is safe inside a
// PostgreSQL transaction, where a unique violation would abort the rest.
func (q *Queries) CreateUserIfNew(ctx context.Context, u *padlock.User, passwordHash string) (bool, error) {
	var portal any
	if u.PortalID != 0 {
		portal = u.PortalID
	}
	err := q.sql.QueryRowContext(ctx, `INSERT INTO users (account_id, portal_id, email, name, role, status, password_hash, created_at, mfa_deadline)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (email) DO NOTHING RETURNING id, credential_version`,
		u.AccountID, portal, u.Email, u.Name, string(u.Role), string(u.Status), passwordHash, u.CreatedAt.Unix(), unixOrNone(u.MFADeadline)).
		Scan(&u.ID, &u.CredentialVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// User returns a member of the account's staff. Another account's user, or
// a portal user, is "not found".
func (q *Queries) User(ctx context.Context, accountID, id int64) (*padlock.User, error) {
	return scanUser(q.sql.QueryRowContext(ctx, userSelect+` WHERE users.account_id = $1 AND users.id = $2 AND users.portal_id IS NULL`, accountID, id))
}

// PortalUser returns a user of one portal of the account.
func (q *Queries) PortalUser(ctx context.Context, accountID, portalID, id int64) (*padlock.User, error) {
	return scanUser(q.sql.QueryRowContext(ctx, userSelect+` WHERE users.account_id = $1 AND users.portal_id = $2 AND users.id = $3`, accountID, portalID, id))
}

// UserByID returns a user whatever its account; for sessions and tokens,
// which already name the user.
func (q *Queries) UserByID(ctx context.Context, id int64) (*padlock.User, error) {
	return scanUser(q.sql.QueryRowContext(ctx, userSelect+` WHERE users.id = $1`, id))
}

// Credentials is what the sign-in step reads about a user.
type Credentials struct {
	User           *padlock.User
	PasswordHash   string
	FailedAttempts int
	LockedUntil    time.Time
}

// EmailsTaken returns those of the (normalized) emails that already have a
// user in the account, among its staff or in any of its portals, in the
// order given.
func (q *Queries) EmailsTaken(ctx context.Context, accountID int64, emails []string) ([]string, error) {
	var taken []string
	for _, e := range emails {
		var one int
		err := q.sql.QueryRowContext(ctx, `SELECT 1 FROM users WHERE email = $1 AND account_id = $2`, e, accountID).Scan(&one)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return nil, err
		default:
			taken = append(taken, e)
		}
	}
	return taken, nil
}

// CredentialsByEmail returns the user with the (normalized) email and the
// fields sign-in needs.
func (q *Queries) CredentialsByEmail(ctx context.Context, email string) (*Credentials, error) {
	var (
		c      Credentials
		locked int64
	)
	row := q.sql.QueryRowContext(ctx, `SELECT `+userFields+`, users.password_hash, users.failed_attempts, users.locked_until`+userFrom+
		` WHERE users.email = $1`, email)
	u, err := scanUser(scanFunc(func(dest ...any) error {
		return row.Scan(append(dest, &c.PasswordHash, &c.FailedAttempts, &locked)...)
	}))
	if err != nil {
		return nil, err
	}
	c.User, c.LockedUntil = u, time.Unix(locked, 0)
	return &c, nil
}

// LockUser reads the sign-in state of a user and holds the user's row
// until the transaction ends. Every transaction that changes a user's
// sign-in state (second step, enrollment, reset, lockout) takes this lock
// first, then the user's sessions, then their factors: one order on every
// path, so PostgreSQL never finds a deadlock.
func (q *Queries) LockUser(ctx context.Context, userID int64) (*Credentials, error) {
	var (
		c      Credentials
		locked int64
	)
	row := q.sql.QueryRowContext(ctx, `UPDATE users SET failed_attempts = failed_attempts WHERE id = $1
		RETURNING password_hash, failed_attempts, locked_until`, userID)
	if err := row.Scan(&c.PasswordHash, &c.FailedAttempts, &locked); err != nil {
		return nil, notFound(err)
	}
	u, err := q.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	c.User, c.LockedUntil = u, time.Unix(locked, 0)
	return &c, nil
}

// Locked tells whether sign-in is locked for the user at now.
func (c *Credentials) Locked(now time.Time) bool { return c.LockedUntil.After(now) }

// PasswordHash returns the stored hash of a user's password.
func (q *Queries) PasswordHash(ctx context.Context, userID int64) (string, error) {
	var h string
	err := q.sql.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = $1`, userID).Scan(&h)
	return h, notFound(err)
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// RecordFailedAttempt counts one failed sign-in atomically and returns the
// number of consecutive failures. When the count reaches limit the user is
// locked until lockUntil. A lock that has expired starts the count afresh.
func (q *Queries) RecordFailedAttempt(ctx context.Context, userID int64, now time.Time, limit int, lockUntil time.Time) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `UPDATE users SET
			failed_attempts = CASE WHEN locked_until <> 0 AND locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END,
			locked_until = CASE
				WHEN locked_until <> 0 AND locked_until <= $2 THEN 0
				WHEN failed_attempts + 1 = $3 THEN $4
				ELSE locked_until END
		WHERE id = $1 RETURNING failed_attempts`, userID, now.Unix(), limit, lockUntil.Unix()).Scan(&n)
	return n, notFound(err)
}

// ClearFailedAttempts resets the counter and lock after a successful sign-in
// or an unlock.
func (q *Queries) ClearFailedAttempts(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `UPDATE users SET failed_attempts = 0, locked_until = 0 WHERE id = $1`, userID)
	return err
}

// RecordSignIn notes the time of a completed sign-in and clears the
// failure count. A lock still running is never cleared by a sign-in (the
// callers refuse locked users; this holds even if one did not).
func (q *Queries) RecordSignIn(ctx context.Context, userID int64, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE users SET last_sign_in_at = $2,
			failed_attempts = CASE WHEN locked_until > $2 THEN failed_attempts ELSE 0 END,
			locked_until = CASE WHEN locked_until > $2 THEN locked_until ELSE 0 END
		WHERE id = $1`, userID, at.Unix())
	return err
}

// SetPassword stores a new hash. When rotate is true the credential version
// advances, which voids pending sign-ins bound to the old one.
func (q *Queries) SetPassword(ctx context.Context, userID int64, hash string, rotate bool) error {
	bump := 0
	if rotate {
		bump = 1
	}
	return q.execOne(ctx, `UPDATE users SET password_hash = $2, credential_version = credential_version + $3 WHERE id = $1`, userID, hash, bump)
}

// ActivateUser completes an invitation: name, password and status.
func (q *Queries) ActivateUser(ctx context.Context, userID int64, name, hash string) error {
	return q.execOne(ctx, `UPDATE users SET name = $2, password_hash = $3, status = $4, credential_version = credential_version + 1
		WHERE id = $1 AND status = $5`, userID, name, hash, string(padlock.StatusActive), string(padlock.StatusInvited))
}

// SetUserName changes a user's display name.
func (q *Queries) SetUserName(ctx context.Context, userID int64, name string) error {
	_, err := q.exec(ctx, `UPDATE users SET name = $2 WHERE id = $1`, userID, name)
	return err
}

// SetUserRole changes a user's role within the account.
func (q *Queries) SetUserRole(ctx context.Context, accountID, userID int64, role padlock.Role) error {
	return q.execOne(ctx, `UPDATE users SET role = $3 WHERE account_id = $1 AND id = $2`, accountID, userID, string(role))
}

// SetUserStatus changes a user's status within the account.
func (q *Queries) SetUserStatus(ctx context.Context, accountID, userID int64, status padlock.UserStatus) error {
	return q.execOne(ctx, `UPDATE users SET status = $3 WHERE account_id = $1 AND id = $2`, accountID, userID, string(status))
}

// DeletePortalUser removes a user of one portal of the account and, by
// cascade, their sessions, tokens and factors; their audit events stay.
func (q *Queries) DeletePortalUser(ctx context.Context, accountID, portalID, userID int64) error {
	return q.execOne(ctx, `DELETE FROM users WHERE account_id = $1 AND portal_id = $2 AND id = $3`, accountID, portalID, userID)
}

// CountAdministrators counts the active Administrators of an account, so the
// last one cannot be demoted or deactivated.
func (q *Queries) CountAdministrators(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE account_id = $1 AND role = $2 AND status = $3 AND portal_id IS NULL`,
		accountID, string(padlock.RoleAdministrator), string(padlock.StatusActive)).Scan(&n)
	return n, err
}

// AdministratorEmails lists the addresses of the active users who administer
// a user of the account: its Administrators and, for a user of a portal
// (portalID not 0), that portal's administrators; the user except is left
// out.
func (q *Queries) AdministratorEmails(ctx context.Context, accountID, portalID, except int64) ([]string, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT email FROM users WHERE account_id = $1 AND status = $2 AND id <> $3
		AND (portal_id IS NULL AND role = $4 OR portal_id = $5 AND role = $6) ORDER BY email`,
		accountID, string(padlock.StatusActive), except, string(padlock.RoleAdministrator), portalID, string(padlock.RolePortalAdministrator))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			return nil, err
		}
		out = append(out, email)
	}
	return out, rows.Err()
}

// unixOrNone stores a time as Unix seconds, the zero time as 0.
func unixOrNone(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// ResetCredentials advances the user's credential version, which voids
// every session and pending sign-in bound to the old one, on every node.
func (q *Queries) ResetCredentials(ctx context.Context, userID int64) error {
	_, err := q.exec(ctx, `UPDATE users SET credential_version = credential_version + 1 WHERE id = $1`, userID)
	return err
}

// SetMFAReset records that the user's MFA was reset at: the requirement
// applies to them from then, and no later grace period moves that.
func (q *Queries) SetMFAReset(ctx context.Context, userID int64, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE users SET mfa_deadline = $2, mfa_reset_at = $2 WHERE id = $1`, userID, at.Unix())
	return err
}
