// Package testenv gives tests real databases: SQLite in a temporary
// directory and, when PADLOCK_TEST_POSTGRES_URL is set, a fresh PostgreSQL
// database per test. With CI=true a missing PostgreSQL is a failure, not a
// skip.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/padlock-mfa/padlock/internal/store"
)

// PostgresURLEnv names the variable holding an admin URL of a PostgreSQL
// server where tests may create databases.
const PostgresURLEnv = "PADLOCK_TEST_POSTGRES_URL"

// InCI reports whether the tests run in CI, where nothing may skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Dialects lists the databases the suite runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// ForEachDB runs fn as a subtest on each database, the two in parallel,
// with a freshly migrated store.
func ForEachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, OpenDB(t, d))
		})
	}
}

// OpenDB returns a migrated, empty database of the dialect, closed and
// dropped when the test ends.
func OpenDB(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	url, dir := "", ""
	if d == store.SQLite {
		dir = t.TempDir()
		SeedSQLite(t, dir)
	} else {
		url = MigratedDatabaseURL(t)
	}
	db, err := store.Open(context.Background(), url, dir)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxConns(TestDBMaxConns)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// DatabaseURL returns "" for SQLite (use a data directory), or the URL of a
// new, empty PostgreSQL database that is dropped when the test ends.
func DatabaseURL(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return ""
	}
	return createDatabase(t, postgresAdminURL(t), "")
}

// postgresAdminURL returns the configured server, skipping the test when
// there is none, or failing it in CI.
func postgresAdminURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(PostgresURLEnv)
	if admin == "" {
		if InCI() {
			t.Fatalf("%s is not set; PostgreSQL tests must run in CI", PostgresURLEnv)
		}
		t.Skipf("%s is not set", PostgresURLEnv)
	}
	return admin
}

// createDatabase creates an empty database, or a copy of template when it
// is not "", dropped when the test ends, and returns its URL.
func createDatabase(t testing.TB, admin, template string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "padlock_test_" + hex.EncodeToString(b)
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	create := `CREATE DATABASE ` + name
	if template != "" {
		create += ` TEMPLATE ` + template
	}
	for attempt := 1; ; attempt++ {
		_, err = conn.Exec(create)
		if err == nil || !isTemplateBusy(err) || attempt == 50 {
			break
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
	if err != nil {
		conn.Close()
		t.Fatalf("postgres: create database: %v", err)
	}
	t.Cleanup(func() {
		conn.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		conn.Close()
	})
	return withDatabase(admin, name)
}

// withDatabase returns the server URL admin pointed at another database.
func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin // the server URL was checked when the first database was made
	}
	u.Path = "/" + name
	return u.String()
}

// ForEachDialect runs fn as a subtest named after each database, the two in
// parallel, for tests that start whole nodes rather than open a store.
func ForEachDialect(t *testing.T, fn func(t *testing.T, d string)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			if d == store.Postgres {
				postgresAdminURL(t) // skips or fails here when PostgreSQL is absent
			}
			fn(t, string(d))
		})
	}
}
