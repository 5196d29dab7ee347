package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// ListAccount is an account seeded for the users list figures: its staff
// and its Administrator, who has an authenticator app because the account
// requires MFA.
type ListAccount struct {
	ID     int64
	Size   int // staff users, the Administrator included
	Admin  *User
	Counts store.UserCounts // as the users list counts them
}

// The list accounts have required MFA for 60 days, with 14 days of grace.
// Most users joined a year ago, so those without MFA are overdue; one in
// thirty joined three days ago and is still within the grace.
const (
	listRequiredFor = 60 * 24 * time.Hour
	listGraceDays   = 14
	listJoinedEarly = 365 * 24 * time.Hour
	listJoinedLate  = 3 * 24 * time.Hour
)

// The bulk statements, the same text for both databases. User i (1 to
// $2) has no factor when i is a multiple of 10, and is then invited when
// i is a multiple of 20; the user's name ends with i, which the factors'
// statement reads.
const (
	listUsersSQL = `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $2)
		INSERT INTO users (account_id, email, name, role, status, created_at, last_sign_in_at)
		SELECT $1, CAST($3 AS TEXT) || '-' || (100000 + i) || '@bench.test', 'List User ' || i, 'editor',
			CASE WHEN i % 20 = 0 THEN 'invited' ELSE 'active' END,
			CASE WHEN i % 30 = 0 THEN CAST($4 AS BIGINT) ELSE CAST($5 AS BIGINT) END,
			CASE WHEN i % 20 = 0 THEN 0 ELSE CAST($6 AS BIGINT) END
		FROM seq`
	listFactorsSQL = `INSERT INTO totp_factors (user_id, secret, last_step, confirmed_at)
		SELECT id, $2, 0, created_at FROM users
		WHERE account_id = $1 AND portal_id IS NULL AND name LIKE 'List User %' AND name NOT LIKE '%0'`
	// Each user's invitation is an event of the account's activity.
	listEventsSQL = `INSERT INTO audit_events (account_id, actor_id, target_id, kind, detail, address, created_at)
		SELECT $1, $2, id, $3, email, '192.0.2.1', created_at FROM users
		WHERE account_id = $1 AND portal_id IS NULL AND name LIKE 'List User %'`
)

// SeedListAccount creates an account of size staff users through the
// services and the store, then adds all but its Administrator in bulk
// through raw, a connection of the harness's own to the same database.
func SeedListAccount(ctx context.Context, a *app.App, raw *sql.DB, size int, now time.Time) (*ListAccount, error) {
	l, err := seedListAccount(ctx, a, raw, size, now)
	if err != nil {
		return nil, fmt.Errorf("seed list of %d: %w", size, err)
	}
	return l, nil
}

func seedListAccount(ctx context.Context, a *app.App, raw *sql.DB, size int, now time.Time) (*ListAccount, error) {
	prefix := fmt.Sprintf("list%d", size)
	admin, err := a.Auth.SetupFromCLI(ctx, auth.SetupInput{AccountName: fmt.Sprintf("List %d", size), Name: "List Admin",
		Email: prefix + "-admin@bench.test", Password: Password})
	if err != nil {
		return nil, err
	}
	l := &ListAccount{ID: admin.AccountID, Size: size, Admin: &User{Email: admin.Email, Secret: mfa.NewSecret()}}
	r := padlock.Requirement{RequiredAt: now.Add(-listRequiredFor).Truncate(time.Second), GraceDays: listGraceDays}
	if err := a.DB.InTx(ctx, func(tx *store.Queries) error { return requireMFA(ctx, tx, a.Auth.Sealer, admin.ID, l, r, now) }); err != nil {
		return nil, err
	}
	if err := seedListUsers(ctx, raw, l, admin.ID, prefix, now); err != nil {
		return nil, err
	}
	if err := a.DB.InTx(ctx, func(tx *store.Queries) error {
		return tx.RecomputeMFADeadlines(ctx, l.ID, r.RequiredAt, r.GraceDays)
	}); err != nil {
		return nil, err
	}
	if l.Counts, err = a.DB.Conn().CountUsers(ctx, l.ID, 0, r, now); err != nil {
		return nil, err
	}
	// Every user is there, and in an account of more than ten some are overdue.
	if l.Counts.All != size || l.Counts.Overdue == 0 && size > 10 {
		return nil, fmt.Errorf("the account has %d users, %d overdue", l.Counts.All, l.Counts.Overdue)
	}
	return l, nil
}

// requireMFA gives the Administrator an authenticator app and makes the
// account require MFA since r.RequiredAt.
func requireMFA(ctx context.Context, tx *store.Queries, sealer *mfa.Sealer, adminID int64, l *ListAccount, r padlock.Requirement, now time.Time) error {
	if err := tx.ActivateTOTP(ctx, adminID, sealer.Seal(adminID, totpPurpose, l.Admin.Secret), 0, now); err != nil {
		return err
	}
	acct, err := tx.Account(ctx, l.ID)
	if err != nil {
		return err
	}
	acct.MFARequiredAt, acct.MFAGraceDays = r.RequiredAt, r.GraceDays
	return tx.SaveAuthenticationSettings(ctx, acct)
}

// seedListUsers writes the users, their factors and their invitations'
// events in one transaction.
func seedListUsers(ctx context.Context, raw *sql.DB, l *ListAccount, adminID int64, prefix string, now time.Time) error {
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, listUsersSQL, l.ID, l.Size-1, prefix,
		now.Add(-listJoinedLate).Unix(), now.Add(-listJoinedEarly).Unix(), now.Add(-24*time.Hour).Unix()); err != nil {
		return fmt.Errorf("users: %w", err)
	}
	if _, err := tx.ExecContext(ctx, listFactorsSQL, l.ID, []byte("bench")); err != nil {
		return fmt.Errorf("factors: %w", err)
	}
	if _, err := tx.ExecContext(ctx, listEventsSQL, l.ID, adminID, padlock.EventInvited); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	return tx.Commit()
}

// openRaw connects the harness to the run's database for bulk writes.
func (b *bench) openRaw() (*sql.DB, error) {
	if b.dbURL != "" {
		return sql.Open("pgx", b.dbURL)
	}
	path := filepath.Join(b.nodeDir("seed"), "padlock.db")
	return sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate")
}

// seedLists seeds an account for each list size, smallest first, and on
// PostgreSQL gives the planner statistics as autovacuum would.
func (b *bench) seedLists(ctx context.Context, a *app.App) error {
	sizes := slices.Compact(slices.Sorted(slices.Values(b.opts.ListSizes)))
	if len(sizes) == 0 || b.opts.OnlyMultiNode {
		return nil
	}
	b.report.Settings.ListSizes = sizes
	raw, err := b.openRaw()
	if err != nil {
		return err
	}
	defer raw.Close()
	for _, size := range sizes {
		b.p.printf("seeding an account of %d staff users, one in ten without MFA, for the users list", size)
		l, err := SeedListAccount(ctx, a, raw, size, time.Now())
		if err != nil {
			return err
		}
		b.lists = append(b.lists, l)
	}
	if b.dbURL != "" {
		_, err = raw.ExecContext(ctx, "ANALYZE")
	}
	return err
}
