package store

import "context"

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
