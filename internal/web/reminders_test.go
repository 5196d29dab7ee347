package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// twoNodes starts two nodes over one database of the dialect, with one
// clock and one mail server.
func twoNodes(t *testing.T, d string) (*testenv.TestApp, *testenv.TestApp) {
	t.Helper()
	o := testenv.Options{SMTP: testenv.StartSMTP(t), Clock: testenv.NewClock()}
	if d == "postgres" {
		o.DatabaseURL = testenv.MigratedDatabaseURL(t)
	} else {
		o.DataDir = t.TempDir()
	}
	one := testenv.StartApp(t, d, o)
	return one, testenv.StartApp(t, d, o)
}

// postFlash posts an empty form, follows the redirect and returns the
// page's flash and whether it is shown as an error.
func postFlash(t *testing.T, c *testenv.Client, path string) (string, bool) {
	t.Helper()
	status, loc, body := c.PostForm(t, path, nil)
	if status != http.StatusSeeOther {
		t.Fatalf("status %d, want a redirect\n%.600s", status, body)
	}
	_, _, page := c.Get(t, loc)
	return between(page, `id="flash">`, "<"), strings.Contains(page, `class="banner error" role="alert" id="flash"`)
}

// reminders returns the reminders received so far, by recipient.
func reminders(a *testenv.TestApp) map[string][]string {
	out := map[string][]string{}
	for _, m := range a.SMTP.Messages() {
		if strings.HasPrefix(m.Subject, "Reminder: set up MFA") {
			out[m.To[0]] = append(out[m.To[0]], m.Body)
		}
	}
	return out
}

// signInWithCode signs in a user who has MFA, with a code of their app.
func signInWithCode(t *testing.T, a *testenv.TestApp, email string, e enrolled) *testenv.Client {
	t.Helper()
	c := a.NewClient()
	passwordStep(t, c, email)
	if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
		t.Fatalf("MFA code of %s: %d", email, status)
	}
	return c
}

