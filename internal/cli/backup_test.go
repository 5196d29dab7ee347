package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base32"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/cli"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// runAt runs a command whose clock is now.
func runAt(t *testing.T, env map[string]string, now func() time.Time, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return env[k] }, Now: now}, args)
	return result{code, stdout.String(), stderr.String()}
}

// enrollTOTP sets MFA up for the user and returns the authenticator's
// secret and the session that enrolled it.
func enrollTOTP(t *testing.T, a *testenv.TestApp, email string) ([]byte, string) {
	t.Helper()
	ctx := t.Context()
	s, err := a.Auth.SignIn(ctx, email, testenv.Password, "test")
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.Auth.Authenticate(ctx, s.Token)
	if err == nil {
		err = a.Auth.BeginEnrollment(ctx, c)
	}
	var e *auth.Enrollment
	if err == nil {
		e, err = a.Auth.PendingEnrollment(ctx, c)
	}
	if err != nil {
		t.Fatal(err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.ConfirmEnrollment(ctx, c, mfa.Code(secret, mfa.Step(a.Clock.Now()), mfa.Digits), "test"); err != nil {
		t.Fatal(err)
	}
	return secret, s.Token
}

// signInWithCode signs in with the password and the code of the clock's
// current step, and returns the second step's answer.
func signInWithCode(t *testing.T, a *testenv.TestApp, email, password string, secret []byte) error {
	t.Helper()
	ctx := t.Context()
	s, err := a.Auth.SignIn(ctx, email, password, "test")
	if err != nil {
		t.Fatalf("password step: %v", err)
	}
	c, err := a.Auth.Authenticate(ctx, s.Token)
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Auth.CompleteMFA(ctx, c, mfa.Code(secret, mfa.Step(a.Clock.Now()), mfa.Digits), "test")
	return err
}

// resetToken asks for a password reset and returns the emailed token.
func resetToken(t *testing.T, a *testenv.TestApp, email string) string {
	t.Helper()
	if err := a.Auth.RequestPasswordReset(t.Context(), email, "test"); err != nil {
		t.Fatal(err)
	}
	return testenv.LinkToken(t, a.SMTP.WaitFor(t, email, "Reset").Body, "/reset/")
}

// writeLoad commits an organization and its document in one transaction,
// over and over, until stop is called; started returns once some are in.
func writeLoad(t *testing.T, db *store.DB, accountID int64) (stop func()) {
	var (
		done    atomic.Bool
		wg      sync.WaitGroup
		started = make(chan struct{}, 64)
	)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !done.Load(); i++ {
				err := db.InTx(context.Background(), func(tx *store.Queries) error {
					o := &padlock.Organization{AccountID: accountID, Name: fmt.Sprintf("load-%d-%d", w, i), CreatedAt: time.Now()}
					if err := tx.CreateOrganization(context.Background(), o); err != nil {
						return err
					}
					return tx.CreateDocument(context.Background(), &padlock.Document{AccountID: accountID, OrganizationID: o.ID, Title: "t", Body: "b", UpdatedAt: time.Now()})
				})
				if err != nil {
					t.Errorf("write under load: %v", err)
					return
				}
				select {
				case started <- struct{}{}:
				default:
				}
			}
		}()
	}
	for range 20 {
		<-started
	}
	return func() { done.Store(true); wg.Wait() }
}

