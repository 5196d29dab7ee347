package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Backup and restore of the embedded SQLite database, and the step that makes
// a restored database of either kind safe to serve again.

// ErrInUse means a SQLite database is open elsewhere: a server or another
// command is running on the data directory.
var ErrInUse = errors.New("the database is in use: stop padlock serve (and any other padlock command on this data directory) first")

// BackupTo writes a consistent copy of the SQLite database to path with
// VACUUM INTO, while the server keeps running: the copy is one read
// transaction, so it holds every write committed before it started and none
// after. It never overwrites a file, and the copy is readable by its owner
// only.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("store: a PostgreSQL database is backed up with pg_dump")
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; choose a new file name", path)
		}
		return err
	}
	f.Close() // VACUUM INTO accepts an empty file and keeps its mode.
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// CheckBackup opens a backup read-only and checks that it is a whole SQLite
// database of Padlock whose schema this program knows.
func CheckBackup(ctx context.Context, path string) (version int, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, err
	}
	b, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer b.Close()
	var ok string
	if err := b.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		return 0, fmt.Errorf("%s is not a sound SQLite database (%v%s)", path, err, ok)
	}
	if err := b.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("%s is not a Padlock database: %w", path, err)
	}
	all, err := Migrations(SQLite)
	if err != nil {
		return 0, err
	}
	if version > len(all) {
		return 0, fmt.Errorf("the backup's schema is at version %d, newer than this program knows (%d)", version, len(all))
	}
	return version, nil
}

// RestoreSQLite replaces the data directory's database with a copy of the
// backup. It refuses while anything has the database open, and keeps the
// replaced database beside it under a name it returns ("" when there was
// none). The caller then runs AfterRestore on the restored database.
func RestoreSQLite(ctx context.Context, dataDir, backup string, now time.Time) (kept string, err error) {
	if _, err := CheckBackup(ctx, backup); err != nil {
		return "", err
	}
	live := filepath.Join(dataDir, "padlock.db")
	if _, err := os.Stat(live); err == nil {
		if err := closeIdle(ctx, live); err != nil {
			return "", err
		}
		kept = live + ".before-restore-" + now.UTC().Format("20060102T150405Z")
		if _, err := os.Stat(kept); err == nil {
			return "", fmt.Errorf("%s already exists; try again in a second", kept)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(live+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return "", err
			}
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := copyFile(backup, live); err != nil {
		return kept, err
	}
	return kept, nil
}

// closeIdle proves that no connection has the database open, by taking it
// in exclusive locking mode, and folds its write-ahead log into the file so
// that the file alone is the whole database.
func closeIdle(ctx context.Context, path string) error {
	c, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	if _, err := c.ExecContext(ctx, `BEGIN EXCLUSIVE`); err != nil {
		var e *sqlite.Error
		if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY {
			return ErrInUse
		}
		return err
	}
	if _, err := c.ExecContext(ctx, `COMMIT`); err != nil {
		return err
	}
	_, err = c.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// copyFile copies src to a new file dst, owner-only, through a temporary
// name so that dst is either absent or whole.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Voided counts what AfterRestore made unusable.
type Voided struct {
	TOTPFactors int64 // factors whose last used step moved forward
	Tokens      int64 // single-use links (invitation, reset, unlock, setup)
	Sessions    int64 // sessions and pending sign-ins
	SSORequests int64
	// Recounted is what counting the kept counts again found (recount.go).
	Recounted Recounted
}

// AfterRestore makes a restored database safe to serve. A restore rolls
// back what happened after the backup: TOTP steps used since come back as
// unused, links used since work again, and sessions ended since live again.
// So every factor's last used step moves forward to lastStep (the step of
// the restore plus the clock drift Padlock accepts), every unused link and
// every SSO request issued before now is void, and every session, pending
// sign-in, enrollment and recovery-code reveal ends. Last, the counts the
// triggers keep are counted again, in case the data was restored without
// them. It runs in one transaction and may run twice.
func (db *DB) AfterRestore(ctx context.Context, lastStep int64, now time.Time) (Voided, error) {
	var v Voided
	err := db.InTx(ctx, func(tx *Queries) error {
		var err error
		if v.TOTPFactors, err = tx.exec(ctx, `UPDATE totp_factors SET last_step = $1 WHERE last_step < $1`, lastStep); err != nil {
			return err
		}
		if v.Tokens, err = tx.exec(ctx, `UPDATE tokens SET used_at = $1 WHERE used_at = 0 AND created_at <= $1`, now.Unix()); err != nil {
			return err
		}
		if v.SSORequests, err = tx.exec(ctx, `DELETE FROM sso_requests WHERE created_at <= $1`, now.Unix()); err != nil {
			return err
		}
		for _, table := range []string{"recovery_reveals", "mfa_enrollments", "sso_sessions"} {
			if _, err := tx.exec(ctx, `DELETE FROM `+table); err != nil {
				return err
			}
		}
		if v.Sessions, err = tx.exec(ctx, `DELETE FROM sessions WHERE created_at <= $1`, now.Unix()); err != nil {
			return err
		}
		v.Recounted, err = tx.recountKept(ctx)
		return err
	})
	return v, err
}
