package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestMigrateUpAppliesEveryMigrationOnce(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		all, err := store.Migrations(store.Dialect(d))
		if err != nil {
			t.Fatal(err)
		}
		env := dbEnv(t, d)
		if d == "sqlite" {
			env["PADLOCK_DATA_DIR"] += "/fresh" // a directory that does not exist yet
		}

		before := mustRun(t, env, "migrate", "status")
		if want := fmt.Sprintf("schema version: 0 of %d", len(all)); !strings.Contains(before.stdout, want) {
			t.Errorf("status of an empty database does not say %q:\n%s", want, before.stdout)
		}

		up := mustRun(t, env, "migrate", "up")
		if want := fmt.Sprintf("applied %d migrations", len(all)); !strings.Contains(up.stdout, want) {
			t.Errorf("migrate up does not say %q:\n%s", want, up.stdout)
		}

		status := mustRun(t, env, "migrate", "status")
		for _, want := range []string{"database: " + d, fmt.Sprintf("schema version: %d of %d", len(all), len(all))} {
			if !strings.Contains(status.stdout, want) {
				t.Errorf("status does not say %q:\n%s", want, status.stdout)
			}
		}
		for _, m := range all {
			line := fmt.Sprintf("%04d_%s  applied", m.Version, m.Name)
			if !strings.Contains(status.stdout, line) {
				t.Errorf("status does not list %q:\n%s", line, status.stdout)
			}
		}

		again := mustRun(t, env, "migrate", "up")
		if !strings.Contains(again.stdout, "applied 0 migrations") {
			t.Errorf("a second migrate up should apply nothing:\n%s", again.stdout)
		}
	})
}

func TestMigrateWithoutAnActionExits2(t *testing.T) {
	t.Parallel()
	r := run(t, map[string]string{"PADLOCK_DATA_DIR": t.TempDir()}, "", "migrate")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, "up|status") {
		t.Errorf("usage does not name the actions:\n%s", r.stderr)
	}
}

func TestMigrateReportsAnUnreachableDatabase(t *testing.T) {
	env := map[string]string{
		"PADLOCK_DATA_DIR":     t.TempDir(),
		"PADLOCK_DATABASE_URL": "postgres://nobody@127.0.0.1:1/padlock?sslmode=disable&connect_timeout=2",
	}
	r := run(t, env, "", "migrate", "status")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "connect") {
		t.Errorf("the message does not say the database could not be reached:\n%s", r.stderr)
	}
}
