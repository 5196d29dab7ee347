package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// requireMFA saves Account > Settings > Authentication as the client.
func requireMFA(t *testing.T, c *testenv.Client, on bool, graceDays string) (int, string) {
	t.Helper()
	// Long sessions, so tests can move the clock across a grace period.
	form := url.Values{"grace_days": {graceDays}, "session_idle_minutes": {"43200"}, "session_lifetime_hours": {"720"}}
	if on {
		form.Set("require_mfa", "on")
	}
	status, _, body := c.PostForm(t, "/account/settings/authentication", form)
	return status, body
}

// enforcingAccount is an account whose Administrator has MFA and a Lite
// user who has none.
func enforcingAccount(t *testing.T, d string) (*testenv.TestApp, *testenv.Client, enrolled) {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
	a.AddUser(t, admin, "lite@acme.test", padlock.RoleLite)
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	return a, c, enableMFA(t, a, c)
}

func TestRequiringMFAIsRefusedToAnAdministratorWithoutMFA(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	status, body := requireMFA(t, c, true, "0")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="require_mfa-error"`) || !strings.Contains(body, `href="/settings/mfa/enroll"`) {
		t.Fatalf("status %d; want the save refused with a link to set up MFA", status)
	}
	acct, _ := a.DB.Conn().Account(t.Context(), 1)
	if acct.RequiresMFA() {
		t.Fatal("the requirement was saved anyway")
	}
}

func TestTheSettingsPageCountsUsersWithoutMFA(t *testing.T) {
	t.Parallel()
	a, c, _ := enforcingAccount(t, "sqlite")
	_, _, body := c.Get(t, "/account/settings")
	if !strings.Contains(body, "1 of 2 users has no MFA yet") {
		t.Fatalf("the page does not say who is uncovered:\n%s", between(body, `id="mfa-coverage">`, "</p>"))
	}
	_ = a
}

// The seed's story: the requirement is switched on, a Lite user without
// MFA signs in and is walked through enrollment, then lands where they were
// going.
func TestARequiredAccountWalksAUserWithoutMFAThroughEnrollment(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		if status, body := requireMFA(t, admin, true, "0"); status != http.StatusSeeOther {
			t.Fatalf("require MFA: %d\n%s", status, body)
		}
		a.SMTP.WaitFor(t, "lite@acme.test", "now requires MFA")
		acct, _ := a.DB.Conn().Account(t.Context(), 1)
		if !acct.RequiresMFA() {
			t.Fatal("not saved")
		}

		lite := a.NewClient()
		status, loc, _ := lite.PostForm(t, "/login", url.Values{"email": {"lite@acme.test"}, "password": {testenv.Password}, "next": {"/organizations"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("sign-in: %d %q, want enrollment", status, loc)
		}
		held := lite.CookieValue("padlock_session")
		if status, loc, _ := lite.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("an enrollment-only session reached /organizations: %d %q", status, loc)
		}
		e := enrollThroughForcedScreens(t, a, lite, "/organizations")
		if lite.CookieValue("padlock_session") == held {
			t.Fatal("enrollment kept the held session's token")
		}
		if status, _, _ := lite.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("after enrollment: %d", status)
		}
		// Next time: the challenge, like everyone with MFA.
		lite.PostForm(t, "/logout", nil)
		passwordStep(t, lite, "lite@acme.test")
		if status, _, _ := lite.PostForm(t, "/login/mfa", url.Values{"code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("challenge: %d", status)
		}
	})
}

// enrollThroughForcedScreens completes enrollment from the page a forced
// user is sent to, and checks it lands on next.
func enrollThroughForcedScreens(t *testing.T, a *testenv.TestApp, c *testenv.Client, next string) enrolled {
	t.Helper()
	base := "" // the surface next is on
	if strings.HasPrefix(next, "/portal/") {
		base = "/portal"
	}
	status, _, body := c.Get(t, base+"/settings/mfa/enroll?next="+url.QueryEscape(next))
	if status != http.StatusOK || !strings.Contains(body, "Set up MFA to continue") {
		t.Fatalf("forced enrollment page: %d", status)
	}
	e := enrolled{secret: decodeSecret(t, secretOnPage(body))}
	status, loc, _ := c.PostForm(t, base+"/settings/mfa/verify", url.Values{"code": {e.code(a, 0)}, "next": {next}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, base+"/settings/mfa/recovery-codes") {
		t.Fatalf("verify: %d %q", status, loc)
	}
	if status, _, _ := c.Get(t, loc); status != http.StatusOK {
		t.Fatalf("recovery codes: %d", status)
	}
	status, loc, _ = c.PostForm(t, base+"/settings/mfa/recovery-codes/saved", url.Values{"next": {next}})
	if status != http.StatusSeeOther || loc != next {
		t.Fatalf("saved: %d %q, want %s", status, loc, next)
	}
	a.Clock.Advance(30 * time.Second)
	return e
}

func TestASignedInUserIsSentToEnrollmentOnTheirNextRequest(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		if status, _, _ := lite.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("before: %d", status)
		}
		requireMFA(t, admin, true, "0")
		if status, loc, _ := lite.Get(t, "/organizations"); status != http.StatusSeeOther || loc != "/settings/mfa/enroll?next=%2Forganizations" {
			t.Fatalf("after the requirement: %d %q", status, loc)
		}
		enrollThroughForcedScreens(t, a, lite, "/organizations")
		if status, _, _ := lite.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("after enrolling: %d", status)
		}
	})
}

// Tried with an enrollment-only session, every route but the enrollment
// screens, sign-out and public ones sends the browser to enrollment and
// answers the API with 401.
func TestAnEnrollmentOnlySessionReachesOnlyEnrollment(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		requireMFA(t, admin, true, "0")
		lite := a.NewClient()
		lite.PostForm(t, "/login", url.Values{"email": {"lite@acme.test"}, "password": {testenv.Password}})
		for _, r := range accountRoutes(a) {
			if r.Public() || r.Access.String() == "enrollment" || r.Path == "/logout" {
				continue
			}
			req, _ := http.NewRequest(r.Method, a.URL+samplePath(r.Path), strings.NewReader("name=x&require_mfa=&code=123456"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", a.URL)
			status, loc, _ := lite.Do(t, req)
			switch {
			case strings.HasPrefix(r.Path, "/api/"):
				if status != http.StatusUnauthorized {
					t.Errorf("%s %s: %d, want 401", r.Method, r.Path, status)
				}
			case r.Access.String() == "challenge":
				if status != http.StatusSeeOther || loc != "/" {
					t.Errorf("%s %s: %d %q", r.Method, r.Path, status, loc)
				}
			default:
				if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
					t.Errorf("%s %s: %d %q, want a redirect to enrollment", r.Method, r.Path, status, loc)
				}
			}
		}
	})
}

// The decision comes from stored policy only.
func TestNothingTheClientSendsLiftsTheRequirement(t *testing.T) {
	t.Parallel()
	a, admin, _ := enforcingAccount(t, "sqlite")
	requireMFA(t, admin, true, "0")
	lite := a.NewClient()
	lite.PostForm(t, "/login", url.Values{"email": {"lite@acme.test"}, "password": {testenv.Password}, "require_mfa": {"off"}, "mfa": {"done"}})
	u, _ := url.Parse(a.URL)
	lite.Jar.SetCookies(u, []*http.Cookie{{Name: "require_mfa", Value: "0"}, {Name: "mfa", Value: "ok"}, {Name: "padlock_state", Value: "full"}})
	for _, path := range []string{"/organizations?require_mfa=0", "/organizations?mfa=ok&state=full", "/settings?enrolled=1"} {
		if status, loc, _ := lite.Get(t, path); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Errorf("%s: %d %q", path, status, loc)
		}
	}
	if status, _, _ := lite.PostForm(t, "/settings/profile", url.Values{"name": {"x"}, "require_mfa": {""}, "state": {"full"}}); status != http.StatusSeeOther {
		t.Errorf("form post: %d", status)
	}
	if _, _, body := admin.Get(t, "/account/users"); strings.Contains(body, ">x<") {
		t.Error("a held session changed the user's name")
	}
}

func TestAGracePeriodShowsABannerUntilTheDeadline(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		requireMFA(t, admin, true, "7")
		msg := a.SMTP.WaitFor(t, "lite@acme.test", "now requires MFA")
		if !strings.Contains(msg.Body, "before") {
			t.Fatalf("the notice does not give the deadline:\n%s", msg.Body)
		}
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		status, _, body := lite.Get(t, "/organizations")
		if status != http.StatusOK || !strings.Contains(body, `id="mfa-grace"`) || !strings.Contains(body, "Set up now") {
			t.Fatalf("during the grace period: %d, banner shown %v", status, strings.Contains(body, `id="mfa-grace"`))
		}
		a.Clock.Advance(7*24*time.Hour - time.Minute)
		if status, _, _ := lite.Get(t, "/organizations"); status != http.StatusOK {
			t.Fatalf("a minute before the deadline: %d", status)
		}
		a.Clock.Advance(2 * time.Minute)
		if status, loc, _ := lite.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("after the deadline: %d %q", status, loc)
		}
	})
}

func TestShorteningTheGracePeriodTakesEffectForEveryone(t *testing.T) {
	t.Parallel()
	a, admin, adminMFA := enforcingAccount(t, "sqlite")
	requireMFA(t, admin, true, "30")
	lite := a.NewClient()
	lite.SignIn(t, "lite@acme.test", testenv.Password)
	a.Clock.Advance(3 * 24 * time.Hour)
	// The admin's session began under the old 24-hour lifetime.
	passwordStep(t, admin, "admin@acme.test")
	if status, _, _ := admin.PostForm(t, "/login/mfa", url.Values{"code": {adminMFA.code(a, 0)}}); status != http.StatusSeeOther {
		t.Fatalf("admin challenge: %d", status)
	}
	if status, body := requireMFA(t, admin, true, "2"); status != http.StatusSeeOther {
		t.Fatalf("shorten: %d\n%s", status, body)
	}
	if status, loc, _ := lite.Get(t, "/organizations"); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
		t.Fatalf("after shortening the grace to 2 days, 3 days in: %d %q", status, loc)
	}
}

func TestTurningTheRequirementOffLeavesMFAInPlace(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		e := enrolled{}
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		e = enableMFA(t, a, lite)
		requireMFA(t, admin, true, "0")
		status, _, body := lite.PostForm(t, "/settings/mfa/disable", url.Values{"password": {testenv.Password}, "code": {e.code(a, 0)}})
		if status != http.StatusForbidden || !strings.Contains(body, "requires MFA") {
			t.Fatalf("disable while required: %d", status)
		}
		requireMFA(t, admin, false, "0")
		if _, _, body := admin.Get(t, "/account/users"); !strings.Contains(body, "2 of 2 users have MFA") {
			t.Fatal("turning the requirement off removed someone's MFA")
		}
		if status, _, _ := lite.PostForm(t, "/settings/mfa/disable", url.Values{"password": {testenv.Password}, "code": {e.code(a, 0)}}); status != http.StatusSeeOther {
			t.Fatalf("disable once no longer required: %d", status)
		}
	})
}

// Every other way in ends in the same state machine.
func TestResetAndInvitationPathsEndInTheSameStateMachine(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		requireMFA(t, admin, true, "0")

		t.Run("a password reset", func(t *testing.T) {
			c := a.NewClient()
			c.PostForm(t, "/forgot", url.Values{"email": {"lite@acme.test"}})
			token := testenv.LinkToken(t, a.SMTP.WaitFor(t, "lite@acme.test", "Reset").Body, "/reset/")
			status, loc, _ := c.PostForm(t, "/reset/"+token, url.Values{"password": {"meadow-lantern-orbit-quartz"}})
			if status != http.StatusSeeOther || loc != "/login" || c.CookieValue("padlock_session") != "" {
				t.Fatalf("reset: %d %q", status, loc)
			}
			status, loc, _ = c.PostForm(t, "/login", url.Values{"email": {"lite@acme.test"}, "password": {"meadow-lantern-orbit-quartz"}})
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
				t.Fatalf("sign-in after reset: %d %q", status, loc)
			}
		})
		t.Run("an invitation", func(t *testing.T) {
			admin.PostForm(t, "/account/users", url.Values{"emails": {"new@acme.test"}, "role": {"lite"}})
			token := testenv.LinkToken(t, a.SMTP.WaitFor(t, "new@acme.test", "invit").Body, "/invitation/")
			c := a.NewClient()
			status, loc, _ := c.PostForm(t, "/invitation/"+token, url.Values{"name": {"New"}, "password": {testenv.Password}})
			if status != http.StatusSeeOther || loc != "/login" || c.CookieValue("padlock_session") != "" {
				t.Fatalf("accept: %d %q", status, loc)
			}
			status, loc, _ = c.PostForm(t, "/login", url.Values{"email": {"new@acme.test"}, "password": {testenv.Password}})
			if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
				t.Fatalf("sign-in after accepting: %d %q", status, loc)
			}
		})
	})
}

func TestResetMFAEndsSessionsAndForcesEnrollmentAgain(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		lite := a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		enableMFA(t, a, lite)
		requireMFA(t, admin, true, "5")
		id := userID(t, a, "lite@acme.test")
		if _, _, body := admin.Get(t, "/account/users"); !strings.Contains(body, "2 of 2 users have MFA") {
			t.Fatal("count before reset")
		}
		path := "/account/users/" + itoa(id) + "/reset-mfa"
		if status, _, body := admin.Get(t, path); status != 200 || !strings.Contains(body, "signs them out everywhere") {
			t.Fatalf("confirmation: %d", status)
		}
		if status, _, _ := admin.PostForm(t, path, nil); status != http.StatusSeeOther {
			t.Fatalf("reset: %d", status)
		}
		if status, _, _ := lite.Get(t, "/organizations"); status != http.StatusSeeOther {
			t.Fatalf("the user's session survived the reset: %d", status)
		}
		a.SMTP.WaitFor(t, "lite@acme.test", "MFA was reset")
		_, _, body := admin.Get(t, "/account/users")
		if !strings.Contains(body, "1 of 2 users has MFA") {
			t.Fatal("the padlock did not open")
		}
		_, _, body = admin.Get(t, "/account/activity")
		if !strings.Contains(body, "admin@acme.test") || !strings.Contains(strings.ToLower(body), "mfa reset") {
			t.Fatal("the activity log does not show who reset whom")
		}
		// No new grace: the reset user must enroll at their next sign-in.
		status, loc, _ := lite.PostForm(t, "/login", url.Values{"email": {"lite@acme.test"}, "password": {testenv.Password}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/settings/mfa/enroll") {
			t.Fatalf("sign-in after reset: %d %q", status, loc)
		}
	})
}

func TestTheUsersListFiltersAndExportsByMFAStatus(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		_, _, body := admin.Get(t, "/account/users?mfa=set_up")
		if !strings.Contains(body, "admin@acme.test") || strings.Contains(body, "lite@acme.test") {
			t.Fatal("filter set_up")
		}
		if !strings.Contains(body, "MFA set up") {
			t.Fatal("the closed padlock has no text equivalent")
		}
		_, _, body = admin.Get(t, "/account/users?mfa=not_set_up")
		if strings.Contains(body, "admin@acme.test") || !strings.Contains(body, "lite@acme.test") || !strings.Contains(body, "MFA not set up") {
			t.Fatal("filter not_set_up")
		}
		status, _, csv := admin.Get(t, "/account/users.csv")
		lines := strings.Split(strings.TrimSpace(csv), "\n")
		if status != 200 || len(lines) != 3 || lines[0] != "name,email,role,status,mfa,mfa_set_up,last_sign_in,must_set_up_by,strongest_factor" {
			t.Fatalf("csv: %d\n%s", status, csv)
		}
		if !strings.Contains(csv, "admin@acme.test,Administrator,active,set up,20") || !strings.Contains(csv, "lite@acme.test,Lite,active,not set up,,") {
			t.Fatalf("csv rows:\n%s", csv)
		}
		_ = a
	})
}

func TestTheUsersListPagesThroughALargeAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, _ := enforcingAccount(t, d)
		acct := int64(1)
		err := a.DB.InTx(t.Context(), func(tx *store.Queries) error {
			for i := 0; i < 120; i++ {
				u := &padlock.User{AccountID: acct, Email: "user" + itoa(int64(1000+i)) + "@acme.test", Role: padlock.RoleLite, Status: padlock.StatusInvited, CreatedAt: a.Clock.Now()}
				if err := tx.CreateUser(t.Context(), u, ""); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, _, first := admin.Get(t, "/account/users")
		if !strings.Contains(first, "1 of 122 users has MFA") || !strings.Contains(first, "122 users</span>") {
			t.Fatal("the counts are missing")
		}
		var seen, sizes []string
		page, path := first, ""
		for {
			emails := listedEmails(page)
			seen, sizes = append(seen, emails...), append(sizes, itoa(int64(len(emails))))
			if path = pageLink(page, "next"); path == "" {
				break
			}
			if len(sizes) > 5 {
				t.Fatal("the next links go round in circles")
			}
			_, _, page = admin.Get(t, path)
		}
		if strings.Join(sizes, ",") != "50,50,22" || len(seen) != 122 || !slices.IsSorted(seen) || len(slices.Compact(slices.Clone(seen))) != 122 {
			t.Fatalf("paging visited pages of %v rows, %d users", sizes, len(seen))
		}
		// Back from the last page to the first.
		for i := 0; i < 2; i++ {
			_, _, page = admin.Get(t, pageLink(page, "prev"))
		}
		if got := listedEmails(page); !slices.Equal(got, seen[:50]) || pageLink(page, "prev") != "" {
			t.Fatal("the previous links do not lead back to the first page")
		}
		for _, q := range []string{"after=x", "after=-3:a@b", "before=0:", "after=99999999999999999999:a", "before=5", "after=1:%ff", "after=1:zzz", "before=1:aaa", "after=1:a&before=2:b"} {
			status, _, body := admin.Get(t, "/account/users?"+q)
			if status != http.StatusOK || !slices.Equal(listedEmails(body), seen[:50]) {
				t.Errorf("the page key %q: %d, not the first page", q, status)
			}
		}
		status, _, csv := admin.Get(t, "/account/users.csv")
		if lines := strings.Split(strings.TrimSpace(csv), "\n"); status != http.StatusOK || len(lines) != 123 {
			t.Fatalf("the CSV of 122 users: %d, %d lines", status, len(lines))
		}
	})
}

var listedEmailRe = regexp.MustCompile(`aria-label="Edit ([^"]+)"`)

// listedEmails returns the emails of a users list page's rows, in order.
func listedEmails(page string) []string {
	var out []string
	for _, m := range listedEmailRe.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// pageLink returns the path of a users list page's "next" or "prev" link.
func pageLink(page, rel string) string {
	m := regexp.MustCompile(`<a href="([^"]+)" rel="` + rel + `"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}
