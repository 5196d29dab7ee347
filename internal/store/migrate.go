package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of a dialect in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: badly named migration %s", e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migration %d is missing", i+1)
		}
	}
	return out, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at BIGINT  NOT NULL
)`

// SchemaVersion returns the newest applied migration (0 for an empty
// database).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	if _, err := db.sql.ExecContext(ctx, createMigrationsTable); err != nil {
		return 0, fmt.Errorf("store: migrations table: %w", err)
	}
	var v int
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	return db.migrateTo(ctx, 0)
}

// migrateTo applies migrations up to version target (0: all of them).
func (db *DB) migrateTo(ctx context.Context, target int) (int, error) {
	all, err := Migrations(db.dialect)
	if err != nil {
		return 0, err
	}
	if target > 0 && target < len(all) {
		all = all[:target]
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return 0, err
	}
	switch {
	case current > len(all) && target == 0:
		return 0, &SchemaTooNewError{Version: current, Known: len(all)}
	case current > len(all):
		return 0, nil
	}
	applied := 0
	for _, m := range all[current:] {
		skipped := false
		err := db.InTx(ctx, func(tx *Queries) error {
			// Nodes starting together take turns; a node that waited finds
			// the migration applied and skips it.
			if db.dialect == Postgres {
				if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7274)`); err != nil {
					return err
				}
			}
			var done int
			if err := tx.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&done); err != nil || done > 0 {
				skipped = done > 0
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().Unix()); err != nil {
				return err
			}
			_, err := tx.exec(ctx, m.SQL)
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %d (%s): %w", m.Version, m.Name, err)
		}
		if !skipped {
			applied++
		}
	}
	return applied, nil
}

// CheckSchema refuses a database whose schema is not exactly the one this
// program knows: older means "run padlock migrate up", newer means this
// binary is too old for it.
func (db *DB) CheckSchema(ctx context.Context) error {
	all, err := Migrations(db.dialect)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case v < len(all):
		return fmt.Errorf("store: the database schema is at version %d, this program needs %d: run padlock migrate up", v, len(all))
	case v > len(all):
		return &SchemaTooNewError{Version: v, Known: len(all)}
	}
	return nil
}

// SchemaTooNewError says that a newer release has migrated the database:
// this program must not use it.
type SchemaTooNewError struct {
	Version int // applied in the database
	Known   int // the newest this program knows
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("store: the database schema is at version %d, newer than this program knows (%d)", e.Version, e.Known)
}

// CheckNotNewer returns a *SchemaTooNewError when the database holds a
// migration this program does not know. Unlike CheckSchema it only reads,
// so a running node may call it often, on a read-only database too.
func (db *DB) CheckNotNewer(ctx context.Context) error {
	all, err := Migrations(db.dialect)
	if err != nil {
		return err
	}
	var v int
	err = db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return fmt.Errorf("store: schema version: %w", db.check(err))
	}
	if v > len(all) {
		return &SchemaTooNewError{Version: v, Known: len(all)}
	}
	return nil
}
