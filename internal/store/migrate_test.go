package store_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestBothDatabasesHaveTheSameMigrationSequence(t *testing.T) {
	t.Parallel()
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

// The migration table of docs/ARCHITECTURE.md names every migration file of
// both databases, in order, and the sentence before it counts them.
func TestTheArchitectureDocumentListsEveryMigration(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\s*\\| `(\\d{4}_\\w+)` \\|").FindAllStringSubmatch(doc, -1) {
		documented = append(documented, m[1])
	}
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		ms, err := store.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, m := range ms {
			files = append(files, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
		if !slices.Equal(documented, files) {
			t.Errorf("docs/ARCHITECTURE.md lists the migrations\n  %s\nmigrations/%s has\n  %s", strings.Join(documented, " "), d, strings.Join(files, " "))
		}
	}
	words := []string{"none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
		"twenty-one", "twenty-two", "twenty-three", "twenty-four", "twenty-five", "twenty-six", "twenty-seven", "twenty-eight", "twenty-nine"}
	count := regexp.MustCompile(`There are ([\w-]+), the same file names`).FindStringSubmatch(doc)
	if count == nil || len(documented) >= len(words) || count[1] != words[len(documented)] {
		t.Errorf("docs/ARCHITECTURE.md counts the migrations as %q; its table has %d", count, len(documented))
	}
}

func TestMigrateIsIdempotentAndTheSchemaIsChecked(t *testing.T) {
	t.Parallel()
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
		err = db.InTx(ctx, func(tx *store.Queries) error {
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
