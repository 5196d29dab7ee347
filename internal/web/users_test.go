package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestAnInvitationFromTheUsersPageLetsTheInviteeSignIn(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		admin := a.NewClient()
		admin.SignIn(t, "admin@acme.test", testenv.Password)
		status, loc, body := admin.PostForm(t, "/account/users", url.Values{"emails": {"Bea@Acme.test, cy@acme.test"}, "role": {"editor"}})
		if status != http.StatusSeeOther || loc != "/account/users" {
			t.Fatalf("invite: %d %q\n%s", status, loc, body)
		}
		_, _, list := admin.Get(t, "/account/users")
		if !strings.Contains(list, "bea@acme.test") || strings.Count(list, ">invited<") != 2 {
			t.Fatalf("the users list does not show two invited users:\n%s", list)
		}
		msg := a.SMTP.WaitFor(t, "bea@acme.test", "invit")
		token := testenv.LinkToken(t, msg.Body, "/invitation/")
		invitee := a.NewClient()
		if status, _, body := invitee.Get(t, "/invitation/"+token); status != 200 || !strings.Contains(body, "Acme IT") {
			t.Fatalf("invitation page: %d", status)
		}
		// A weak password is refused beside its field and nothing changes.
		status, _, body = invitee.PostForm(t, "/invitation/"+token, url.Values{"name": {"Bea"}, "password": {"password1234"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="password-error"`) {
			t.Fatalf("weak password: %d", status)
		}
		status, loc, _ = invitee.PostForm(t, "/invitation/"+token, url.Values{"name": {"Bea"}, "password": {testenv.Password}})
		if status != http.StatusSeeOther || loc != "/login" {
			t.Fatalf("accept: %d %q", status, loc)
		}
		if invitee.CookieValue("padlock_session") != "" {
			t.Fatal("accepting an invitation signed the invitee in")
		}
		if status, _, _ := invitee.PostForm(t, "/invitation/"+token, url.Values{"name": {"Bea"}, "password": {testenv.Password}}); status != http.StatusNotFound {
			t.Fatalf("the invitation link worked twice: %d", status)
		}
		invitee.SignIn(t, "bea@acme.test", testenv.Password)
		if status, _, _ := invitee.Get(t, "/organizations"); status != 200 {
			t.Fatalf("invitee: %d", status)
		}
	})
}

func TestResendingAnInvitationVoidsTheOldLink(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
	a.Admin.Invite(t.Context(), actor(admin), 0, []string{"dee@acme.test"}, padlock.RoleLite)
	first := testenv.LinkToken(t, a.SMTP.WaitFor(t, "dee@acme.test", "invit").Body, "/invitation/")
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	id := userID(t, a, "dee@acme.test")
	if status, _, _ := c.PostForm(t, fmt.Sprintf("/account/users/%d/resend", id), nil); status != http.StatusSeeOther {
		t.Fatalf("resend: %d", status)
	}
	a.DeliverMail(t)
	msgs := mailsTo(a, "dee@acme.test")
	if len(msgs) != 2 {
		t.Fatalf("%d invitation mails", len(msgs))
	}
	second := testenv.LinkToken(t, msgs[1], "/invitation/")
	if status, _, _ := c.Get(t, "/invitation/"+first); status != http.StatusNotFound {
		t.Fatalf("old link: %d", status)
	}
	if status, _, _ := c.Get(t, "/invitation/"+second); status != http.StatusOK {
		t.Fatalf("new link: %d", status)
	}
}

func mailsTo(a *testenv.TestApp, to string) []string {
	var out []string
	for _, m := range a.SMTP.Messages() {
		for _, r := range m.To {
			if r == to {
				out = append(out, m.Body)
			}
		}
	}
	return out
}

func TestAPasswordResetDoesNotSignInAndEndsEverySession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		old := a.NewClient()
		old.SignIn(t, "admin@acme.test", testenv.Password)

		c := a.NewClient()
		for _, email := range []string{"admin@acme.test", "nobody@acme.test"} {
			status, _, body := c.PostForm(t, "/forgot", url.Values{"email": {email}})
			if status != 200 || !strings.Contains(body, "is on its way") {
				t.Fatalf("forgot %s: %d", email, status)
			}
		}
		token := testenv.LinkToken(t, a.SMTP.WaitFor(t, "admin@acme.test", "Reset").Body, "/reset/")
		next := "another-orbit-lantern-meadow"
		status, loc, _ := c.PostForm(t, "/reset/"+token, url.Values{"password": {next}})
		if status != http.StatusSeeOther || loc != "/login" || c.CookieValue("padlock_session") != "" {
			t.Fatalf("reset: %d %q (must not sign in)", status, loc)
		}
		if status, _, _ := old.Get(t, "/organizations"); status != http.StatusSeeOther {
			t.Fatalf("a session from before the reset survived: %d", status)
		}
		if status, _, _ := c.PostForm(t, "/reset/"+token, url.Values{"password": {"yet-another-orbit-lantern"}}); status != http.StatusNotFound {
			t.Fatalf("reset link worked twice: %d", status)
		}
		c.SignIn(t, "admin@acme.test", next)
	})
}

func TestAResetLinkExpiresAfterThirtyMinutes(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	c.PostForm(t, "/forgot", url.Values{"email": {"admin@acme.test"}})
	token := testenv.LinkToken(t, a.SMTP.WaitFor(t, "admin@acme.test", "Reset").Body, "/reset/")
	a.Clock.Advance(31 * time.Minute)
	if status, _, body := c.Get(t, "/reset/"+token); status != http.StatusNotFound || !strings.Contains(body, "no longer works") {
		t.Fatalf("expired reset link: %d", status)
	}
}

func TestChangingYourPasswordEndsYourOtherSessions(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		here, there := a.NewClient(), a.NewClient()
		here.SignIn(t, "admin@acme.test", testenv.Password)
		there.SignIn(t, "admin@acme.test", testenv.Password)
		status, _, body := here.PostForm(t, "/settings/password", url.Values{"current": {"wrong"}, "password": {"harbor-lantern-orbit-fig"}})
		if status != http.StatusUnauthorized && status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="current-error"`) {
			t.Fatalf("wrong current password: %d", status)
		}
		if status, _, _ := here.PostForm(t, "/settings/password", url.Values{"current": {testenv.Password}, "password": {"harbor-lantern-orbit-fig"}}); status != http.StatusSeeOther {
			t.Fatalf("change password: %d", status)
		}
		if status, _, _ := here.Get(t, "/settings"); status != 200 {
			t.Fatalf("this session ended: %d", status)
		}
		if status, _, _ := there.Get(t, "/settings"); status != http.StatusSeeOther {
			t.Fatalf("the other session survived: %d", status)
		}
		a.SMTP.WaitFor(t, "admin@acme.test", "password was changed")
	})
}