func TestABackupTakenUnderWriteLoadRestoresWithoutReplayingCodesOrLinks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, env := breakGlassApp(t, "sqlite")
	ada := a.CreateAccount(t, "Acme IT", "ada@example.com")
	a.AddUser(t, ada, "bob@example.com", padlock.RoleLite)
	secret, oldSession := enrollTOTP(t, a, "bob@example.com")
	token := resetToken(t, a, "bob@example.com")

	file := filepath.Join(t.TempDir(), "padlock-backup.db")
	stop := writeLoad(t, a.DB, ada.AccountID)
	r := mustRun(t, env, "backup", file)
	stop()
	if !strings.Contains(r.stdout, "backed up") {
		t.Errorf("stdout: %s", r.stdout)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, mode %v", err, fi.Mode().Perm())
	}
	if r := run(t, env, "", "backup", file); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("backup overwrote a file: exit %d %s", r.code, r.stderr)
	}
	copyIsConsistent(t, file)

	// After the backup: a code and the reset link are used.
	a.Clock.Advance(time.Minute)
	if err := signInWithCode(t, a, "bob@example.com", testenv.Password, secret); err != nil {
		t.Fatalf("the code after the backup was refused: %v", err)
	}
	if err := a.Auth.ResetPassword(ctx, token, "a-new-password-after-backup", "test"); err != nil {
		t.Fatal(err)
	}

	if r := run(t, env, "", "restore", file); r.code != 1 || !strings.Contains(r.stderr, "in use") {
		t.Fatalf("restore ran while the server had the database open: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	a.Close()
	r = runAt(t, env, a.Clock.Now, "restore", file)
	if r.code != 0 || !strings.Contains(r.stdout, "1 TOTP factor moved") {
		t.Fatalf("restore: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	kept, _ := filepath.Glob(filepath.Join(env["PADLOCK_DATA_DIR"], "padlock.db.before-restore-*"))
	if len(kept) == 0 {
		t.Error("the replaced database was not kept")
	}

	b := testenv.StartApp(t, "sqlite", testenv.Options{DataDir: env["PADLOCK_DATA_DIR"], Clock: a.Clock, SMTP: a.SMTP})
	if err := signInWithCode(t, b, "bob@example.com", testenv.Password, secret); err == nil {
		t.Fatal("a code used after the backup was accepted again after the restore")
	}
	if err := b.Auth.ResetPassword(ctx, token, "yet-another-password", "test"); err == nil {
		t.Fatal("a reset link used after the backup worked again after the restore")
	}
	if _, err := b.Auth.Authenticate(ctx, oldSession); err == nil {
		t.Fatal("a session from before the restore is still valid")
	}
	b.Clock.Advance(time.Minute)
	if err := signInWithCode(t, b, "bob@example.com", testenv.Password, secret); err != nil {
		t.Fatalf("a fresh code after the restore was refused: %v", err)
	}
}

// copyIsConsistent opens the backup and checks that every transaction of
// the write load is in it whole or not at all.
func copyIsConsistent(t *testing.T, file string) {
	t.Helper()
	if _, err := store.CheckBackup(t.Context(), file); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var orgs, halves int
	err = db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN (SELECT COUNT(*) FROM documents d WHERE d.organization_id = o.id) = 1 THEN 0 ELSE 1 END), 0)
		FROM organizations o WHERE name LIKE 'load-%'`).Scan(&orgs, &halves)
	if err != nil || orgs < 20 || halves != 0 {
		t.Fatalf("backup: %d organizations of the load, %d without exactly one document (%v)", orgs, halves, err)
	}
}

// On either database, the after-restore step voids what a rollback brings
// back; here the rollback is done by hand, as pg_restore would.
func TestAfterRestoreRefusesCodesAndLinksUsedBeforeTheRestore(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		ctx := t.Context()
		a, env := breakGlassApp(t, d)
		ada := a.CreateAccount(t, "Acme IT", "ada@example.com")
		bob := a.AddUser(t, ada, "bob@example.com", padlock.RoleLite)
		secret, session := enrollTOTP(t, a, "bob@example.com")
		backupStep := mfa.Step(a.Clock.Now())
		token := resetToken(t, a, "bob@example.com")

		a.Clock.Advance(time.Minute)
		if err := signInWithCode(t, a, "bob@example.com", testenv.Password, secret); err != nil {
			t.Fatal(err)
		}
		if err := a.Auth.ResetPassword(ctx, token, "a-new-password-after-backup", "test"); err != nil {
			t.Fatal(err)
		}
		rollBack(t, d, env, bob.ID, backupStep)

		r := runAt(t, env, a.Clock.Now, "restore", "--after-restore")
		if r.code != 0 {
			t.Fatalf("after restore: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		f, err := a.DB.Conn().TOTP(ctx, bob.ID)
		if err != nil || f.LastStep != mfa.Step(a.Clock.Now())+mfa.Skew {
			t.Fatalf("last step %d, want %d (%v)", f.LastStep, mfa.Step(a.Clock.Now())+mfa.Skew, err)
		}
		if err := signInWithCode(t, a, "bob@example.com", "a-new-password-after-backup", secret); err == nil {
			t.Fatal("a code used before the restore was accepted again")
		}
		if err := a.Auth.ResetPassword(ctx, token, "yet-another-password", "test"); err == nil {
			t.Fatal("a reset link used before the restore worked again")
		}
		if _, err := a.Auth.Authenticate(ctx, session); err == nil {
			t.Fatal("a session from before the restore is still valid")
		}
		if r := runAt(t, env, a.Clock.Now, "restore", "--after-restore"); r.code != 0 {
			t.Fatalf("a second run failed: %s", r.stderr)
		}
	})
}

// rollBack puts the user's TOTP step and the links back as a restore of an
// older backup would.
func rollBack(t *testing.T, d string, env map[string]string, userID, step int64) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(env["PADLOCK_DATA_DIR"], "padlock.db")+"?_pragma=busy_timeout(10000)"
	if d == "postgres" {
		driver, dsn = "pgx", env["PADLOCK_DATABASE_URL"]
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`UPDATE totp_factors SET last_step = $1 WHERE user_id = $2`, `UPDATE tokens SET used_at = 0 WHERE user_id = $2 AND $1 > 0`} {
		if _, err := db.Exec(q, step, userID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBackupAndRestoreOnPostgreSQLExplainTheProcedure(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PADLOCK_DATABASE_URL": "postgres://padlock@db.invalid/padlock"}
	r := run(t, env, "", "backup", "x.dump")
	if r.code != 1 || !strings.Contains(r.stdout, "pg_dump --format=custom") || !strings.Contains(r.stdout, "padlock restore --after-restore") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, env, "", "restore", "x.dump"); r.code != 1 || !strings.Contains(r.stderr, "pg_restore") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, cmd := range []string{"backup", "restore"} {
		if r := run(t, nil, "", cmd, "--help"); r.code != 0 || !strings.Contains(r.stderr, "Usage: padlock "+cmd) {
			t.Errorf("%s --help: exit %d\n%s", cmd, r.code, r.stderr)
		}
	}
}
