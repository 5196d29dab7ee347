package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// roleTable is the part of docs/ADMIN_GUIDE.md's role table ("Who can do
// what") about MFA administration, one row per acting role. "yes" is allowed
// and takes effect; 403 and 409 are refusals that change nothing. The reset
// columns are targets of each role, then the actor's own MFA.
var roleTable = []struct {
	cells string
	actor padlock.Role
}{
	//require MFA  users  activity | reset: Admin  Manager  Editor  Creator  Read-only  Lite | own
	{"yes          yes    yes      |        yes    yes      yes     yes      yes        yes  | 409", padlock.RoleAdministrator},
	{"yes          yes    yes      |        403    yes      yes     yes      yes        yes  | 409", padlock.RoleManager},
	{"403          403    403      |        403    403      403     403      403        403  | 403", padlock.RoleEditor},
	{"403          403    403      |        403    403      403     403      403        403  | 403", padlock.RoleCreator},
	{"403          403    403      |        403    403      403     403      403        403  | 403", padlock.RoleReadOnly},
	{"403          403    403      |        403    403      403     403      403        403  | 403", padlock.RoleLite},
}

// roleAnswer is one cell of the role table: "yes" or the refusal's status.
type roleAnswer string

const allowed roleAnswer = "yes"

// permissionRow is one row of roleTable, read.
type permissionRow struct {
	requireMFA, usersList, activityLog roleAnswer
	reset                              [6]roleAnswer // in padlock.Roles order
	resetOwn                           roleAnswer
}

func readRow(t *testing.T, cells string) permissionRow {
	t.Helper()
	var a []roleAnswer
	for _, c := range strings.Fields(cells) {
		if c != "|" {
			a = append(a, roleAnswer(c))
		}
	}
	if len(a) != 10 {
		t.Fatalf("role table row %q has %d cells, want 10", cells, len(a))
	}
	return permissionRow{requireMFA: a[0], usersList: a[1], activityLog: a[2], reset: [6]roleAnswer(a[3:9]), resetOwn: a[9]}
}

// status is the HTTP answer a cell stands for; ok is the success status.
func (a roleAnswer) status(t *testing.T, ok int) int {
	t.Helper()
	if a == allowed {
		return ok
	}
	n, err := strconv.Atoi(string(a))
	if err != nil {
		t.Fatalf("role table cell %q", a)
	}
	return n
}

// roleMatrix is one account with a signed-in user of every role, each with MFA
// on, to act; and another user of every role, each with MFA on, to be
// acted upon.
type roleMatrix struct {
	a       *testenv.TestApp
	account int64
	actors  map[padlock.Role]*matrixUser
	targets map[padlock.Role]*matrixUser
}

// matrixUser is one user of the matrix's account and their browser.
type matrixUser struct {
	email  string
	id     int64
	client *testenv.Client
	resets int // "MFA was reset" emails they should have had by now
}

func newRoleMatrix(t *testing.T, d string) *roleMatrix {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	admin := a.CreateAccount(t, "Acme IT", "administrator@acme.test")
	m := &roleMatrix{a: a, account: admin.AccountID, actors: map[padlock.Role]*matrixUser{}, targets: map[padlock.Role]*matrixUser{}}
	email := func(r padlock.Role) string { return strings.ReplaceAll(string(r), "_", "-") + "@acme.test" }
	joined := t.Run("users of every role join", func(t *testing.T) {
		for _, r := range padlock.Roles {
			if r != padlock.RoleAdministrator {
				t.Run(email(r), func(t *testing.T) { t.Parallel(); a.AddUser(t, admin, email(r), r) })
			}
			t.Run("target-"+email(r), func(t *testing.T) { t.Parallel(); a.AddUser(t, admin, "target-"+email(r), r) })
		}
	})
	if !joined {
		t.FailNow()
	}
	for _, r := range padlock.Roles { // one at a time: enableMFA moves the shared clock
		m.actors[r] = m.withMFA(t, email(r))
		m.targets[r] = m.withMFA(t, "target-"+email(r))
	}
	return m
}

