package web_test

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The users CSV of a small account, and of one of its portals, is exactly
// a header and a row per user in the list's order: cells that need quotes
// (a comma, a quote, a line break, a leading space), a formula-like name
// neutralised, every factor and status, set-up and sign-in times and
// deadlines. The export's bytes do not change with how it is written.
func TestTheUsersCSVIsExactlyTheListsRows(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		portal := exportFixture(t, a, admin)
		// Required since 1700000000 with 10 days of grace; the
		// Administrator's own deadline is far off, so they may export.
		raw(t, a, `UPDATE accounts SET mfa_required_at = 1700000000, mfa_grace_days = 10`)
		raw(t, a, `UPDATE users SET last_sign_in_at = 1700200000, mfa_deadline = 4102444800 WHERE email = 'admin@acme.test'`)

		for _, tc := range []struct{ path, want string }{
			{"/account/users.csv", usersCSVWant},
			{"/account/portals/" + itoa(portal) + "/users.csv", portalUsersCSVWant},
		} {
			status, _, body := c.Get(t, tc.path)
			if status != http.StatusOK || body != tc.want {
				t.Errorf("GET %s: %d\n%s\nwant\n%s", tc.path, status, body, tc.want)
			}
		}
	})
}

const usersCSVWant = `name,email,role,status,mfa,mfa_set_up,last_sign_in,must_set_up_by,strongest_factor
Admin of Acme IT,admin@acme.test,Administrator,active,not set up,,2023-11-17T05:46:40Z,2100-01-01T00:00:00Z,none
,bob@acme.test,Read-only,deactivated,set up,2023-11-15T14:53:20Z,,,app
"'=HYPERLINK(""http://evil"")",formula@acme.test,Creator,invited,not set up,,,2023-11-24T22:13:20Z,none
" Leading space",lead@acme.test,Lite,active,set up,2023-11-15T17:40:00Z,,,app
"Two
lines",multi@acme.test,Manager,active,not set up,,,2023-11-24T22:13:20Z,none
"Zoë ""ZS"" Smith, PhD",zoe@acme.test,Editor,active,set up,2023-11-15T09:20:00Z,2023-11-16T02:00:00Z,,passkey
`

const portalUsersCSVWant = `name,email,role,status,mfa,mfa_set_up,last_sign_in,must_set_up_by,strongest_factor
'-minus,client@initech.test,Lite,active,set up,2023-11-15T20:26:40Z,,,passkey
`

// exportFixture gives the account five more staff users and a portal with
// one user, each with fixed times, and returns the portal's id.
func exportFixture(t *testing.T, a *testenv.TestApp, admin *padlock.User) int64 {
	t.Helper()
	ctx, conn := t.Context(), a.DB.Conn()
	add := func(portal int64, email, name string, role padlock.Role, status padlock.UserStatus) int64 {
		u := &padlock.User{AccountID: admin.AccountID, PortalID: portal, Email: email, Name: name, Role: role, Status: status, CreatedAt: time.Unix(1699000000, 0)}
		if err := conn.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	app := func(user, at int64) {
		if err := conn.ActivateTOTP(ctx, user, []byte("sealed"), 0, time.Unix(at, 0)); err != nil {
			t.Fatal(err)
		}
	}
	passkey := func(user, at int64) {
		p := &padlock.Passkey{UserID: user, CredentialID: []byte("credential-" + itoa(user) + "-" + itoa(at)), PublicKey: []byte("key"),
			AAGUID: make([]byte, 16), Name: "Key", CreatedAt: time.Unix(at, 0)}
		if err := conn.AddPasskey(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	zoe := add(0, "zoe@acme.test", `Zoë "ZS" Smith, PhD`, padlock.RoleEditor, padlock.StatusActive)
	app(zoe, 1700050000)
	passkey(zoe, 1700045000)
	passkey(zoe, 1700040000) // the oldest, added last
	add(0, "formula@acme.test", `=HYPERLINK("http://evil")`, padlock.RoleCreator, padlock.StatusInvited)
	app(add(0, "bob@acme.test", "", padlock.RoleReadOnly, padlock.StatusDeactivated), 1700060000)
	app(add(0, "lead@acme.test", " Leading space", padlock.RoleLite, padlock.StatusActive), 1700070000)
	add(0, "multi@acme.test", "Two\nlines", padlock.RoleManager, padlock.StatusActive)
	raw(t, a, `UPDATE users SET last_sign_in_at = 1700100000 WHERE email = 'zoe@acme.test'`)
	raw(t, a, `UPDATE users SET mfa_deadline = 1700864000 WHERE email = 'formula@acme.test'`)

	org := &padlock.Organization{AccountID: admin.AccountID, Name: "Initech", CreatedAt: time.Unix(1699000000, 0)}
	if err := conn.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	p := &padlock.Portal{AccountID: admin.AccountID, OrganizationID: org.ID, Name: "Initech portal", CreatedAt: time.Unix(1699000000, 0)}
	if err := conn.CreatePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	passkey(add(p.ID, "client@initech.test", "-minus", padlock.RoleLite, padlock.StatusActive), 1700080000)
	return p.ID
}

// raw runs a statement on the node's database over a connection of the
// test's own, to set what no service sets: fixed times.
func raw(tb testing.TB, a *testenv.TestApp, query string, args ...any) {
	tb.Helper()
	db := rawDB(tb, a)
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		tb.Fatal(err)
	}
}

// rawDB opens the node's database beside the node.
func rawDB(tb testing.TB, a *testenv.TestApp) *sql.DB {
	tb.Helper()
	driver, dsn := "pgx", a.Config.DatabaseURL
	if a.DB.Dialect() == store.SQLite {
		driver, dsn = "sqlite", "file:"+filepath.Join(a.Config.DataDir, "padlock.db")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}
