package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// unavailableNode is a node with an Administrator signed in, and a way to
// take its database away.
type unavailableNode struct {
	*testenv.TestApp
	admin *testenv.Client
	// takeDown makes the database unusable for the node: PostgreSQL stops
	// (the proxy cuts every connection), SQLite stays locked by another
	// writer past every timeout.
	takeDown func(t *testing.T)
	// freeze makes the database hang without an answer.
	freeze func(t *testing.T)
}

// testDBTimeout is the node's bound on database work in these tests:
// short enough to tell from SQLite's own wait of 10 s for a lock, long
// enough that a busy machine does not reach it on the requests made
// before the database is taken away.
const testDBTimeout = 2 * time.Second

func startUnavailableNode(t *testing.T, d string) *unavailableNode {
	t.Helper()
	return startNodeWithTimeout(t, d, testDBTimeout)
}

// startNodeWithTimeout starts an unavailableNode whose database work is
// bounded by timeout (zero: the tests' default).
func startNodeWithTimeout(t *testing.T, d string, timeout time.Duration) *unavailableNode {
	t.Helper()
	var o testenv.Options
	var proxy *testenv.DBProxy
	if d == "postgres" {
		proxy, o.DatabaseURL = testenv.StartDBProxy(t, testenv.DatabaseURL(t, store.Postgres))
	}
	// The account is made and the Administrator signed in on a node with
	// the tests' long timeout, since a busy machine can take longer than
	// testDBTimeout to do it; the node under test shares its database.
	setup := testenv.StartApp(t, d, o)
	setup.CreateAccount(t, "Acme IT", "admin@acme.test")
	admin := setup.NewClient()
	admin.SignIn(t, "admin@acme.test", testenv.Password)
	o.DataDir, o.SecretKey, o.SMTP, o.Clock = setup.Config.DataDir, setup.Config.SecretKey, setup.SMTP, setup.Clock
	o.DatabaseURL, o.DBTimeout = setup.Config.DatabaseURL, timeout
	n := &unavailableNode{TestApp: testenv.StartApp(t, d, o)}
	n.admin = sameCookiesOn(t, admin, n.URL)
	if d == "postgres" {
		n.takeDown = func(*testing.T) { proxy.Close() }
		n.freeze = func(*testing.T) { proxy.Freeze() }
	} else {
		n.takeDown = func(t *testing.T) { lockSQLite(t, n.Config.DataDir) }
		n.freeze = n.takeDown
	}
	return n
}

// lockSQLite holds the write lock of the node's SQLite database from
// another connection until the test ends. Readers go on (WAL), so only
// what writes stops.
func lockSQLite(t *testing.T, dataDir string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "padlock.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.ExecContext(ctx, `ROLLBACK`); conn.Close() })
}

// wantUnavailable checks a 503 with Retry-After and the short page (or,
// under /api/, the JSON error with code "unavailable").
func wantUnavailable(t *testing.T, c *testenv.Client, method, path string, form url.Values) {
	t.Helper()
	req, _ := http.NewRequest(method, c.Base+path, strings.NewReader(form.Encode()))
	if method == "POST" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.Base)
	}
	start := time.Now()
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	took := time.Since(start)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("%s %s: status %d, Retry-After %q; want 503 with Retry-After", method, path, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Bounded by the node's timeout, not by SQLite's own wait of 10 s for
	// a lock (with slack for a busy machine).
	if took > testDBTimeout+7*time.Second {
		t.Errorf("%s %s took %v, beyond the database timeout of %v", method, path, took, testDBTimeout)
	}
	if strings.HasPrefix(path, "/api/") {
		var body struct{ Error struct{ Code string } }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error.Code != "unavailable" {
			t.Fatalf("%s %s: error code %q (%v), want unavailable", method, path, body.Error.Code, err)
		}
		return
	}
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if !strings.Contains(b.String(), "Padlock is unavailable") {
		t.Fatalf("%s %s: the page does not say Padlock is unavailable:\n%s", method, path, b.String())
	}
}