func TestDeactivatingAUserEndsTheirSessionsAndReactivatingLetsThemBack(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin, "ed@acme.test", padlock.RoleEditor)
		ed := a.NewClient()
		ed.SignIn(t, "ed@acme.test", testenv.Password)
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		id := userID(t, a, "ed@acme.test")
		if status, _, _ := c.PostForm(t, fmt.Sprintf("/account/users/%d/deactivate", id), nil); status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", status)
		}
		if status, _, _ := ed.Get(t, "/organizations"); status != http.StatusSeeOther {
			t.Fatalf("a deactivated user's session survived: %d", status)
		}
		if status, _, _ := ed.PostForm(t, "/login", url.Values{"email": {"ed@acme.test"}, "password": {testenv.Password}}); status != 401 {
			t.Fatalf("a deactivated user signed in: %d", status)
		}
		if status, _, _ := c.PostForm(t, fmt.Sprintf("/account/users/%d/reactivate", id), nil); status != http.StatusSeeOther {
			t.Fatalf("reactivate: %d", status)
		}
		ed.SignIn(t, "ed@acme.test", testenv.Password)
	})
}

// The role table: what a Manager may do to each role, through the screens.
func TestManagersMayManageOnlyUsersBelowThem(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin, "max@acme.test", padlock.RoleManager)
		a.AddUser(t, admin, "ed@acme.test", padlock.RoleEditor)
		m := a.NewClient()
		m.SignIn(t, "max@acme.test", testenv.Password)
		adminID, edID := userID(t, a, "admin@acme.test"), userID(t, a, "ed@acme.test")
		refused := []struct {
			name, path string
			form       url.Values
		}{
			{"deactivate an Administrator", fmt.Sprintf("/account/users/%d/deactivate", adminID), nil},
			{"demote an Administrator", fmt.Sprintf("/account/users/%d/role", adminID), url.Values{"role": {"lite"}}},
			{"promote someone to Administrator", fmt.Sprintf("/account/users/%d/role", edID), url.Values{"role": {"administrator"}}},
		}
		for _, tc := range refused {
			if status, _, _ := m.PostForm(t, tc.path, tc.form); status != http.StatusForbidden && status != http.StatusUnprocessableEntity {
				t.Errorf("a Manager could %s: %d", tc.name, status)
			}
		}
		status, _, body := m.PostForm(t, "/account/users", url.Values{"emails": {"boss@acme.test"}, "role": {"administrator"}})
		if status == http.StatusSeeOther || !strings.Contains(body, `id="role-error"`) {
			t.Errorf("a Manager invited an Administrator: %d", status)
		}
		if status, _, _ := m.PostForm(t, fmt.Sprintf("/account/users/%d/role", edID), url.Values{"role": {"creator"}}); status != http.StatusSeeOther {
			t.Errorf("a Manager could not change an Editor's role: %d", status)
		}
		u, _ := a.DB.Conn().User(t.Context(), admin.AccountID, edID)
		if u.Role != padlock.RoleCreator {
			t.Errorf("role is %s", u.Role)
		}
	})
}

