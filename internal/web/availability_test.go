package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
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

const testDBTimeout = 700 * time.Millisecond

func startUnavailableNode(t *testing.T, d string) *unavailableNode {
	t.Helper()
	n := &unavailableNode{}
	o := testenv.Options{DBTimeout: testDBTimeout}
	var proxy *testenv.DBProxy
	if d == "postgres" {
		proxy, o.DatabaseURL = testenv.StartDBProxy(t, testenv.DatabaseURL(t, store.Postgres))
	}
	n.TestApp = testenv.StartApp(t, d, o)
	n.CreateAccount(t, "Acme IT", "admin@acme.test")
	n.admin = n.NewClient()
	n.admin.SignIn(t, "admin@acme.test", testenv.Password)
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
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "padlock.db"))
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
	if took > testDBTimeout+3*time.Second {
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
		}
	})
}

func TestWithTheDatabaseFrozenARequestEndsIn503WithinTheDatabaseTimeout(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		n := startUnavailableNode(t, d)
		n.freeze(t)
		wantUnavailable(t, n.NewClient(), "POST", "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}})
		if d == "postgres" {
			wantUnavailable(t, n.admin, "GET", "/account/users", nil)
		}
	})
}
