package web_test

import (
	"encoding/csv"
	"fmt"
	"html"
	"io"
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

// activityRows returns the Activity table's rows, top to bottom, as HTML.
func activityRows(t *testing.T, body string) []string {
	t.Helper()
	if !strings.Contains(body, `id="activity"`) {
		t.Fatalf("no activity table:\n%s", body)
	}
	parts := strings.Split(body, `<tr data-id="`)[1:]
	for i, p := range parts {
		parts[i] = html.UnescapeString(p[:strings.Index(p, "</tr>")])
	}
	return parts
}

// eventColumn returns the Event cell of each row.
func eventColumn(rows []string) []string {
	re := regexp.MustCompile(`</time></td>\s*<td>([^<]*)</td>`)
	var out []string
	for _, r := range rows {
		if m := re.FindStringSubmatch(r); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

func getActivity(t *testing.T, c *testenv.Client, query url.Values) []string {
	t.Helper()
	status, _, body := c.Get(t, "/account/activity?"+query.Encode())
	if status != http.StatusOK {
		t.Fatalf("activity %v: %d\n%s", query, status, body)
	}
	return activityRows(t, body)
}

// activityApp is an account where a few real things have happened: setup,
// an invitation accepted, a failed sign-in, a role change and a sign-in.
func activityApp(t *testing.T, d string) (*testenv.TestApp, *padlock.User, *testenv.Client) {
	t.Helper()
	a := testenv.StartApp(t, d, testenv.Options{})
	admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
	bea := a.AddUser(t, admin, "bea@acme.test", padlock.RoleEditor)
	if status, _, _ := a.NewClient().PostForm(t, "/login", url.Values{"email": {"bea@acme.test"}, "password": {"not-her-password"}}); status != http.StatusUnprocessableEntity && status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", status)
	}
	if err := a.Admin.SetRole(t.Context(), actor(admin), bea.ID, padlock.RoleCreator); err != nil {
		t.Fatal(err)
	}
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	return a, admin, c
}

func TestTheActivityPageListsWhatHappenedNewestFirst(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, _, c := activityApp(t, d)
		rows := getActivity(t, c, nil)
		want := []string{"Signed in", "Role changed", "Sign-in failed", "Invitation accepted", "User invited", "Account created"}
		if got := eventColumn(rows); !slices.Equal(got, want) {
			t.Fatalf("events %q, want %q", got, want)
		}
		role := rows[1]
		for _, s := range []string{"Admin of Acme IT", "admin@acme.test", "User bea@acme.test", "bea@acme.test", "Editor → Creator"} {
			if !strings.Contains(role, s) {
				t.Errorf("the role change row lacks %q:\n%s", s, role)
			}
		}
		if failed := rows[2]; !strings.Contains(failed, "<td>Not signed in<br><small class=\"muted actor-as\">as bea@acme.test</small></td>") || !strings.Contains(failed, "wrong password") {
			t.Errorf("the failed sign-in row does not name its actor as not signed in, as the attempted user:\n%s", failed)
		}
	})
}

func TestTheActivityPageFiltersByCategoryUserAndDate(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, _, c := activityApp(t, d)
		firstDay := a.Clock.Now().UTC().Format("2006-01-02")
		a.Clock.Advance(72 * time.Hour)
		c.SignIn(t, "admin@acme.test", testenv.Password) // the first session has expired
		lastDay := a.Clock.Now().UTC().Format("2006-01-02")
		tests := []struct {
			name  string
			query url.Values
			want  []string
		}{
			{"a category shows only its events", url.Values{"category": {"sign-in"}},
				[]string{"Signed in", "Signed in", "Sign-in failed"}},
			{"a user shows events where they act or are acted on", url.Values{"user": {"BEA@acme.test"}},
				[]string{"Role changed", "Sign-in failed", "Invitation accepted", "User invited"}},
			{"from a day shows that day onwards", url.Values{"from": {lastDay}},
				[]string{"Signed in"}},
			{"to a day shows that whole day and before", url.Values{"to": {firstDay}},
				[]string{"Signed in", "Role changed", "Sign-in failed", "Invitation accepted", "User invited", "Account created"}},
			{"filters combine", url.Values{"category": {"sign-in"}, "user": {"admin@acme.test"}, "from": {firstDay}, "to": {firstDay}},
				[]string{"Signed in"}},
			{"a filter may match nothing", url.Values{"category": {"lockout"}}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := eventColumn(getActivity(t, c, tt.query)); !slices.Equal(got, tt.want) {
					t.Fatalf("events %q, want %q", got, tt.want)
				}
			})
		}
	})
}