// mailTime is how a mail writes a time.
func mailTime(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04") + " UTC" }

func TestRemindersCarryTheDeadlineAreAuditedAndGoOnceADayAcrossNodes(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		one, two := twoNodes(t, d)
		admin := one.CreateAccount(t, "Acme IT", "admin@acme.test")
		lite := one.AddUser(t, admin, "lite@acme.test", padlock.RoleLite)
		bea := one.AddUser(t, admin, "bea@acme.test", padlock.RoleEditor)
		if _, err := one.Admin.Invite(t.Context(), actor(admin), 0, []string{"new@acme.test"}, padlock.RoleLite); err != nil {
			t.Fatal(err)
		}
		c := one.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		e := enableMFA(t, one, c)
		requiredAt := one.Clock.Now()
		if status, body := requireMFA(t, c, true, "7"); status != http.StatusSeeOther {
			t.Fatalf("require MFA: %d\n%.600s", status, body)
		}
		deadline := requiredAt.Add(7 * 24 * time.Hour)
		onTwo := sameCookiesOn(t, c, two.URL)

		// "Send reminder" on node one, then again on node two: one a day.
		path := fmt.Sprintf("/account/users/%d/remind", lite.ID)
		if msg, isErr := postFlash(t, c, path); isErr || msg != "1 reminder sent to lite@acme.test." {
			t.Fatalf("first reminder: %q (error %v)", msg, isErr)
		}
		if msg, isErr := postFlash(t, onTwo, path); !isErr || !strings.Contains(msg, "less than a day ago") {
			t.Fatalf("second reminder within a day, on the other node: %q (error %v)", msg, isErr)
		}
		one.DeliverMail(t)
		got := reminders(one)
		if len(got["lite@acme.test"]) != 1 {
			t.Fatalf("%d reminders to lite, want 1", len(got["lite@acme.test"]))
		}
		body := got["lite@acme.test"][0]
		for _, want := range []string{"Admin of Acme IT", "Acme IT requires", "before " + mailTime(deadline), one.URL + "/login"} {
			if !strings.Contains(body, want) {
				t.Errorf("the reminder lacks %q:\n%s", want, body)
			}
		}
		if _, _, page := c.Get(t, fmt.Sprintf("/account/users/%d", lite.ID)); !strings.Contains(page, `id="last-reminder"`) || !strings.Contains(page, `id="user-deadline"`) {
			t.Error("the user's page shows neither the last reminder nor the deadline")
		}

		// "Remind all" skips lite (reminded today), the invited user and the
		// administrator (who has MFA).
		if msg, _ := postFlash(t, onTwo, "/account/users/remind-all"); msg != "1 reminder sent. 1 user skipped: reminded less than a day ago." {
			t.Fatalf("remind all: %q", msg)
		}
		two.DeliverMail(t)
		if got := reminders(one); len(got["bea@acme.test"]) != 1 || len(got["lite@acme.test"]) != 1 || len(got) != 2 {
			t.Fatalf("reminders after remind all: %v", got)
		}
		rows := getActivity(t, c, url.Values{"category": {"policy"}})
		var reminded []string
		for _, r := range rows {
			if strings.Contains(r, "MFA reminder sent") {
				reminded = append(reminded, r)
			}
		}
		if len(reminded) != 2 || !strings.Contains(reminded[0], "bea@acme.test") || !strings.Contains(reminded[1], "lite@acme.test") ||
			!strings.Contains(reminded[0], "Admin of Acme IT") || !strings.Contains(reminded[0], "must set up by") {
			t.Fatalf("activity shows %d reminders:\n%s", len(reminded), strings.Join(reminded, "\n"))
		}

		// A day later, racing "Remind all" on both nodes reminds each user
		// once. (The session began under the account's first lifetime, a
		// day: sign in again.)
		one.Clock.Advance(24*time.Hour + time.Second)
		c = signInWithCode(t, one, "admin@acme.test", e)
		onTwo = sameCookiesOn(t, c, two.URL)
		var wg sync.WaitGroup
		for i := range 6 {
			node := c
			if i%2 == 1 {
				node = onTwo
			}
			wg.Go(func() { node.PostForm(t, "/account/users/remind-all", nil) })
		}
		wg.Wait()
		one.DeliverMail(t)
		if got := reminders(one); len(got["bea@acme.test"]) != 2 || len(got["lite@acme.test"]) != 2 {
			t.Fatalf("after six racing reminders a day later: bea %d, lite %d; want 2 each", len(got["bea@acme.test"]), len(got["lite@acme.test"]))
		}

		// Past the deadline, the reminder says the next sign-in sets it up.
		one.Clock.Advance(7 * 24 * time.Hour)
		postFlash(t, c, fmt.Sprintf("/account/users/%d/remind", bea.ID))
		one.DeliverMail(t)
		if got := reminders(one)["bea@acme.test"]; len(got) != 3 || !strings.Contains(got[2], "run out") {
			t.Fatalf("the reminder after the deadline:\n%s", strings.Join(got, "\n---\n"))
		}
	})
}

