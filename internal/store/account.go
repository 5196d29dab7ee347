package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// CreateAccount inserts an account and returns it with its ID.
func (q *Queries) CreateAccount(ctx context.Context, a *padlock.Account) error {
	return q.sql.QueryRowContext(ctx, `INSERT INTO accounts (name, session_idle_seconds, session_lifetime_seconds, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`,
		a.Name, int64(a.SessionIdle/time.Second), int64(a.SessionLifetime/time.Second), a.CreatedAt.Unix()).Scan(&a.ID)
}

// Account returns the account with the ID.
func (q *Queries) Account(ctx context.Context, id int64) (*padlock.Account, error) {
	return scanAccount(q.sql.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
}

const accountColumns = `id, name, session_idle_seconds, session_lifetime_seconds, created_at, mfa_required_at, mfa_grace_days, mfa_strict_at`

func scanAccount(row interface{ Scan(...any) error }) (*padlock.Account, error) {
	var (
		a                                 padlock.Account
		idle, life, cre, required, strict int64
	)
	if err := row.Scan(&a.ID, &a.Name, &idle, &life, &cre, &required, &a.MFAGraceDays, &strict); err != nil {
		return nil, notFound(err)
	}
	a.SessionIdle, a.SessionLifetime, a.CreatedAt = time.Duration(idle)*time.Second, time.Duration(life)*time.Second, time.Unix(cre, 0)
	a.MFARequiredAt, a.MFAStrictAt = unixOrZero(required), unixOrZero(strict)
	return &a, nil
}

// CountAccounts tells whether setup has happened.
func (q *Queries) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, err
}

// LockAccount serializes changes to one account's membership until the
// transaction ends, so checks such as "one Administrator must remain" cannot
// be raced. (SQLite transactions are already serialized.)
func (q *Queries) LockAccount(ctx context.Context, accountID int64) error {
	_, err := q.exec(ctx, `UPDATE accounts SET name = name WHERE id = $1`, accountID)
	return err
}

// SaveAuthenticationSettings stores the account's MFA requirement, grace
// period and session limits.
func (q *Queries) SaveAuthenticationSettings(ctx context.Context, a *padlock.Account) error {
	return q.execOne(ctx, `UPDATE accounts SET mfa_required_at = $2, mfa_grace_days = $3, session_idle_seconds = $4, session_lifetime_seconds = $5,
		mfa_strict_at = $6 WHERE id = $1`, a.ID, unixOrNone(a.MFARequiredAt), a.MFAGraceDays, int64(a.SessionIdle/time.Second), int64(a.SessionLifetime/time.Second),
		unixOrNone(a.MFAStrictAt))
}
