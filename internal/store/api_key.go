package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

var apiKeyColumns = `k.id, k.account_id, k.name, k.prefix, k.access, COALESCE(k.created_by, 0), COALESCE(NULLIF(u.name, ''), u.email, ''),
	k.created_at, k.expires_at, k.last_used_at, k.revoked_at, ` + makerIsAdmin("k")

// makerIsAdmin tells whether the user who made the key (the row of
// api_keys called key in the query: SQLite's RETURNING sees the table by
// its name only) is an active Administrator of its account now: a staff
// user of the same account (a portal user holds no account role) with that
// role and status. Read with the key on every request and for every list,
// so a demotion or a deactivation suspends the key on every node at once,
// and nothing stored can go stale.
func makerIsAdmin(key string) string {
	return `EXISTS (SELECT 1 FROM users m WHERE m.id = ` + key + `.created_by AND m.account_id = ` + key + `.account_id
		AND m.portal_id IS NULL AND m.role = '` + string(padlock.RoleAdministrator) + `' AND m.status = '` + string(padlock.StatusActive) + `')`
}

// keysAccount returns the account of the api_keys row an UPDATE changes,
// column by column (accountColumns): SQLite's RETURNING may not name
// another table, but may hold subqueries.
var keysAccount = func() string {
	var cols []string
	for _, c := range strings.Split(accountColumns, ", ") {
		cols = append(cols, `(SELECT a.`+c+` FROM accounts a WHERE a.id = api_keys.account_id)`)
	}
	return strings.Join(cols, ", ")
}()

func scanAPIKey(row interface{ Scan(...any) error }) (*padlock.APIKey, error) {
	var (
		k                               padlock.APIKey
		access                          string
		created, expires, used, revoked int64
	)
	if err := row.Scan(&k.ID, &k.AccountID, &k.Name, &k.Prefix, &access, &k.CreatedBy, &k.CreatorName, &created, &expires, &used, &revoked, &k.MakerIsAdmin); err != nil {
		return nil, notFound(err)
	}
	k.Access, k.CreatedAt = padlock.APIAccess(access), time.Unix(created, 0)
	k.ExpiresAt, k.LastUsedAt, k.RevokedAt = unixOrZero(expires), unixOrZero(used), unixOrZero(revoked)
	return &k, nil
}

func scanAPIKeys(rows *sql.Rows, err error) ([]*padlock.APIKey, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*padlock.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// CreateAPIKey stores a new key under the hash of its secret and sets its
// ID. A name the account already gave a key is a conflict on "name".
func (q *Queries) CreateAPIKey(ctx context.Context, k *padlock.APIKey, hash []byte) error {
	var creator any
	if k.CreatedBy != 0 {
		creator = k.CreatedBy
	}
	err := q.sql.QueryRowContext(ctx, `INSERT INTO api_keys (account_id, name, prefix, key_hash, access, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		k.AccountID, k.Name, k.Prefix, hash, string(k.Access), creator, k.CreatedAt.Unix(), unixOrNone(k.ExpiresAt)).Scan(&k.ID)
	if isUniqueViolation(err, "api_keys_name_key", "api_keys.account_id, api_keys.name") {
		return padlock.FieldError("name", "This account already has a key of that name.").WithCode(padlock.ECONFLICT)
	}
	return err
}

// APIKeys lists the account's keys, newest first, revoked ones included.
func (q *Queries) APIKeys(ctx context.Context, accountID int64) ([]*padlock.APIKey, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
		WHERE k.account_id = $1 ORDER BY k.id DESC`, accountID)
	return scanAPIKeys(rows, err)
}

// APIKey returns one of the account's keys.
func (q *Queries) APIKey(ctx context.Context, accountID, id int64) (*padlock.APIKey, error) {
	return scanAPIKey(q.sql.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
		WHERE k.account_id = $1 AND k.id = $2`, accountID, id))
}

// RevokeAPIKey revokes one of the account's keys at now, and reports
// whether this call revoked it (false: it already was).
func (q *Queries) RevokeAPIKey(ctx context.Context, accountID, id int64, now time.Time) (bool, error) {
	n, err := q.exec(ctx, `UPDATE api_keys SET revoked_at = $3 WHERE account_id = $1 AND id = $2 AND revoked_at = 0`, accountID, id, now.Unix())
	return n == 1, err
}

// APIKeyUse is a request made with a key: the key, and its requests in the
// current rate-limit window, this one included.
type APIKeyUse struct {
	Key         *padlock.APIKey
	Account     *padlock.Account
	Requests    int64
	WindowStart time.Time
}

// UseAPIKey finds the usable key with the hash and counts a request on it,
// in one statement: the window's count (a new window starts at 1), and the
// last-used time, moved at most once a minute; the key comes back with
// whether its maker is an active Administrator now (Suspended), and with
// its account, so a request made with a key costs one statement. A key
// revoked or expired is padlock.ErrNotFound at once, on every node:
// nothing about keys is cached.
func (q *Queries) UseAPIKey(ctx context.Context, hash []byte, now time.Time, window time.Duration) (*APIKeyUse, error) {
	start := now.Unix() - now.Unix()%int64(window/time.Second)
	var (
		k                      padlock.APIKey
		access                 string
		created, expires, used int64
		count                  int64
	)
	row := q.sql.QueryRowContext(ctx, `UPDATE api_keys SET
			rate_count = CASE WHEN rate_window = $3 THEN rate_count + 1 ELSE 1 END,
			rate_window = $3,
			last_used_at = CASE WHEN last_used_at <= $2 - 60 THEN $2 ELSE last_used_at END
		WHERE key_hash = $1 AND revoked_at = 0 AND (expires_at = 0 OR expires_at > $2)
		RETURNING id, account_id, name, prefix, access, COALESCE(created_by, 0), created_at, expires_at, last_used_at, rate_count, `+makerIsAdmin("api_keys")+`, `+keysAccount,
		hash, now.Unix(), start)
	acct, err := scanAccount(scanFunc(func(account ...any) error {
		return row.Scan(append([]any{&k.ID, &k.AccountID, &k.Name, &k.Prefix, &access, &k.CreatedBy, &created, &expires, &used, &count, &k.MakerIsAdmin}, account...)...)
	}))
	if err != nil {
		return nil, notFound(err)
	}
	k.Access, k.CreatedAt, k.ExpiresAt, k.LastUsedAt = padlock.APIAccess(access), time.Unix(created, 0), unixOrZero(expires), unixOrZero(used)
	return &APIKeyUse{Key: &k, Account: acct, Requests: count, WindowStart: time.Unix(start, 0)}, nil
}

// APIKeysMadeBy lists the account's keys that the user made and that are
// neither revoked nor expired at now: those that a change of the user's
// role or status suspends or lets work again.
func (q *Queries) APIKeysMadeBy(ctx context.Context, accountID, userID int64, now time.Time) ([]*padlock.APIKey, error) {
	rows, err := q.sql.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
		WHERE k.account_id = $1 AND k.created_by = $2 AND k.revoked_at = 0 AND (k.expires_at = 0 OR k.expires_at > $3) ORDER BY k.id`,
		accountID, userID, now.Unix())
	return scanAPIKeys(rows, err)
}
