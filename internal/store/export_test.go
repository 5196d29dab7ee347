package store

import (
	"context"
	"fmt"
	"strings"
)

// ExecForTest runs a raw statement; tests use it to set up odd states.
func (q *Queries) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := q.exec(ctx, query, args...)
	return err
}

// MigrateToForTest applies migrations up to a version, to build a database
// as an older release left it.
func (db *DB) MigrateToForTest(ctx context.Context, version int) error {
	_, err := db.migrateTo(ctx, version)
	return err
}

// UserListQueryForTest is the SQL of a users list page, for its plan.
func UserListQueryForTest(f UserFilter, accountID int64) (string, []any) { return f.query(accountID) }

// DocumentListQueryForTest is the SQL of a documents list page, for its
// plan.
const DocumentListQueryForTest = documentListQuery

// PlanForTest runs an EXPLAIN statement and returns its rows as text, a
// line per row.
func (q *Queries) PlanForTest(ctx context.Context, query string, args ...any) (string, error) {
	rows, err := q.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" ")
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprint(&b, v)
		}
		b.WriteString("\n")
	}
	return b.String(), rows.Err()
}

// UserBatchQueryForTest is the SQL of a batch of EachUser whose list's
// passkeys were read beforehand, for its plan.
func UserBatchQueryForTest(f UserFilter, accountID int64) (string, []any) {
	f.Limit = userBatch
	return f.queryOf(userBatchSelect, accountID)
}

// FewPasskeysForTest is the most passkeys an installation holds for
// EachUser to read a list's passkeys up front.
const FewPasskeysForTest = fewPasskeys