func TestWithTheDatabaseDownSignInForgotPasswordAdminPagesAndTheAPIAnswer503WithRetryAfter(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		n := startUnavailableNode(t, d)
		n.takeDown(t)
		anon := n.NewClient()
		wantUnavailable(t, anon, "POST", "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}})
		wantUnavailable(t, anon, "POST", "/forgot", url.Values{"email": {"admin@acme.test"}})
		wantUnavailable(t, n.admin, "POST", "/account/users", url.Values{"emails": {"new@acme.test"}, "role": {"editor"}})
		if d == "postgres" { // a locked SQLite still reads
			wantUnavailable(t, n.admin, "GET", "/account/users", nil)
			wantUnavailable(t, n.admin, "GET", "/api/v1/users", nil)
			wantOutageLoggedOnceASecond(t, n)
		}
	})
}

// wantOutageLoggedOnceASecond checks that while the database is out of
// reach the node logs its error once a second at most, with the count of
// the lines it left out, rather than once a request.
func wantOutageLoggedOnceASecond(t *testing.T, n *unavailableNode) {
	t.Helper()
	const requests = 30
	start := time.Now()
	var wg sync.WaitGroup
	for range requests { // at once: each may wait for the connection to fail
		wg.Go(func() {
			resp, err := n.admin.Client.Get(n.admin.Base + "/account/users")
			if err != nil {
				t.Errorf("GET /account/users: %v", err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("GET /account/users with the database down: %d, want 503", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	seconds := int(time.Since(start)/time.Second) + 1
	var lines []string
	for _, l := range strings.Split(n.Log.String(), "\n") {
		if strings.Contains(l, "msg=unavailable") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 || len(lines) > seconds+1 || !strings.Contains(lines[0], "err=") || !strings.Contains(lines[0], "refusals_not_logged_since_last_line=") {
		t.Errorf("%d requests over %d s while the database was down logged %d lines about it; want 1 to %d, with the error and the count of the rest:\n%s",
			requests+2, seconds, len(lines), seconds+1, strings.Join(lines, "\n"))
	}
}

func TestWithTheDatabaseFrozenARequestEndsIn503WithinTheDatabaseTimeout(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		n := startUnavailableNode(t, d)
		n.freeze(t)
		wantUnavailable(t, n.NewClient(), "POST", "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}})
		if d == "postgres" {
			wantUnavailable(t, n.admin, "GET", "/account/users", nil)
		}
	})
}

// makeReadOnly turns the node's database read-only while it still answers
// a ping: PostgreSQL refuses writes in every new session (and the node's
// sessions are ended), SQLite stays locked by another writer.
func makeReadOnly(t *testing.T, n *unavailableNode, d string) {
	t.Helper()
	if d == "sqlite" {
		lockSQLite(t, n.Config.DataDir)
		return
	}
	admin, err := sql.Open("pgx", n.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var name string
	if err := admin.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER DATABASE ` + name + ` SET default_transaction_read_only = on`,
		`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func TestReadinessFailsWhileTheDatabaseTakesNoWritesThoughItAnswersAPing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		n := startUnavailableNode(t, d)
		n.Web.SetProbeInterval(0)
		if status, _, _ := n.admin.Get(t, "/readyz"); status != http.StatusOK {
			t.Fatalf("/readyz before: %d", status)
		}
		makeReadOnly(t, n, d)
		// The pool drops the connections that PostgreSQL ended, one
		// failed ping each; then pings succeed again.
		for ok, deadline := 0, time.Now().Add(10*time.Second); ok < 3; {
			if err := n.DB.Ping(t.Context()); err != nil {
				ok = 0
				if time.Now().After(deadline) {
					t.Fatalf("the database no longer answers a ping: %v", err)
				}
				continue
			}
			ok++
		}
		if status, _, body := n.admin.Get(t, "/readyz"); status != http.StatusServiceUnavailable {
			t.Fatalf("/readyz on a database that takes no writes: %d %s", status, body)
		}
		if d == "postgres" && !strings.Contains(n.Log.String(), "read-only") {
			t.Fatalf("/readyz failed, but not on the read-only database:\n%s", n.Log.String())
		}
		wantUnavailable(t, n.NewClient(), "POST", "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}})
	})
}

func TestReadinessReusesItsWriteProbeWithinTheInterval(t *testing.T) {
	t.Parallel()
	n := startUnavailableNode(t, "sqlite")
	n.Web.SetProbeInterval(time.Hour)
	if status, _, _ := n.admin.Get(t, "/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz: %d", status)
	}
	lockSQLite(t, n.Config.DataDir)
	if status, _, _ := n.admin.Get(t, "/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz probed the database again within the interval: %d", status)
	}
}

func TestReadinessFailsWhileTheNodeDrains(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	c := a.NewClient()
	a.Web.Drain()
	if status, _, _ := c.Get(t, "/readyz"); status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while draining: %d", status)
	}
	if status, _, _ := c.Get(t, "/login"); status != http.StatusOK {
		t.Fatalf("requests in flight still get answers while draining: /login %d", status)
	}
}

// addFutureMigration records a migration this release does not know, as a
// newer release's `padlock migrate up` would.
func addFutureMigration(t *testing.T, n *unavailableNode) {
	t.Helper()
	all, err := store.Migrations(n.DB.Dialect())
	if err != nil {
		t.Fatal(err)
	}
	execRaw(t, n, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_the_future', 0)`, len(all)+1)
}

// execRaw runs a statement on the node's database over a connection of
// the test's own, as another program would.
func execRaw(t *testing.T, n *unavailableNode, query string, args ...any) {
	t.Helper()
	driver, dsn := "pgx", n.Config.DatabaseURL
	if n.DB.Dialect() == store.SQLite {
		// Wait for the node's own writes, as the node's connections do.
		driver, dsn = "sqlite", "file:"+filepath.Join(n.Config.DataDir, "padlock.db")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func TestANodeStopsServingOnceANewerReleaseMigratedItsDatabase(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		n := startNodeWithTimeout(t, d, 0) // no request here waits on a lock
		addFutureMigration(t, n)
		if status, _, _ := n.admin.Get(t, "/account/users"); status != http.StatusOK {
			t.Fatalf("before the check: %d", status)
		}
		if err := n.CheckSchemaVersion(t.Context()); err != nil {
			t.Fatal(err)
		}
		anon := n.NewClient()
		wantUnavailable(t, anon, "GET", "/login", nil)
		wantUnavailable(t, anon, "POST", "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}})
		wantUnavailable(t, n.admin, "GET", "/account/users", nil)
		wantUnavailable(t, n.admin, "GET", "/api/v1/me", nil)
		if status, _, _ := anon.Get(t, "/readyz"); status != http.StatusServiceUnavailable {
			t.Errorf("/readyz: %d", status)
		}
		if status, _, _ := anon.Get(t, "/healthz"); status != http.StatusOK {
			t.Errorf("/healthz: %d", status)
		}
		if err := n.CheckSchemaVersion(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(n.Log.String(), "upgraded by a newer release"); got != 1 {
			t.Errorf("%d log lines about the newer release, want 1:\n%s", got, n.Log.String())
		}
	})
}

func TestANodeChecksTheSchemaAtOnceWhenATableIsMissing(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		n := startNodeWithTimeout(t, d, 0) // no request here waits on a lock
		addFutureMigration(t, n)
		// The newer release renamed a table this node reads on every page.
		execRaw(t, n, `ALTER TABLE organizations RENAME TO organizations_renamed`)
		n.admin.Get(t, "/organizations")
		deadline := time.Now().Add(10 * time.Second)
		for !n.Web.Stopped() {
			if time.Now().After(deadline) {
				t.Fatal("the node still serves after a missing table")
			}
			time.Sleep(10 * time.Millisecond)
		}
		wantUnavailable(t, n.admin, "GET", "/organizations", nil)
	})
}
