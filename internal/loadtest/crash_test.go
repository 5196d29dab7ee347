package loadtest_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/loadtest"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// `padlock serve` is killed (SIGKILL) in the middle of a load of writes:
// organizations created, and users invited (a user, an invitation link, an
// email in the outbox and an audit event in one transaction). Restarted on
// the same data, it serves the old session, and the database holds every
// write that was acknowledged, whole, and passes its consistency checks.
func TestAcknowledgedWritesSurviveAKill(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		cfg := loadtest.NodeConfig{DataDir: t.TempDir(), DatabaseURL: testenv.DatabaseURL(t, store.Dialect(d)), SecretKey: newSecretKey(),
			Extra: []string{"PADLOCK_DB_TIMEOUT=" + testenv.TestDBTimeout.String()}}
		cfg.LogPath = filepath.Join(cfg.DataDir, "node.log")
		createAccount(t, cfg)
		node := startPadlock(t, cfg)
		c := loadtest.NewClient(node.URL, 16)
		session := signInAdmin(t, c)

		w := &writes{client: c, session: session}
		w.runUntilKilled(t, node)
		t.Logf("%d organizations and %d invitations acknowledged before the kill", len(w.orgs), len(w.invites))

		restarted := startPadlock(t, cfg)
		again := loadtest.NewClient(restarted.URL, 4)
		if r, err := again.Get(context.Background(), "/organizations", session); err != nil || r.Status != http.StatusOK {
			t.Fatalf("the session did not survive the crash: %v, status %d", err, r.Status)
		}
		if err := restarted.Stop(); err != nil {
			t.Fatal(err)
		}
		checkDatabase(t, d, cfg, w)
	})
}

// padlockEnv is the environment of the padlock binary for cfg.
func padlockEnv(cfg loadtest.NodeConfig) []string {
	return append(os.Environ(), "PADLOCK_DATA_DIR="+cfg.DataDir, "PADLOCK_DATABASE_URL="+cfg.DatabaseURL, "PADLOCK_SECRET_KEY="+cfg.SecretKey)
}

// createAccount runs `padlock setup` as an operator would.
func createAccount(t *testing.T, cfg loadtest.NodeConfig) {
	t.Helper()
	cmd := exec.Command(padlockBinary, "setup", "--account", "Crash Test", "--email", "admin@crash.test")
	cmd.Env = append(padlockEnv(cfg), "PADLOCK_SETUP_PASSWORD="+loadtest.Password)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("padlock setup: %v\n%s", err, out)
	}
}

func startPadlock(t *testing.T, cfg loadtest.NodeConfig) *loadtest.Process {
	t.Helper()
	p, err := loadtest.StartNode(context.Background(), loadtest.BinaryLauncher(padlockBinary), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		select {
		case <-p.Exited():
		default:
			p.Kill()
		}
	})
	return p
}

func signInAdmin(t *testing.T, c *loadtest.Client) string {
	t.Helper()
	r, err := c.PostForm(context.Background(), "/login", url.Values{"email": {"admin@crash.test"}, "password": {loadtest.Password}}, "")
	if err != nil || r.Status != http.StatusSeeOther || r.Session == "" {
		t.Fatalf("sign in: %v, status %d", err, r.Status)
	}
	return r.Session
}

// writes sends writes from several workers and records those acknowledged
// (answered 303).
type writes struct {
	client  *loadtest.Client
	session string

	mu      sync.Mutex
	orgs    map[int64]string // id → name
	invites []string         // emails
	wrong   []string         // answers other than 303 before the kill
}

// runUntilKilled runs two workers creating organizations and two inviting
// users; once 40 writes are acknowledged (or 10 s have passed) the node is
// killed, and the workers stop at their first request without an answer.
func (w *writes) runUntilKilled(t *testing.T, node *loadtest.Process) {
	w.orgs = map[int64]string{}
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 10000 && w.write(i, n); n++ {
			}
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for w.acknowledged() < 40 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	node.Kill()
	wg.Wait()
	if len(w.wrong) > 0 {
		t.Fatalf("writes answered wrongly before the kill: %v", w.wrong)
	}
	if w.acknowledged() == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
}

func (w *writes) acknowledged() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.orgs) + len(w.invites)
}