func TestOnlyWhoMayManageAUserMayRemindThemAndOnlyInTheirAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin, "manager@acme.test", padlock.RoleManager)
		other := a.AddUser(t, admin, "other-manager@acme.test", padlock.RoleManager)
		editor := a.AddUser(t, admin, "editor@acme.test", padlock.RoleEditor)
		a.AddUser(t, admin, "lite@acme.test", padlock.RoleLite)
		globex := a.CreateAccount(t, "Globex", "admin@globex.test")
		stranger := a.AddUser(t, globex, "hank@globex.test", padlock.RoleLite)
		if _, err := a.Admin.Invite(t.Context(), actor(admin), 0, []string{"new@acme.test"}, padlock.RoleLite); err != nil {
			t.Fatal(err)
		}
		invited := userID(t, a, "new@acme.test")

		m := a.NewClient()
		m.SignIn(t, "manager@acme.test", testenv.Password)
		path := func(id int64) string { return fmt.Sprintf("/account/users/%d/remind", id) }
		remind := func(c *testenv.Client, id int64) int {
			status, _, _ := c.PostForm(t, path(id), nil)
			return status
		}
		if msg, isErr := postFlash(t, m, path(editor.ID)); isErr || !strings.Contains(msg, "1 reminder sent") {
			t.Fatalf("a Manager reminding an Editor: %q", msg)
		}
		for _, u := range []*padlock.User{admin, other} {
			if status := remind(m, u.ID); status != http.StatusForbidden {
				t.Errorf("a Manager reminding %s: %d, want 403", u.Email, status)
			}
		}
		if status := remind(m, stranger.ID); status != http.StatusNotFound {
			t.Errorf("another account's user: %d, want 404", status)
		}
		for _, path := range []string{"/account/users/abc/remind", "/account/users/0/remind", "/account/users/99999999999999999999/remind"} {
			if status, _, _ := m.PostForm(t, path, nil); status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, status)
			}
		}
		if msg, isErr := postFlash(t, m, path(invited)); !isErr || !strings.Contains(msg, "resend the invitation") {
			t.Errorf("an invited user: %q (error %v)", msg, isErr)
		}

		// The Manager's "Remind all" reaches the users below Manager only:
		// the Lite user; the Editor had one today.
		msg, _ := postFlash(t, m, "/account/users/remind-all")
		if want := "1 reminder sent. 1 user skipped: reminded less than a day ago. 3 users not reminded: only an Administrator reminds Managers and Administrators."; msg != want {
			t.Errorf("a Manager's remind all: %q\nwant %q", msg, want)
		}
		a.DeliverMail(t)
		for email, n := range map[string]int{"editor@acme.test": 1, "lite@acme.test": 1, "admin@acme.test": 0, "manager@acme.test": 0, "other-manager@acme.test": 0, "new@acme.test": 0, "hank@globex.test": 0} {
			if got := len(reminders(a)[email]); got != n {
				t.Errorf("%s got %d reminders, want %d", email, got, n)
			}
		}

		// A user with MFA needs none.
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		enableMFA(t, a, c)
		if msg, isErr := postFlash(t, c, path(admin.ID)); !isErr || !strings.Contains(msg, "already set up MFA") {
			t.Errorf("a user with MFA: %q", msg)
		}
		// The other account's Administrator reaches none of Acme's users.
		g := a.NewClient()
		g.SignIn(t, "admin@globex.test", testenv.Password)
		if status := remind(g, editor.ID); status != http.StatusNotFound {
			t.Errorf("Globex reminding Acme's Editor: %d, want 404", status)
		}
		// A Lite user reaches neither form.
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		for _, path := range []string{fmt.Sprintf("/account/users/%d/remind", editor.ID), "/account/users/remind-all"} {
			if status, _, _ := lite.PostForm(t, path, nil); status != http.StatusForbidden {
				t.Errorf("Lite %s: %d, want 403", path, status)
			}
		}
	})
}

func TestPortalUsersAreRemindedByWhoeverManagesPortals(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := setUpTwoOrganizations(t, d)
		a := f.a
		lite := userID(t, a, "lite@x.test")
		portalPath := fmt.Sprintf("/account/portals/%d", f.px.ID)
		if msg, isErr := postFlash(t, f.admin, fmt.Sprintf("%s/users/%d/remind", portalPath, lite)); isErr || msg != "1 reminder sent to lite@x.test." {
			t.Fatalf("reminding a portal user: %q", msg)
		}
		if msg, _ := postFlash(t, f.admin, portalPath+"/remind-all"); msg != "1 reminder sent. 1 user skipped: reminded less than a day ago." {
			t.Fatalf("remind all of the portal: %q", msg)
		}
		a.DeliverMail(t)
		got := reminders(a)
		if len(got["lite@x.test"]) != 1 || len(got["creator@x.test"]) != 1 || len(got["lite@y.test"]) != 0 {
			t.Fatalf("reminders: %v", got)
		}
		if body := got["lite@x.test"][0]; !strings.Contains(body, f.px.Name) || !strings.Contains(body, "/portal/login") {
			t.Errorf("a portal user's reminder names neither the portal nor its sign-in:\n%s", body)
		}
		// The user of another portal, under this portal's path, is not there.
		ly := userID(t, a, "lite@y.test")
		if status, _, _ := f.admin.PostForm(t, fmt.Sprintf("%s/users/%d/remind", portalPath, ly), nil); status != http.StatusNotFound {
			t.Errorf("another portal's user: %d, want 404", status)
		}
		// A staff user is not a portal user, and a portal user not staff.
		if status, _, _ := f.admin.PostForm(t, fmt.Sprintf("/account/users/%d/remind", lite), nil); status != http.StatusNotFound {
			t.Errorf("a portal user through the staff path: %d, want 404", status)
		}
		// Another account's Administrator reaches neither the portal nor its users.
		a.CreateAccount(t, "Globex", "admin@globex.test")
		g := a.NewClient()
		g.SignIn(t, "admin@globex.test", testenv.Password)
		for _, path := range []string{fmt.Sprintf("%s/users/%d/remind", portalPath, lite), portalPath + "/remind-all"} {
			if status, _, _ := g.PostForm(t, path, nil); status != http.StatusNotFound {
				t.Errorf("Globex %s: %d, want 404", path, status)
			}
		}
	})
}
