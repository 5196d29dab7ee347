package store

import (
	"context"
	"time"
)

// ProbeWrite proves that the database takes writes, for /readyz: it
// upserts the installation row readyz_probe, shared by every node.
func (q *Queries) ProbeWrite(ctx context.Context, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO installation (name, value, updated_at) VALUES ('readyz_probe', 'ok', $1)
		ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at`, now.Unix())
	return err
}