// write sends worker i's n-th write; false means no answer came.
func (w *writes) write(i, n int) bool {
	ctx := context.Background()
	if i%2 == 0 {
		name := fmt.Sprintf("Crash org %d-%d", i, n)
		r, err := w.client.PostForm(ctx, "/organizations", url.Values{"name": {name}}, w.session)
		return err == nil && w.record(r, func() error { return w.organizationCreated(r, name) })
	}
	email := fmt.Sprintf("crash-%d-%d@crash.test", i, n)
	r, err := w.client.PostForm(ctx, "/account/users", url.Values{"emails": {email}, "role": {"editor"}}, w.session)
	return err == nil && w.record(r, func() error { w.invites = append(w.invites, email); return nil })
}

// record keeps an acknowledged write (under the lock), or the wrong answer.
func (w *writes) record(r loadtest.Response, acknowledge func() error) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	err := fmt.Errorf("status %d, location %q", r.Status, r.Location)
	if r.Status == http.StatusSeeOther {
		err = acknowledge()
	}
	if err != nil {
		w.wrong = append(w.wrong, err.Error())
	}
	return true
}

func (w *writes) organizationCreated(r loadtest.Response, name string) error {
	id, err := strconv.ParseInt(strings.TrimPrefix(r.Location, "/organizations/"), 10, 64)
	if err != nil {
		return fmt.Errorf("created %q but redirected to %q", name, r.Location)
	}
	w.orgs[id] = name
	return nil
}

// checkDatabase opens the database the node left and checks it.
func checkDatabase(t *testing.T, d string, cfg loadtest.NodeConfig, w *writes) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err == nil {
		err = db.CheckSchema(ctx)
		db.Close()
	}
	if err != nil {
		t.Fatalf("schema after the crash: %v", err)
	}
	conn := openSQL(t, d, cfg)
	if d == "sqlite" {
		checkSQLiteIntegrity(t, conn)
	}
	checkOrganizations(t, conn, w.orgs)
	checkInvitations(t, conn, w.invites)
}

func openSQL(t *testing.T, d string, cfg loadtest.NodeConfig) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", cfg.DatabaseURL
	if d == "sqlite" {
		driver, dsn = "sqlite", "file:"+filepath.Join(cfg.DataDir, "padlock.db")+"?_pragma=busy_timeout(10000)"
	}
	conn, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func checkSQLiteIntegrity(t *testing.T, conn *sql.DB) {
	t.Helper()
	var result string
	if err := conn.QueryRow(`PRAGMA integrity_check`).Scan(&result); err != nil || result != "ok" {
		t.Fatalf("integrity_check: %q, %v", result, err)
	}
	rows, err := conn.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatal("foreign_key_check found rows that point nowhere")
	}
}

func checkOrganizations(t *testing.T, conn *sql.DB, acked map[int64]string) {
	t.Helper()
	for id, name := range acked {
		var got string
		if err := conn.QueryRow(`SELECT name FROM organizations WHERE id = $1`, id).Scan(&got); err != nil || got != name {
			t.Errorf("acknowledged organization %d %q: found %q, %v", id, name, got, err)
		}
	}
}

// checkInvitations finds every acknowledged invitation, and no invited
// user anywhere without both the link and the email: the transaction was
// all or nothing.
func checkInvitations(t *testing.T, conn *sql.DB, acked []string) {
	t.Helper()
	for _, email := range acked {
		var n int
		if err := conn.QueryRow(`SELECT COUNT(*) FROM users WHERE email = $1 AND status = 'invited'`, email).Scan(&n); err != nil || n != 1 {
			t.Errorf("acknowledged invitation of %s: %d users, %v", email, n, err)
		}
	}
	var partial int
	err := conn.QueryRow(`SELECT COUNT(*) FROM users u WHERE u.status = 'invited' AND (
		NOT EXISTS (SELECT 1 FROM tokens k WHERE k.user_id = u.id AND k.kind = 'invitation') OR
		NOT EXISTS (SELECT 1 FROM outbox m WHERE m.recipient = u.email) OR
		NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.target_id = u.id))`).Scan(&partial)
	if err != nil || partial != 0 {
		t.Errorf("%d invited users lack their link, email or audit event (%v)", partial, err)
	}
}