// withMFA signs the user in and turns MFA on through the screens.
func (m *roleMatrix) withMFA(t *testing.T, email string) *matrixUser {
	t.Helper()
	u := &matrixUser{email: email, id: userID(t, m.a, email), client: m.a.NewClient()}
	u.client.SignIn(t, email, testenv.Password)
	enableMFA(t, m.a, u.client)
	return u
}

func (m *roleMatrix) hasMFA(t *testing.T, u *matrixUser) bool {
	t.Helper()
	got, err := m.a.DB.Conn().User(t.Context(), m.account, u.id)
	if err != nil {
		t.Fatal(err)
	}
	return got.HasMFA()
}

func (m *roleMatrix) requiresMFA(t *testing.T) bool {
	t.Helper()
	acct, err := m.a.DB.Conn().Account(t.Context(), m.account)
	if err != nil {
		t.Fatal(err)
	}
	return acct.RequiresMFA()
}

// The answer of every role to every MFA administration capability is the
// role table's, and so is the effect.
func TestPermissionsFollowTheRoleTable(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		m := newRoleMatrix(t, d)
		for _, tt := range roleTable {
			t.Run(tt.actor.Label(), func(t *testing.T) {
				row, actor := readRow(t, tt.cells), m.actors[tt.actor]
				t.Run("requires MFA for the account", func(t *testing.T) { m.checkRequireMFA(t, actor, row.requireMFA) })
				t.Run("sees Account > Users", func(t *testing.T) { m.checkUsersList(t, actor, row.usersList) })
				t.Run("sees Account > Activity", func(t *testing.T) { m.checkActivityLog(t, actor, row.activityLog) })
				for i, r := range padlock.Roles {
					t.Run("resets the MFA of the "+r.Label()+" target", func(t *testing.T) { m.checkReset(t, actor, m.targets[r], row.reset[i]) })
				}
				t.Run("resets their own MFA", func(t *testing.T) { m.checkReset(t, actor, actor, row.resetOwn) })
			})
		}
		t.Run("only allowed resets sent a notice or wrote an event", func(t *testing.T) { m.checkResetTrail(t) })
	})
}

// checkRequireMFA turns the requirement on and, when that is allowed, off
// again, so the next rows start from the same account.
func (m *roleMatrix) checkRequireMFA(t *testing.T, actor *matrixUser, want roleAnswer) {
	acct, err := m.a.DB.Conn().Account(t.Context(), m.account)
	if err != nil {
		t.Fatal(err)
	}
	form := func(on bool) url.Values {
		v := url.Values{"grace_days": {"0"},
			"session_idle_minutes":   {fmt.Sprint(int(acct.SessionIdle / time.Minute))},
			"session_lifetime_hours": {fmt.Sprint(int(acct.SessionLifetime / time.Hour))}}
		if on {
			v.Set("require_mfa", "on")
		}
		return v
	}
	status, loc, body := actor.client.PostForm(t, "/account/settings/authentication", form(true))
	if want != allowed {
		if status != want.status(t, 0) || m.requiresMFA(t) {
			t.Fatalf("require MFA: %d, required %v; want %s and nothing changed", status, m.requiresMFA(t), want)
		}
		return
	}
	if status != http.StatusSeeOther || loc != "/account/settings" || !m.requiresMFA(t) {
		t.Fatalf("require MFA: %d %q, required %v\n%s", status, loc, m.requiresMFA(t), body)
	}
	// Only an Administrator may turn it off again.
	status, _, _ = actor.client.PostForm(t, "/account/settings/authentication", form(false))
	if actor != m.actors[padlock.RoleAdministrator] {
		if status != http.StatusForbidden || !m.requiresMFA(t) {
			t.Fatalf("a %s turned the requirement off: %d, required %v", actor.email, status, m.requiresMFA(t))
		}
		status, _, _ = m.actors[padlock.RoleAdministrator].client.PostForm(t, "/account/settings/authentication", form(false))
	}
	if status != http.StatusSeeOther || m.requiresMFA(t) {
		t.Fatalf("stop requiring MFA: %d, required %v", status, m.requiresMFA(t))
	}
}

