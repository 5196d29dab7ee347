package cli

import (
	"context"
	"fmt"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

func runMigrate(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "migrate", "migrate [flags] up|status\n\nup applies every pending migration; status shows the schema version.")
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		usageWithFlags(fs)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	action := args[0]
	cfg, err := loadConfig(env, fs, args[1:])
	if err != nil {
		return err
	}
	if err := prepareDir(cfg.DataDir, cfg.DatabaseURL); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	all, err := store.Migrations(db.Dialect())
	if err != nil {
		return err
	}
	if action == "up" {
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "applied %s\n", padlock.Count(n, "migration", "migrations"))
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "database: %s\nschema version: %d of %d\n", db.Dialect(), v, len(all))
	for _, m := range all {
		state := "pending"
		if m.Version <= v {
			state = "applied"
		}
		fmt.Fprintf(env.Stdout, "  %04d_%s  %s\n", m.Version, m.Name, state)
	}
	return nil
}
