package testenv

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Most tests want a database that already holds the schema. Migrating one
// costs about a tenth of a second under the race detector, and the suite
// opens hundreds, so each process migrates once and copies the result: a
// SQLite file held in memory, and a PostgreSQL template database shared by
// every test process of the same schema.

// sqliteFile is the file name store.Open uses inside a data directory.
const sqliteFile = "padlock.db"

var migratedSQLite = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "padlock-schema-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(context.Background(), "", dir)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	// Closing the last connection checkpoints the write-ahead log into the
	// file, so the file alone is the whole database.
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(filepath.Join(dir, sqliteFile))
})

// SeedSQLite writes a migrated, empty SQLite database into dir, which must
// not hold one yet.
func SeedSQLite(t testing.TB, dir string) {
	t.Helper()
	b, err := migratedSQLite()
	if err != nil {
		t.Fatalf("migrate the sqlite schema: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, sqliteFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// MigratedDatabaseURL is DatabaseURL for PostgreSQL with the schema already
// in place: the new database is a copy of a template migrated once.
func MigratedDatabaseURL(t testing.TB) string {
	t.Helper()
	admin := postgresAdminURL(t)
	tmpl, err := postgresTemplate(admin)
	if err != nil {
		t.Fatalf("postgres template: %v", err)
	}
	return createDatabase(t, admin, tmpl)
}

// templateLock is the advisory lock key under which a template is built.
const templateLock = 0x7061646c6f636b // "padlock"

var postgresTemplates sync.Map // admin URL → func() (string, error)

func postgresTemplate(admin string) (string, error) {
	once, _ := postgresTemplates.LoadOrStore(admin, sync.OnceValues(func() (string, error) {
		return buildPostgresTemplate(admin)
	}))
	return once.(func() (string, error))()
}

// buildPostgresTemplate makes sure the server holds a template database of
// the current schema, named after the migrations, and returns its name.
// Test processes running at once agree through an advisory lock; a build
// cut short leaves only a scratch database the next build drops.
func buildPostgresTemplate(admin string) (string, error) {
	name, err := templateName()
	if err != nil {
		return "", err
	}
	ctx := context.Background()
	pool, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, templateLock)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil || exists {
		return name, err
	}
	scratch := name + "_building"
	for _, q := range []string{
		`DROP DATABASE IF EXISTS ` + scratch + ` WITH (FORCE)`,
		`CREATE DATABASE ` + scratch,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return "", err
		}
	}
	if err := migrate(admin, scratch); err != nil {
		return "", err
	}
	_, err = conn.ExecContext(ctx, `ALTER DATABASE `+scratch+` RENAME TO `+name)
	return name, err
}

func migrate(admin, database string) error {
	db, err := store.Open(context.Background(), withDatabase(admin, database), "")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Migrate(context.Background())
	return err
}

// templateName changes whenever a PostgreSQL migration does.
func templateName() (string, error) {
	ms, err := store.Migrations(store.Postgres)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %d\n%s", m.Version, m.Name, len(m.SQL), m.SQL)
	}
	return "padlock_template_" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// isTemplateBusy reports the error PostgreSQL gives when a template is
// copied while another session is connected to it, which a concurrent copy
// can briefly be.
func isTemplateBusy(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "55006"
}
