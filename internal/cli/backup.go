package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/config"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

const backupHelp = `backup FILE [flags]

SQLite: writes a consistent copy of the database to FILE while the server
keeps running (VACUUM INTO: one read transaction, so the copy holds every
change committed before it began and none after). FILE must not exist; it is
created readable by its owner only. It holds password hashes and encrypted
TOTP secrets: keep it as carefully as the data directory, and keep the
secret key (PADLOCK_SECRET_KEY or secret.key in the data directory) apart from
it, since a backup cannot be restored usefully without that key.

PostgreSQL: prints the pg_dump procedure instead and backs nothing up.`

const restoreHelp = `restore FILE [flags] | restore --after-restore [flags]

restore FILE (SQLite) replaces the data directory's database with the backup
FILE, then runs the after-restore step. The server must be stopped: restore
refuses while anything has the database open. The replaced database is
kept beside it as padlock.db.before-restore-TIME.

restore --after-restore (either database; run it on PostgreSQL after
pg_restore, before starting any node) makes a restored database safe to
serve: a restore rolls back what happened after the backup, so it moves
every user's last used TOTP step forward to now plus the accepted clock
drift (no code used before the restore can be used again), voids every
unused invitation, reset, unlock and setup link, and ends every session,
pending sign-in, enrollment and SSO request. Last, it counts again the MFA
counts the database keeps, from the users and their factors.`

// pgBackupProcedure is printed by backup on PostgreSQL.
const pgBackupProcedure = `On PostgreSQL, back up with pg_dump, which runs while every node keeps serving:

  pg_dump --format=custom --file=padlock-$(date -u +%Y%m%dT%H%M%SZ).dump "$PADLOCK_DATABASE_URL"

pg_dump reads the whole database in one transaction (one snapshot), so the dump
is consistent as of the moment it started: it holds every change committed
before then and none after, without stopping or blocking the nodes. It does not
hold the secret key: keep PADLOCK_SECRET_KEY apart from the dump.

To restore: stop every node, restore into an empty database, point
PADLOCK_DATABASE_URL at it, run "padlock restore --after-restore", then start
the nodes:

  createdb padlock_restored
  pg_restore --no-owner --dbname=padlock_restored padlock-….dump
  PADLOCK_DATABASE_URL=postgres://…/padlock_restored padlock restore --after-restore

See "Backups and restore" in docs/ADMIN_GUIDE.md.`

func runBackup(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "backup", backupHelp)
	file, cfg, err := fileAndConfig(env, fs, args)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		io.WriteString(env.Stdout, pgBackupProcedure+"\n")
		return errors.New("nothing was backed up: on PostgreSQL use pg_dump as shown")
	}
	if file == "" {
		fs.Usage()
		return errUsage
	}
	db, err := store.Open(ctx, "", cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	if err := db.BackupTo(ctx, file); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backed up %s to %s\n", cfg.DataDir, file)
	return nil
}

func runRestore(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "restore", restoreHelp)
	after := fs.Bool("after-restore", false, "only make the database already restored safe to serve (both databases)")
	file, cfg, err := fileAndConfig(env, fs, args)
	if err != nil {
		return err
	}
	switch {
	case *after && file != "":
		fmt.Fprintln(env.Stderr, "give either a backup FILE or --after-restore")
		return errUsage
	case !*after && file == "":
		fs.Usage()
		return errUsage
	case file != "" && cfg.DatabaseURL != "":
		return errors.New("on PostgreSQL, restore the dump with pg_restore (see padlock backup --help), then run padlock restore --after-restore")
	case file != "":
		kept, err := store.RestoreSQLite(ctx, cfg.DataDir, file, env.now())
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "restored %s into %s\n", file, cfg.DataDir)
		if kept != "" {
			fmt.Fprintf(env.Stdout, "the replaced database is kept as %s\n", kept)
		}
	}
	return afterRestore(ctx, env, cfg)
}

// afterRestore runs the after-restore step on the configured database,
// bringing its schema up to this release first.
func afterRestore(ctx context.Context, env Env, cfg config.Config) error {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	now := env.now()
	step := mfa.Step(now) + mfa.Skew
	v, err := db.AfterRestore(ctx, step, now)
	if err != nil {
		return fmt.Errorf("after restore: %w", err)
	}
	fmt.Fprintf(env.Stdout, "after restore (%s):\n", now.UTC().Format(time.RFC3339))
	fmt.Fprintf(env.Stdout, "  %s moved past step %d: no code used before now can be used again\n", padlock.Count(int(v.TOTPFactors), "TOTP factor", "TOTP factors"), step)
	fmt.Fprintf(env.Stdout, "  %s voided (invitations, password resets, unlocks, setup)\n", padlock.Count(int(v.Tokens), "unused link", "unused links"))
	fmt.Fprintf(env.Stdout, "  %s ended, %s voided\n", padlock.Count(int(v.Sessions), "session or pending sign-in", "sessions and pending sign-ins"), padlock.Count(int(v.SSORequests), "SSO request", "SSO requests"))
	fmt.Fprintf(env.Stdout, "  MFA counts of %s counted again from the users and their factors; %s corrected\n",
		padlock.Count(int(v.Recounted.Lists), "list", "lists"), padlock.Count(int(v.Recounted.Users), "user's factors", "users' factors"))
	fmt.Fprintln(env.Stdout, "Start the server; see \"Backups and restore\" in docs/ADMIN_GUIDE.md for what a restore cannot undo.")
	return nil
}

// fileAndConfig reads "FILE [flags]" or "[flags]": the file, if any, comes
// first.
func fileAndConfig(env Env, fs *flag.FlagSet, args []string) (string, config.Config, error) {
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	cfg, err := loadConfig(env, fs, args)
	return file, cfg, err
}
