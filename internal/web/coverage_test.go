package web_test

import (
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// seedList adds n users to the account's staff (portalID 0) or a portal:
// every third has MFA, every seventh is deactivated, every fifth invited,
// the i-th with the deadline deadline(i).
func seedList(t *testing.T, a *testenv.TestApp, accountID, portalID int64, prefix string, n int, deadline func(i int) time.Time) {
	t.Helper()
	ctx := t.Context()
	err := a.DB.InTx(ctx, func(tx *store.Queries) error {
		for i := range n {
			u := &padlock.User{AccountID: accountID, PortalID: portalID, Email: fmt.Sprintf("%s%03d@example.test", prefix, i), Role: padlock.RoleLite,
				Status: padlock.StatusActive, CreatedAt: a.Clock.Now(), MFADeadline: deadline(i)}
			switch {
			case i%7 == 0:
				u.Status = padlock.StatusDeactivated
			case i%5 == 0:
				u.Status = padlock.StatusInvited
			}
			if err := tx.CreateUser(ctx, u, ""); err != nil {
				return err
			}
			if i%3 == 0 {
				if err := tx.ActivateTOTP(ctx, u.ID, []byte("sealed"), 0, a.Clock.Now()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hourly gives the i-th user a deadline i hours after first.
func hourly(first time.Time) func(int) time.Time {
	return func(i int) time.Time { return first.Add(time.Duration(i) * time.Hour) }
}

// fullCount counts a list user by user under its own requirement, as the
// coverage page should.
func fullCount(t *testing.T, a *testenv.TestApp, accountID, portalID int64) (users, withMFA, overdue int) {
	t.Helper()
	all, err := a.DB.Conn().Users(t.Context(), accountID, store.UserFilter{PortalID: portalID})
	if err != nil {
		t.Fatal(err)
	}
	r := listRequirement(t, a, accountID, portalID)
	for _, u := range all {
		if u.Status == padlock.StatusDeactivated {
			continue
		}
		users++
		if u.HasMFA() {
			withMFA++
		}
		if u.MFAOverdue(r, a.Clock.Now()) {
			overdue++
		}
	}
	return users, withMFA, overdue
}

// listRequirement reads the requirement of the account's staff (portal 0)
// or of a portal.
func listRequirement(t *testing.T, a *testenv.TestApp, accountID, portalID int64) padlock.Requirement {
	t.Helper()
	if portalID == 0 {
		acct, err := a.DB.Conn().Account(t.Context(), accountID)
		if err != nil {
			t.Fatal(err)
		}
		return acct.Requirement()
	}
	p, err := a.DB.Conn().Portal(t.Context(), accountID, portalID)
	if err != nil {
		t.Fatal(err)
	}
	return p.Requirement()
}

var coverageRowRe = regexp.MustCompile(`(?s)<tr data-kind="(\w+)">\s*<th scope="row"><a href="[^"]*">([^<]*)</a>.*?<td class="coverage">(.*?)</td>.*?<td class="overdue">(.*?)</td>`)

func TestTheCoveragePageAndItsCSVAgreeWithAFullCount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		enableMFA(t, a, admin)
		acct := org.AccountID
		if status, body := requireMFA(t, admin, true, "2"); status != http.StatusSeeOther {
			t.Fatalf("require MFA: %d\n%.600s", status, body)
		}
		now := a.Clock.Now()
		seedList(t, a, acct, 0, "staff", 40, hourly(now.Add(-10*time.Hour)))

		required := newPortal(t, a, admin, org, true)
		// A name a spreadsheet would run as a formula, and a day of grace.
		required.Name = "=SUM(A1:A9)"
		if status, body := editPortal(t, admin, required, true, "1"); status != http.StatusSeeOther {
			t.Fatalf("edit portal: %d\n%.600s", status, body)
		}
		other := &padlock.Organization{AccountID: acct, Name: "Globex", CreatedAt: now}
		if err := a.DB.Conn().CreateOrganization(t.Context(), other); err != nil {
			t.Fatal(err)
		}
		relaxed := newPortal(t, a, admin, other, false)
		seedList(t, a, acct, required.ID, "req", 30, hourly(now.Add(-3*time.Hour)))
		seedList(t, a, acct, relaxed.ID, "rel", 20, hourly(now.Add(-3*time.Hour)))
		empty := &padlock.Organization{AccountID: acct, Name: "Hooli", CreatedAt: now}
		a.DB.Conn().CreateOrganization(t.Context(), empty)
		newPortal(t, a, admin, empty, false)
		// Another account's users count for nothing here.
		globex := a.CreateAccount(t, "Globex IT", "admin@globex.test")
		seedList(t, a, globex.AccountID, 0, "globex", 25, hourly(now.Add(-10*time.Hour)))

		type want struct{ users, withMFA, overdue int }
		expect := map[string]want{}
		for name, portal := range map[string]int64{"Acme IT": 0, required.Name: required.ID, relaxed.Name: relaxed.ID, "Hooli portal": -1} {
			if portal < 0 {
				expect[name] = want{}
				continue
			}
			u, m, o := fullCount(t, a, acct, portal)
			expect[name] = want{u, m, o}
		}
		if expect["Acme IT"].overdue == 0 || expect[required.Name].overdue == 0 || expect[relaxed.Name].overdue != 0 {
			t.Fatalf("the seed has no overdue users where it should: %+v", expect)
		}

		status, _, page := admin.Get(t, "/account/coverage")
		if status != http.StatusOK {
			t.Fatalf("coverage: %d", status)
		}
		rows := coverageRowRe.FindAllStringSubmatch(page, -1)
		if len(rows) != 4 || rows[0][1] != "account" || rows[0][2] != "Acme IT" {
			t.Fatalf("%d rows, the account's first:\n%s", len(rows), between(page, "<table", "</table>"))
		}
		for _, r := range rows {
			w, ok := expect[htmlText(r[2])]
			if !ok {
				t.Errorf("a row for %q", r[2])
				continue
			}
			text := "No users yet"
			if w.users > 0 {
				text = haveMFAText(w.withMFA, w.users)
			}
			if !strings.Contains(r[3], text) {
				t.Errorf("%s: %q, want %q", r[2], r[3], text)
			}
			overdue := htmlText(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(r[4], ""))
			if wantOverdue := fmt.Sprintf("%d overdue", w.overdue); w.overdue > 0 && overdue != wantOverdue || w.overdue == 0 && overdue != "0" && overdue != "—" {
				t.Errorf("%s: overdue %q, want %d", r[2], overdue, w.overdue)
			}
		}
		if !strings.Contains(page, fmt.Sprintf(`href="/account/portals/%d?mfa=overdue&amp;sort=deadline"`, required.ID)) ||
			!strings.Contains(page, `href="/account/users?mfa=not_set_up"`) {
			t.Error("the coverage page does not link to the filtered lists")
		}

		status, _, body := admin.Get(t, "/account/coverage.csv")
		records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if status != http.StatusOK || err != nil || len(records) != 5 {
			t.Fatalf("coverage CSV: %d, %v\n%s", status, err, body)
		}
		if strings.Join(records[0], ",") != "users_of,name,users,with_mfa,without_mfa,mfa_required,required_since,grace_days,grace_ends,overdue,with_passkey" {
			t.Fatalf("CSV header %v", records[0])
		}
		for _, rec := range records[1:] {
			name := strings.TrimPrefix(rec[1], "'")
			w, ok := expect[name]
			if !ok {
				t.Errorf("a CSV row for %q", rec[1])
				continue
			}
			got := want{atoi(t, rec[2]), atoi(t, rec[3]), atoiOr0(t, rec[9])}
			if got != w || atoi(t, rec[4]) != w.users-w.withMFA {
				t.Errorf("CSV %s: %v, want %+v", name, rec, w)
			}
			if strings.HasPrefix(rec[1], "=") {
				t.Errorf("CSV cell %q would run as a formula", rec[1])
			}
		}
		if acme := records[1]; acme[0] != "account" || acme[5] != "yes" || acme[7] != "2" || acme[8] == "" {
			t.Errorf("the account's CSV row %v", acme)
		}
	})
}

func htmlText(s string) string { return strings.TrimSpace(html.UnescapeString(s)) }

// haveMFAText is "N of M users have MFA" for M > 1.
func haveMFAText(with, total int) string {
	verb := "have"
	if with == 1 {
		verb = "has"
	}
	return fmt.Sprintf("%d of %d users %s MFA", with, total, verb)
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// atoiOr0 reads a count that is empty when it does not apply.
func atoiOr0(t *testing.T, s string) int {
	t.Helper()
	if s == "" {
		return 0
	}
	return atoi(t, s)
}