// An Administrator of one account gets 404 for every id of another, on every
// route that takes one.
func TestTenantsCannotReachEachOther(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		other := a.CreateAccount(t, "Globex", "admin@globex.test")
		a.AddUser(t, other, "victim@globex.test", padlock.RoleEditor)
		org := &padlock.Organization{AccountID: other.AccountID, Name: "Globex Client", CreatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateOrganization(t.Context(), org); err != nil {
			t.Fatal(err)
		}
		doc := &padlock.Document{AccountID: other.AccountID, OrganizationID: org.ID, Title: "Secret", Body: "x", UpdatedAt: a.Clock.Now()}
		if err := a.DB.Conn().CreateDocument(t.Context(), doc); err != nil {
			t.Fatal(err)
		}
		ids := map[string]string{"{id}": fmt.Sprint(userID(t, a, "victim@globex.test")), "{org}": fmt.Sprint(org.ID), "{doc}": fmt.Sprint(doc.ID)}
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		tried := 0
		for _, r := range accountRoutes(a) {
			if r.Public() || !strings.Contains(r.Path, "{") || strings.Contains(r.Path, "{$}") {
				continue
			}
			path := r.Path
			for k, v := range ids {
				path = strings.ReplaceAll(path, k, v)
			}
			req, _ := http.NewRequest(r.Method, a.URL+path, strings.NewReader("role=lite&title=x&body=y"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", a.URL)
			if status, _, _ := c.Do(t, req); status != http.StatusNotFound {
				t.Errorf("%s %s across tenants: %d, want 404", r.Method, path, status)
			}
			tried++
		}
		if tried < 8 {
			t.Fatalf("only %d routes take an id", tried)
		}
		u, _ := a.DB.Conn().User(t.Context(), other.AccountID, userID(t, a, "victim@globex.test"))
		if u.Role != padlock.RoleEditor || u.Status != padlock.StatusActive {
			t.Fatalf("the other tenant's user changed: %+v", u)
		}
	})
}