func TestTheActivityPagePagesWithOlderLinksThatKeepTheFilter(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, c := activityApp(t, d)
		recordActivity(t, a, admin, 120, padlock.EventSignIn)
		recordActivity(t, a, admin, 30, padlock.EventNameChanged)
		seen := map[string]bool{}
		next, pages := "/account/activity?category=sign-in", 0
		for next != "" {
			pages++
			status, _, body := c.Get(t, next)
			if status != http.StatusOK || pages > 5 {
				t.Fatalf("page %d: %d", pages, status)
			}
			rows := activityRows(t, body)
			if len(rows) > 50 {
				t.Fatalf("page %d has %d rows", pages, len(rows))
			}
			for _, r := range rows {
				id := r[:strings.Index(r, `"`)]
				if seen[id] {
					t.Fatalf("event %s shown twice", id)
				}
				seen[id] = true
				if strings.Contains(r, "Name changed") {
					t.Fatalf("page %d left the category filter behind", pages)
				}
			}
			next = ""
			if m := regexp.MustCompile(`href="([^"]*)" id="older"`).FindStringSubmatch(body); m != nil {
				next = html.UnescapeString(m[1])
				if !strings.Contains(next, "category=sign-in") || !strings.Contains(next, "before=") {
					t.Fatalf("older link %q", next)
				}
			}
		}
		// 120 recorded, the sign-in and the failed sign-in of the set-up.
		if pages != 3 || len(seen) != 122 {
			t.Fatalf("%d pages, %d events", pages, len(seen))
		}
	})
}

// recordActivity writes n events of the kind straight to the audit log.
func recordActivity(t *testing.T, a *testenv.TestApp, u *padlock.User, n int, kind string) {
	t.Helper()
	err := a.DB.InTx(t.Context(), func(tx *store.Queries) error {
		for i := range n {
			e := padlock.Event{AccountID: u.AccountID, ActorID: u.ID, TargetID: u.ID, Kind: kind, Detail: fmt.Sprint("bulk ", i), At: a.Clock.Now()}
			if err := tx.RecordEvent(t.Context(), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func getActivityCSV(t *testing.T, c *testenv.Client, path string) [][]string {
	t.Helper()
	resp, err := c.Client.Get(c.Base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="padlock-activity.csv"` {
		t.Fatalf("csv: %d %q %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body)
	}
	records, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, body)
	}
	want := []string{"time", "event", "actor", "actor_email", "target", "target_email", "detail", "address", "portal"}
	if len(records) == 0 || !slices.Equal(records[0], want) {
		t.Fatalf("csv header: %q", records)
	}
	return records[1:]
}

func TestTheActivityExportHasEveryMatchingEventAndNoFormulas(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, c := activityApp(t, d)
		evil := padlock.Event{AccountID: admin.AccountID, ActorID: admin.ID, Kind: padlock.EventNameChanged,
			Detail: "=cmd|' /C calc'!A0", Address: "@SUM(1+1)", At: a.Clock.Now()}
		if err := a.DB.Conn().RecordEvent(t.Context(), evil); err != nil {
			t.Fatal(err)
		}
		rows := getActivityCSV(t, c, "/account/activity.csv")
		if len(rows) != 7 {
			t.Fatalf("%d rows, want 7: %q", len(rows), rows)
		}
		if r := rows[0]; r[1] != "Name changed" || r[6] != "'=cmd|' /C calc'!A0" || r[7] != "'@SUM(1+1)" || r[2] != "Admin of Acme IT" || r[5] != "" {
			t.Fatalf("the formula row: %q", r)
		}
		if _, err := time.Parse(time.RFC3339, rows[0][0]); err != nil {
			t.Fatalf("time %q: %v", rows[0][0], err)
		}
		role := rows[2]
		if role[1] != "Role changed" || role[3] != "admin@acme.test" || role[4] != "User bea@acme.test" || role[5] != "bea@acme.test" || role[6] != "Editor → Creator" {
			t.Fatalf("the role change row: %q", role)
		}
		if rows := getActivityCSV(t, c, "/account/activity.csv?category=users&user=bea%40acme.test"); len(rows) != 3 {
			t.Fatalf("filtered export has %d rows: %q", len(rows), rows)
		}
		// More than one batch of 1000 comes out whole.
		recordActivity(t, a, admin, 2100, padlock.EventSignIn)
		rows = getActivityCSV(t, c, "/account/activity.csv?category=sign-in")
		if len(rows) != 2102 || rows[0][6] != "bulk 2099" || rows[2099][6] != "bulk 0" {
			t.Fatalf("big export: %d rows", len(rows))
		}
	})
}

func TestOnlyAdministratorsAndManagersSeeTheirOwnAccountsActivity(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, c := activityApp(t, d)
		a.AddUser(t, admin, "max@acme.test", padlock.RoleManager)
		a.AddUser(t, admin, "ed@acme.test", padlock.RoleEditor)
		manager, editor := a.NewClient(), a.NewClient()
		manager.SignIn(t, "max@acme.test", testenv.Password)
		editor.SignIn(t, "ed@acme.test", testenv.Password)
		if rows := getActivity(t, manager, nil); len(rows) == 0 {
			t.Fatal("the manager sees no events")
		}
		for _, path := range []string{"/account/activity", "/account/activity.csv"} {
			if status, _, _ := editor.Get(t, path); status != http.StatusForbidden {
				t.Errorf("an editor got %s: %d", path, status)
			}
		}

		other := a.CreateAccount(t, "Globex", "admin@globex.test")
		a.AddUser(t, other, "hank@globex.test", padlock.RoleEditor)
		secret := padlock.Event{AccountID: other.AccountID, ActorID: other.ID, Kind: padlock.EventRoleChanged, Detail: "globex-secret", At: a.Clock.Now()}
		if err := a.DB.Conn().RecordEvent(t.Context(), secret); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/account/activity", "/account/activity?category=users", "/account/activity.csv"} {
			_, _, body := c.Get(t, path)
			if strings.Contains(body, "globex") {
				t.Errorf("%s shows another account's events:\n%s", path, body)
			}
		}
		// Another account's user is as unknown as no user at all.
		status, _, body := c.Get(t, "/account/activity?user=hank%40globex.test")
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="user-error"`) || strings.Contains(body, "globex-secret") {
			t.Fatalf("filter by another account's user: %d", status)
		}
	})
}

func TestBadActivityFiltersAreRefusedBesideTheirField(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	c := a.NewClient()
	c.SignIn(t, "admin@acme.test", testenv.Password)
	tests := []struct {
		name, query, field string
	}{
		{"an unknown category", "category=everything", "category"},
		{"a malformed from date", "from=31%2F01%2F2025", "from"},
		{"an impossible to date", "to=2025-02-30", "to"},
		{"a range that ends before it starts", "from=2025-02-01&to=2025-01-01", "to"},
		{"a malformed email", "user=not-an-email", "user"},
		{"an email of no user", "user=nobody%40acme.test", "user"},
		{"a non-numeric page key", "before=abc", "before"},
		{"a negative page key", "before=-5", "before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/account/activity?", "/account/activity.csv?"} {
				status, _, body := c.Get(t, path+tt.query)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+tt.field+`-error"`) {
					t.Fatalf("%s%s: %d\n%s", path, tt.query, status, body)
				}
			}
		})
	}
}

