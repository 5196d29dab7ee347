package store_test

import (
	"context"
	"testing"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestBothDatabasesHaveTheSameMigrationSequence(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %d_%s, postgres %d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

func TestMigrateIsIdempotentAndTheSchemaIsChecked(t *testing.T) {
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v", n, err)
		}
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("check schema: %v", err)
		}
		// A schema newer than the program is refused.
		err = db.InTx(ctx, func(tx *store.Tx) error {
			return tx.ExecForTest(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)`)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CheckSchema(ctx); err == nil {
			t.Fatal("a newer schema was accepted")
		}
	})
}
