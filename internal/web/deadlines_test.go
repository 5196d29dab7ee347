package web_test

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestTheUsersListShowsDeadlinesFiltersTheOverdueAndPagesByDeadline(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, e := enforcingAccount(t, d)
		requiredAt := a.Clock.Now()
		if status, body := requireMFA(t, admin, true, "3"); status != http.StatusSeeOther {
			t.Fatalf("require MFA: %d\n%.600s", status, body)
		}
		// 200 users joining later, with deadlines on 7 days: many tie.
		seedList(t, a, 1, 0, "late", 200, func(i int) time.Time { return requiredAt.Add(time.Duration(i%7) * 24 * time.Hour) })

		_, _, page := admin.Get(t, "/account/users")
		if !strings.Contains(page, "<th scope=\"col\">Must set up by</th>") || !strings.Contains(page, `<option value="overdue"`) {
			t.Fatal("the list of a required account has no deadline column or Overdue filter")
		}
		liteDeadline := requiredAt.Add(3 * 24 * time.Hour).UTC().Format("2 Jan 2006 15:04 UTC")
		if _, _, lite := admin.Get(t, "/account/users/"+itoa(userID(t, a, "lite@acme.test"))); !strings.Contains(between(lite, `id="user-deadline">`, "</dd>"), liteDeadline) {
			t.Errorf("the Lite user's page does not show their deadline %s: %q", liteDeadline, between(lite, `id="user-deadline">`, "</dd>"))
		}

		// Paging by deadline visits everyone once, in (deadline, id) order.
		all, _ := a.DB.Conn().Users(t.Context(), 1, store.UserFilter{MFA: store.MFANotSet})
		slices.SortFunc(all, func(x, y *padlock.User) int {
			return cmp.Or(x.MFADeadline.Compare(y.MFADeadline), cmp.Compare(x.ID, y.ID))
		})
		var want []string
		for _, u := range all {
			want = append(want, u.Email)
		}
		seen := visitPages(t, admin, "/account/users?mfa=not_set_up&sort=deadline")
		if !slices.Equal(seen, want) {
			t.Fatalf("paging by deadline visited %d users, want the %d without MFA in deadline order", len(seen), len(want))
		}

		// Past the first days' deadlines: Overdue lists exactly those.
		a.Clock.Advance(3*24*time.Hour + time.Minute)
		admin = signInWithCode(t, a, "admin@acme.test", e) // the session began under a day's lifetime
		now := a.Clock.Now()
		var overdue []string
		staff := listRequirement(t, a, 1, 0)
		for _, u := range all {
			if u.MFAOverdue(staff, now) {
				overdue = append(overdue, u.Email)
			}
		}
		_, _, page = admin.Get(t, "/account/users?mfa=overdue&sort=deadline")
		if got := visitPages(t, admin, "/account/users?mfa=overdue&sort=deadline"); !slices.Equal(got, overdue) || len(overdue) < 50 {
			t.Fatalf("overdue: %d users, want %d", len(got), len(overdue))
		}
		if !strings.Contains(page, `id="overdue-count">`+itoa(int64(len(overdue)))+` overdue</a>`) {
			t.Errorf("the header does not count %d overdue", len(overdue))
		}
		_, _, csvBody := admin.Get(t, "/account/users.csv?mfa=overdue&sort=deadline")
		if lines := strings.Split(strings.TrimSpace(csvBody), "\n"); len(lines) != len(overdue)+1 || !strings.Contains(lines[1], overdue[0]) || !strings.HasSuffix(lines[1], "Z,none") {
			t.Errorf("the overdue CSV has %d lines for %d users; first %q", len(lines), len(overdue), lines[1])
		}
		_, _, settings := admin.Get(t, "/account/settings")
		if !strings.Contains(settings, "must set it up by <strong>"+requiredAt.Add(3*24*time.Hour).UTC().Format("2 Jan 2006 15:04 UTC")) ||
			!strings.Contains(settings, "get 3 days from the day they join") || !strings.Contains(settings, itoa(int64(len(overdue)))+" overdue") {
			t.Errorf("Account > Settings does not show the grace deadline and the overdue:\n%s", between(settings, `id="mfa-coverage"`, "</label>"))
		}

		// Bad page keys and orders give the first page, never an error.
		for _, q := range []string{"sort=deadline&after=x", "sort=deadline&after=5:abc", "sort=deadline&before=5:-1", "sort=nonsense", "sort=deadline&after=1:a%40b", "mfa=overdue&before=99999999999999999999:1"} {
			if status, _, _ := admin.Get(t, "/account/users?"+q); status != http.StatusOK {
				t.Errorf("%s: %d", q, status)
			}
		}

		// Without a requirement there is no deadline and no one is overdue.
		requireMFA(t, admin, false, "3")
		_, _, page = admin.Get(t, "/account/users?mfa=overdue")
		if strings.Contains(page, "Must set up by") || len(listedEmails(page)) != 0 {
			t.Errorf("with nothing required, the list shows deadlines or %d overdue", len(listedEmails(page)))
		}
		_, _, csvBody = admin.Get(t, "/account/users.csv?mfa=overdue")
		if lines := strings.Split(strings.TrimSpace(csvBody), "\n"); len(lines) != 1 {
			t.Errorf("with nothing required, the overdue CSV has %d lines", len(lines))
		}
	})
}

// visitPages follows a users list's next links from path and returns the
// emails listed, in order.
func visitPages(t *testing.T, c *testenv.Client, path string) []string {
	t.Helper()
	var seen []string
	for pages := 0; path != ""; pages++ {
		if pages > 20 {
			t.Fatal("the next links go round in circles")
		}
		status, _, page := c.Get(t, path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		seen = append(seen, listedEmails(page)...)
		path = pageLink(page, "next")
	}
	return seen
}