func (m *roleMatrix) checkUsersList(t *testing.T, actor *matrixUser, want roleAnswer) {
	someone := m.targets[padlock.RoleLite].email
	for _, path := range []string{"/account/users", "/account/users.csv"} {
		status, _, body := actor.client.Get(t, path)
		if listed := strings.Contains(body, someone); status != want.status(t, http.StatusOK) || listed != (want == allowed) {
			t.Errorf("GET %s: %d, lists %s: %v; want %s", path, status, someone, listed, want)
		}
	}
}

func (m *roleMatrix) checkActivityLog(t *testing.T, actor *matrixUser, want roleAnswer) {
	someone := m.targets[padlock.RoleLite].email // who enabled MFA, and was invited
	for _, path := range []string{"/account/activity", "/account/activity.csv"} {
		status, _, body := actor.client.Get(t, path)
		if shown := strings.Contains(body, someone); status != want.status(t, http.StatusOK) || shown != (want == allowed) {
			t.Errorf("GET %s: %d, shows %s's events: %v; want %s", path, status, someone, shown, want)
		}
	}
}

// checkReset posts Reset MFA for the target and checks its effect. When the
// MFA is gone, allowed or not, the target sets it up again so that the next
// rows start from the same place.
func (m *roleMatrix) checkReset(t *testing.T, actor, target *matrixUser, want roleAnswer) {
	path := fmt.Sprintf("/account/users/%d/reset-mfa", target.id)
	status, _, _ := actor.client.PostForm(t, path, nil)
	reset := !m.hasMFA(t, target)
	if reset {
		defer m.setUpAgain(t, target)
	}
	if wantStatus := want.status(t, http.StatusSeeOther); status != wantStatus {
		t.Errorf("POST %s: %d, want %d", path, status, wantStatus)
	}
	if reset != (want == allowed) {
		t.Errorf("MFA removed: %v, want %v", reset, want == allowed)
	}
	status, loc, _ := target.client.Get(t, "/settings")
	if signedOut := status == http.StatusSeeOther && strings.HasPrefix(loc, "/login"); signedOut != (want == allowed) {
		t.Errorf("the target's next request: %d %q; signed out: %v, want %v", status, loc, signedOut, want == allowed)
	}
	if want == allowed {
		target.resets++
		waitForMails(t, m.a, target.email, "Your Padlock MFA was reset", target.resets)
	}
}

// setUpAgain signs the user in afresh and turns MFA on again.
func (m *roleMatrix) setUpAgain(t *testing.T, u *matrixUser) {
	t.Helper()
	u.client = m.a.NewClient()
	u.client.SignIn(t, u.email, testenv.Password)
	enableMFA(t, m.a, u.client)
}

// checkResetTrail compares the notices and audit events with the resets
// the table allows: one each per allowed reset, none for a refused one.
func (m *roleMatrix) checkResetTrail(t *testing.T) {
	events, err := m.a.DB.Conn().Events(t.Context(), m.account, 1000)
	if err != nil {
		t.Fatal(err)
	}
	everyone := []*matrixUser{}
	for _, r := range padlock.Roles {
		everyone = append(everyone, m.actors[r], m.targets[r])
	}
	m.a.DeliverMail(t)
	for _, u := range everyone {
		var logged int
		for _, e := range events {
			if e.Kind == padlock.EventMFAReset && e.TargetID == u.id {
				logged++
			}
		}
		if mails := countMails(m.a, u.email, "Your Padlock MFA was reset"); mails != u.resets || logged != u.resets {
			t.Errorf("%s: %d reset notice(s) and %d reset event(s), want %d", u.email, mails, logged, u.resets)
		}
	}
}

