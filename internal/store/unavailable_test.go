package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, padlock.ErrUnavailable) || padlock.ErrorCode(err) != padlock.EUNAVAILABLE {
		t.Fatalf("%s: %v (code %q), want padlock.ErrUnavailable", what, err, padlock.ErrorCode(err))
	}
}

func TestAStoppedPostgreSQLIsReportedAsUnavailable(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		if d != string(store.Postgres) {
			t.Skip("see the SQLite test below")
		}
		proxy, url := testenv.StartDBProxy(t, testenv.DatabaseURL(t, store.Postgres))
		db, err := store.Open(t.Context(), url, "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Conn().CredentialsByEmail(t.Context(), "nobody@acme.test"); !errors.Is(err, padlock.ErrNotFound) {
			t.Fatalf("before: %v, want not found", err)
		}
		proxy.Close()
		_, err = db.Conn().CredentialsByEmail(t.Context(), "nobody@acme.test")
		wantUnavailable(t, "a read", err)
		wantUnavailable(t, "a transaction", db.InTx(t.Context(), func(tx *store.Queries) error { return tx.ProbeWrite(t.Context(), time.Now()) }))
	})
}

func TestALockedSQLiteIsReportedAsUnavailableWhenTheDeadlinePasses(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(t.Context(), "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "padlock.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`INSERT INTO installation (name, value, updated_at) VALUES ('lock', '', 0)`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	wantUnavailable(t, "a write", db.Conn().ProbeWrite(ctx, time.Now()))
	if _, err := db.Conn().CredentialsByEmail(t.Context(), "nobody@acme.test"); !errors.Is(err, padlock.ErrNotFound) {
		t.Fatalf("a read beside the lock: %v, want not found", err)
	}
}
