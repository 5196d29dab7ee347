package store

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The CSV exports read a whole users list: a batch of rows at a time, each
// batch a range of the list's index after the last key of the one before,
// so a slow reader never holds one query open over the whole list, and
// rows are streamed, so memory does not grow with the account.
//
// Each user's oldest passkey is a subquery per row in userSelect. When the
// passkeys table is small, PostgreSQL answers it by scanning the whole
// table again for every user, at several microseconds each: most of what
// a 50,000-user export cost it. So while the installation holds few
// passkeys the export reads the list's passkeys once, up front, and its
// batches leave the subquery out. Beyond that the table is large enough
// for PostgreSQL to look each user up by index, as SQLite always does.

const (
	// userBatch is how many users EachUser reads per query by default:
	// a 50,000-user list in 10 queries. Rows are streamed, so it bounds how
	// long a query stays open, not memory; on PostgreSQL each query is a
	// round trip and a plan, which made 1,000 a batch cost twice as much.
	userBatch = 5000
	// fewPasskeys is the most passkeys an installation may hold for
	// EachUser to read a list's passkeys up front.
	fewPasskeys = 1000
)

// userBatchSelect is userSelect without the oldest passkey (always 0),
// for the batches of a list whose passkeys were read beforehand.
const userBatchSelect = `SELECT ` + userColumns + `, 0` + userFrom

// EachUser calls fn with every user matching the filter, in the list's
// order, as each row is read, and batchDone (when not nil) after each
// batch; the CSV exports write a row per call and send what they wrote
// at the end of each batch. The user fn is given is reused for the next
// row: it is valid only during the call. f.Limit is the size of a batch
// (userBatch when 0); its other paging fields are ignored. An error from
// fn or batchDone stops the reading and is returned.
func (q *Queries) EachUser(ctx context.Context, accountID int64, f UserFilter, fn func(*padlock.User) error, batchDone func() error) error {
	passkeys, err := q.listPasskeys(ctx, accountID, f.PortalID)
	if err != nil {
		return err
	}
	f.After, f.Before, f.Offset = UserKey{}, UserKey{}, 0
	if f.Limit <= 0 {
		f.Limit = userBatch
	}
	r := newUserRow()
	for {
		n, err := q.eachUserBatch(ctx, accountID, f, r, passkeys, fn)
		if err == nil && n > 0 && batchDone != nil {
			err = batchDone()
		}
		if err != nil || n < f.Limit {
			return err
		}
		f.After = f.Sort.KeyOf(&r.User)
	}
}

// eachUserBatch reads the batch of f into r a row at a time, calling fn
// with each, and returns how many it read; r holds the last. passkeys,
// when not nil, are the list's oldest passkeys by user.
func (q *Queries) eachUserBatch(ctx context.Context, accountID int64, f UserFilter, r *userRow, passkeys map[int64]int64, fn func(*padlock.User) error) (int, error) {
	sel := userSelect
	if passkeys != nil {
		sel = userBatchSelect
	}
	query, args := f.queryOf(sel, accountID)
	rows, err := q.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := r.scan(rows); err != nil {
			return n, err
		}
		if at, ok := passkeys[r.ID]; ok {
			r.SetFactors(r.TOTPSince, time.Unix(at, 0))
		}
		if err := fn(&r.User); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// listPasskeys returns the oldest passkey of each user of an account's
// staff (portalID 0) or of one portal who has one, or nil when the
// installation holds more than fewPasskeys passkeys. Counting at most
// fewPasskeys+1 of them costs little whatever the size of the table.
func (q *Queries) listPasskeys(ctx context.Context, accountID, portalID int64) (map[int64]int64, error) {
	var n int
	err := q.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM webauthn_credentials LIMIT $1) AS few`, fewPasskeys+1).Scan(&n)
	if err != nil || n > fewPasskeys {
		return nil, err
	}
	rows, err := q.sql.QueryContext(ctx, `SELECT w.user_id, w.created_at FROM webauthn_credentials w JOIN users ON users.id = w.user_id
		WHERE users.account_id = $1 AND (($2 = 0 AND users.portal_id IS NULL) OR users.portal_id = $2)`, accountID, portalID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	oldest := map[int64]int64{}
	for rows.Next() {
		var user, at int64
		if err := rows.Scan(&user, &at); err != nil {
			return nil, err
		}
		if prev, ok := oldest[user]; !ok || at < prev {
			oldest[user] = at
		}
	}
	return oldest, rows.Err()
}