// A failed sign-in or a rejected code names no signed-in actor: it reads
// "Not signed in", as the user whose email was typed. The Portal column is
// there only once the account has a portal.
func TestActivityNamesWhoASignInAttemptWasForAndShowsPortalsOnlyWithPortals(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		e := enableMFA(t, a, admin)
		c := a.NewClient()
		passwordStep(t, c, "admin@acme.test")
		if status, _, _ := c.PostForm(t, "/login/mfa", url.Values{"code": {wrongCode(a, e)}}); status == http.StatusSeeOther {
			t.Fatal("a wrong code signed in")
		}
		_, _, page := admin.Get(t, "/account/activity")
		rows := activityRows(t, page)
		if len(rows) == 0 || !strings.Contains(rows[0], "MFA code rejected") {
			t.Fatalf("the newest event is not the rejected code:\n%s", strings.Join(rows, "\n"))
		}
		if !strings.Contains(rows[0], "<td>Not signed in<br><small class=\"muted actor-as\">as admin@acme.test</small></td>") {
			t.Errorf("the rejected code's actor:\n%s", rows[0])
		}
		if strings.Contains(page, `<th scope="col">Portal</th>`) || strings.Contains(page, `class="portal"`) {
			t.Error("the Portal column shows in an account without portals")
		}
		newPortal(t, a, admin, org, false)
		if _, _, page := admin.Get(t, "/account/activity"); !strings.Contains(page, `<th scope="col">Portal</th>`) {
			t.Error("the Portal column is missing in an account with a portal")
		}
	})
}

// wrongCode is a six-digit code the app shows at none of the steps the
// server accepts now.
func wrongCode(a *testenv.TestApp, e enrolled) string {
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if c != e.code(a, -30*time.Second) && c != e.code(a, 0) && c != e.code(a, 30*time.Second) {
			return c
		}
	}
	panic("unreachable")
}