func countMails(a *testenv.TestApp, to, subject string) int {
	n := 0
	for _, msg := range a.SMTP.Messages() {
		for _, r := range msg.To {
			if strings.EqualFold(r, to) && strings.Contains(msg.Subject, subject) {
				n++
			}
		}
	}
	return n
}

// waitForMails waits until the recipient has had n messages with the
// subject.
func waitForMails(t *testing.T, a *testenv.TestApp, to, subject string, n int) {
	t.Helper()
	deadline := time.Now().Add(testenv.MailWait)
	for countMails(a, to, subject) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%s had %d %q mail(s) within %v, want %d", to, countMails(a, to, subject), testenv.MailWait, subject, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An Administrator of one account cannot see or reset the MFA of another
// account's user: the answer is the same as for a user that does not exist.
func TestTenantAdministratorsCannotResetAnotherAccountsMFA(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		other := a.CreateAccount(t, "Beta IT", "admin@beta.test")
		a.AddUser(t, other, "lee@beta.test", padlock.RoleLite)
		lee := a.NewClient()
		lee.SignIn(t, "lee@beta.test", testenv.Password)
		enableMFA(t, a, lee)

		acme := a.NewClient()
		acme.SignIn(t, "admin@acme.test", testenv.Password)
		leeID := userID(t, a, "lee@beta.test")
		for _, id := range []int64{leeID, leeID + 1000} {
			path := fmt.Sprintf("/account/users/%d/reset-mfa", id)
			if status, _, body := acme.Get(t, path); status != http.StatusNotFound || strings.Contains(body, "lee@beta.test") {
				t.Errorf("GET %s: %d, want 404 without the user", path, status)
			}
			if status, _, _ := acme.PostForm(t, path, nil); status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path, status)
			}
		}
		u, err := a.DB.Conn().User(t.Context(), other.AccountID, leeID)
		if err != nil || !u.HasMFA() {
			t.Fatalf("the other account's user lost MFA: %v", err)
		}
		if status, _, _ := lee.Get(t, "/settings"); status != http.StatusOK {
			t.Fatalf("the other account's user was signed out: %d", status)
		}
	})
}

// A reset on one node ends the user's session and pending sign-in on the
// other at their very next request.
func TestResetMFAEndsSessionsOnAnotherNode(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t, "postgres")
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	one := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	two := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	admin := one.CreateAccount(t, "Acme IT", "admin@acme.test")
	one.AddUser(t, admin, "lee@acme.test", padlock.RoleLite)

	signedIn := two.NewClient()
	signedIn.SignIn(t, "lee@acme.test", testenv.Password)
	enableMFA(t, two, signedIn)
	pending := two.NewClient()
	passwordStep(t, pending, "lee@acme.test")
	if status, _, _ := signedIn.Get(t, "/settings"); status != http.StatusOK {
		t.Fatalf("before the reset: %d", status)
	}
	if status, _, _ := pending.Get(t, "/login/mfa"); status != http.StatusOK {
		t.Fatalf("challenge before the reset: %d", status)
	}

	c := one.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	if status, _, _ := c.PostForm(t, fmt.Sprintf("/account/users/%d/reset-mfa", userID(t, one, "lee@acme.test")), nil); status != http.StatusSeeOther {
		t.Fatalf("reset on node one: %d", status)
	}

	if status, loc, _ := signedIn.Get(t, "/settings"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("the session on node two survived: %d %q, want a redirect to sign in", status, loc)
	}
	if status, loc, _ := pending.Get(t, "/login/mfa"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?") {
		t.Fatalf("the pending sign-in on node two survived: %d %q, want a redirect to sign in", status, loc)
	}
	smtp.WaitFor(t, "lee@acme.test", "Your Padlock MFA was reset")
}
