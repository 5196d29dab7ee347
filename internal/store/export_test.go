package store

import "context"

// ExecForTest runs a raw statement; tests use it to set up odd states.
func (tx *Tx) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := tx.exec(ctx, query, args...)
	return err
}
