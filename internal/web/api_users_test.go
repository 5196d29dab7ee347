package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

type apiUserList struct {
	Users []struct {
		ID       int64
		Email    string
		Role     string
		Status   string
		PortalID *int64 `json:"portal_id"`
		MFA      struct {
			Enabled, Required, Overdue bool
			Factors                    []string
			Deadline                   *string
		}
	}
	NextCursor *string `json:"next_cursor"`
}

func (l apiUserList) emails() []string {
	var out []string
	for _, u := range l.Users {
		out = append(out, u.Email)
	}
	return out
}

// listAll follows next_cursor from the first page to the last.
func listAll(t *testing.T, x *apiAccount, path string) []string {
	t.Helper()
	var all []string
	next := path
	for range 100 {
		var l apiUserList
		ans := x.call(t, x.readOnly, "GET", next, "")
		if ans.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", next, ans.status, ans.body)
		}
		ans.json(t, &l)
		all = append(all, l.emails()...)
		if l.NextCursor == nil {
			return all
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next = path + sep + "cursor=" + url.QueryEscape(*l.NextCursor)
	}
	t.Fatal("no last page")
	return nil
}

func TestTheUsersEndpointSaysWhoHasMFAAndPagesByCursor(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		for _, name := range []string{"bea", "cem", "dan", "eva", "fay"} {
			x.a.AddUser(t, admin0, name+"@acme.test", padlock.RoleLite)
		}
		x.a.AddUser(t, admin0, "max@acme.test", padlock.RoleManager)
		if _, err := x.a.Admin.Invite(t.Context(), actor(admin0), 0, []string{"new@acme.test"}, padlock.RoleEditor); err != nil {
			t.Fatal(err)
		}
		requireMFA(t, x.admin, true, "7")

		all := listAll(t, x, "/api/v1/users?limit=2")
		want := []string{"admin@acme.test", "bea@acme.test", "cem@acme.test", "dan@acme.test", "eva@acme.test", "fay@acme.test", "max@acme.test", "new@acme.test"}
		if !slices.Equal(all, want) {
			t.Fatalf("paged by two: %v", all)
		}
		if got := listAll(t, x, "/api/v1/users?mfa=not_set_up&sort=deadline&limit=3"); len(got) != 7 || slices.Contains(got, "admin@acme.test") {
			t.Fatalf("without MFA, by deadline: %v", got)
		}
		for query, want := range map[string][]string{
			"mfa=set_up":                       {"admin@acme.test"},
			"factor=totp":                      {"admin@acme.test"},
			"factor=passkey":                   nil,
			"role=manager":                     {"max@acme.test"},
			"status=invited":                   {"new@acme.test"},
			"mfa=overdue":                      nil,
			"role=lite&mfa=not_set_up&limit=1": {"bea@acme.test", "cem@acme.test", "dan@acme.test", "eva@acme.test", "fay@acme.test"},
		} {
			if got := listAll(t, x, "/api/v1/users?"+query); !slices.Equal(got, want) {
				t.Errorf("?%s: %v, want %v", query, got, want)
			}
		}

		var l apiUserList
		x.call(t, x.readOnly, "GET", "/api/v1/users?limit=500", "").json(t, &l)
		for _, u := range l.Users {
			switch u.Email {
			case "admin@acme.test":
				if !u.MFA.Enabled || !slices.Equal(u.MFA.Factors, []string{"totp"}) || !u.MFA.Required || u.MFA.Deadline != nil || u.PortalID != nil {
					t.Errorf("admin: %+v", u)
				}
			case "bea@acme.test":
				if u.MFA.Enabled || len(u.MFA.Factors) != 0 || !u.MFA.Required || u.MFA.Deadline == nil || u.MFA.Overdue {
					t.Errorf("bea: %+v", u)
				}
			}
		}
		x.a.Clock.Advance(8 * 24 * 60 * 60 * 1e9)
		if got := listAll(t, x, "/api/v1/users?mfa=overdue&sort=deadline"); len(got) != 7 || slices.Contains(got, "admin@acme.test") {
			t.Errorf("overdue after the grace: %v", got)
		}

		var one struct{ User struct{ Email string } }
		bea := userID(t, x.a, "bea@acme.test")
		x.call(t, x.readOnly, "GET", "/api/v1/users/"+itoa(bea), "").json(t, &one)
		if one.User.Email != "bea@acme.test" {
			t.Fatalf("get: %+v", one)
		}
	})
}

func TestResettingMFAByAPIIsTheScreensResetAuditedWithTheKeysName(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		x.a.AddUser(t, adminOf(t, x), "lite@acme.test", padlock.RoleLite)
		lite := x.a.NewClient()
		lite.SignIn(t, "lite@acme.test", testenv.Password)
		enableMFA(t, x.a, lite)
		id := userID(t, x.a, "lite@acme.test")

		ans := x.call(t, x.readWrite, "POST", "/api/v1/users/"+itoa(id)+"/reset-mfa", "")
		var one struct {
			User struct{ MFA struct{ Enabled bool } }
		}
		ans.json(t, &one)
		if ans.status != http.StatusOK || one.User.MFA.Enabled {
			t.Fatalf("reset: %d %s", ans.status, ans.body)
		}
		if status, _, _ := lite.Get(t, "/organizations"); status != http.StatusSeeOther {
			t.Fatalf("the user's session survived the reset: %d", status)
		}
		x.a.SMTP.WaitFor(t, "lite@acme.test", "MFA")
		_, _, activity := x.admin.Get(t, "/account/activity?category=mfa")
		if !strings.Contains(activity, "API key: nightly-report") {
			t.Fatalf("Activity does not name the key:\n%s", between(activity, "<main", "</main>"))
		}
		if ans := x.call(t, x.readWrite, "POST", "/api/v1/users/999999/reset-mfa", ""); ans.status != http.StatusNotFound || ans.errorCode(t) != padlock.ENOTFOUND {
			t.Fatalf("an unknown user: %d", ans.status)
		}
	})
}

// Another account's key, holding another account's ids, reaches nothing
// of this one: every endpoint answers 404 or lists only its own account.
func TestAKeyOfAnotherAccountOpensNothingOfThisOne(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		org, err := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		if err != nil {
			t.Fatal(err)
		}
		portal, err := x.a.Admin.CreatePortal(t.Context(), actor(admin0), admin.PortalInput{OrganizationID: org.ID, Name: "Initech portal", RequireMFA: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.a.Admin.Invite(t.Context(), actor(admin0), portal.ID, []string{"client@initech.test"}, padlock.RoleLite); err != nil {
			t.Fatal(err)
		}
		client := userID(t, x.a, "client@initech.test")
		doc := &padlock.Document{OrganizationID: org.ID, Title: "Network"}
		if err := x.a.Docs.CreateDocument(t.Context(), actor(admin0), doc); err != nil {
			t.Fatal(err)
		}

		x.a.CreateAccount(t, "Beta IT", "admin@beta.test")
		bc := x.a.NewClient()
		bc.SignIn(t, "admin@beta.test", testenv.Password)
		enableMFA(t, x.a, bc)
		beta := createKey(t, bc, "beta-sync", padlock.APIReadWrite, "")

		for _, path := range []string{
			fmt.Sprintf("GET /api/v1/users/%d", admin0.ID),
			fmt.Sprintf("POST /api/v1/users/%d/reset-mfa", admin0.ID),
			fmt.Sprintf("GET /api/v1/portals/%d/users", portal.ID),
			fmt.Sprintf("POST /api/v1/portals/%d/users/%d/reset-mfa", portal.ID, client),
			fmt.Sprintf("GET /api/v1/users/%d", client),
			fmt.Sprintf("PATCH /api/v1/users/%d", admin0.ID),
			fmt.Sprintf("GET /api/v1/portals/%d", portal.ID),
			fmt.Sprintf("PATCH /api/v1/portals/%d", portal.ID),
			fmt.Sprintf("POST /api/v1/portals/%d/users", portal.ID),
			fmt.Sprintf("POST /api/v1/portals/%d/users/%d/resend", portal.ID, client),
			fmt.Sprintf("DELETE /api/v1/portals/%d/users/%d", portal.ID, client),
			fmt.Sprintf("DELETE /api/v1/portals/%d", portal.ID),
			fmt.Sprintf("GET /api/v1/organizations/%d/documents", org.ID),
			fmt.Sprintf("POST /api/v1/organizations/%d/documents", org.ID),
			fmt.Sprintf("GET /api/v1/organizations/%d/documents/%d", org.ID, doc.ID),
			fmt.Sprintf("PATCH /api/v1/organizations/%d/documents/%d", org.ID, doc.ID),
		} {
			method, p, _ := strings.Cut(path, " ")
			body := ""
			switch method {
			case "PATCH":
				body = `{"role": "lite", "require_mfa": false}`
			case "POST":
				body = `{"emails": ["spy@beta.test"], "role": "lite"}`
			}
			if strings.HasPrefix(p, "/api/v1/portals/") && method == "PATCH" {
				body = `{"require_mfa": false}`
			}
			if strings.Contains(p, "/documents") && method != "GET" {
				body = `{"title": "Planted"}`
			}
			if strings.HasSuffix(p, "/resend") || method == "DELETE" {
				body = ""
			}
			if ans := x.call(t, beta, method, p, body); ans.status != http.StatusNotFound {
				t.Errorf("%s with Beta's key: %d %s", path, ans.status, ans.body)
			}
		}
		for _, p := range []string{"/api/v1/users", "/api/v1/portals", "/api/v1/coverage", "/api/v1/me"} {
			if ans := x.call(t, beta, "GET", p, ""); ans.status != http.StatusOK || strings.Contains(ans.body, "acme.test") || strings.Contains(ans.body, "Initech") || strings.Contains(ans.body, "Acme") {
				t.Errorf("GET %s with Beta's key shows Acme: %d %s", p, ans.status, ans.body)
			}
		}
		if !adminHasMFA(t, x) {
			t.Fatal("Beta's key reset Acme's administrator")
		}
		if _, err := x.a.DB.Conn().PortalUser(t.Context(), portal.AccountID, portal.ID, client); err != nil {
			t.Fatalf("Beta's key deleted Acme's portal user: %v", err)
		}
		if d, _ := x.a.DB.Conn().Document(t.Context(), org.AccountID, org.ID, doc.ID); d == nil || d.Title != "Network" {
			t.Fatalf("Beta's key changed Acme's document: %+v", d)
		}
		// And Acme's own key sees its portal user, not Beta's people.
		if got := listAll(t, x, fmt.Sprintf("/api/v1/portals/%d/users", portal.ID)); !slices.Equal(got, []string{"client@initech.test"}) {
			t.Fatalf("Acme's portal users: %v", got)
		}
	})
}

func adminHasMFA(t *testing.T, x *apiAccount) bool {
	t.Helper()
	return adminOf(t, x).HasMFA()
}

func TestTheCoverageAndPortalEndpointsCountEveryList(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		x.a.AddUser(t, admin0, "lite@acme.test", padlock.RoleLite)
		org, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		portal, err := x.a.Admin.CreatePortal(t.Context(), actor(admin0), admin.PortalInput{OrganizationID: org.ID, Name: "Initech portal", RequireMFA: true, GraceDays: 3})
		if err != nil {
			t.Fatal(err)
		}
		x.a.Admin.Invite(t.Context(), actor(admin0), portal.ID, []string{"a@initech.test", "b@initech.test"}, padlock.RoleLite)

		var cov struct {
			Lists []struct {
				Kind       string
				PortalID   *int64 `json:"portal_id"`
				Users      int
				WithMFA    int                         `json:"with_mfa"`
				WithoutMFA int                         `json:"without_mfa"`
				ByFactor   struct{ TOTP, Passkey int } `json:"by_factor"`
				MFA        struct {
					Required  bool
					GraceDays int `json:"grace_days"`
				}
			}
		}
		x.call(t, x.readOnly, "GET", "/api/v1/coverage", "").json(t, &cov)
		if len(cov.Lists) != 2 {
			t.Fatalf("coverage: %+v", cov)
		}
		acct, p := cov.Lists[0], cov.Lists[1]
		if acct.Kind != "account" || acct.Users != 2 || acct.WithMFA != 1 || acct.WithoutMFA != 1 || acct.MFA.Required || acct.ByFactor.TOTP != 1 || acct.ByFactor.Passkey != 0 {
			t.Errorf("the staff: %+v", acct)
		}
		if p.Kind != "portal" || *p.PortalID != portal.ID || p.Users != 2 || p.WithoutMFA != 2 || !p.MFA.Required || p.MFA.GraceDays != 3 {
			t.Errorf("the portal: %+v", p)
		}
		var portals struct {
			Portals []struct {
				ID    int64
				Users int
			}
		}
		x.call(t, x.readOnly, "GET", "/api/v1/portals", "").json(t, &portals)
		if len(portals.Portals) != 1 || portals.Portals[0].ID != portal.ID || portals.Portals[0].Users != 2 {
			t.Errorf("portals: %+v", portals)
		}
		var l apiUserList
		x.call(t, x.readOnly, "GET", fmt.Sprintf("/api/v1/portals/%d/users?mfa=not_set_up", portal.ID), "").json(t, &l)
		if len(l.Users) != 2 || !l.Users[0].MFA.Required || l.Users[0].MFA.Deadline == nil || l.Users[0].PortalID == nil {
			t.Errorf("portal users: %+v", l)
		}
		client := userID(t, x.a, "a@initech.test")
		ans := x.call(t, x.readWrite, "POST", fmt.Sprintf("/api/v1/portals/%d/users/%d/reset-mfa", portal.ID, client), "")
		if ans.status != http.StatusOK {
			t.Errorf("portal user reset: %d %s", ans.status, ans.body)
		}
	})
}

func TestTheAPIRefusesBadInputWithoutA500(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		x.a.AddUser(t, adminOf(t, x), "lite@acme.test", padlock.RoleLite)
		var l apiUserList
		x.call(t, x.readOnly, "GET", "/api/v1/users?limit=1", "").json(t, &l)
		cases := []struct {
			name, method, path string
			status             int
			code               string
		}{
			{"an unknown filter", "GET", "/api/v1/users?mfa_status=none", 422, padlock.EINVALID},
			{"an unknown MFA status", "GET", "/api/v1/users?mfa=maybe", 422, padlock.EINVALID},
			{"an unknown role", "GET", "/api/v1/users?role=owner", 422, padlock.EINVALID},
			{"an unknown status", "GET", "/api/v1/users?role=administrator&status=gone", 422, padlock.EINVALID},
			{"an unknown factor", "GET", "/api/v1/users?factor=sms", 422, padlock.EINVALID},
			{"an unknown sort", "GET", "/api/v1/users?sort=name", 422, padlock.EINVALID},
			{"a huge page", "GET", "/api/v1/users?limit=100000", 422, padlock.EINVALID},
			{"a page of none", "GET", "/api/v1/users?limit=0", 422, padlock.EINVALID},
			{"a page size that is not a number", "GET", "/api/v1/users?limit=ten", 422, padlock.EINVALID},
			{"a query string that is not one", "GET", "/api/v1/users?cursor=%%%", 400, padlock.EBADREQUEST},
			{"a cursor that is not base64", "GET", "/api/v1/users?cursor=***", 422, padlock.EINVALID},
			{"a cursor of garbage", "GET", "/api/v1/users?cursor=bm90IGpzb24", 422, padlock.EINVALID},
			{"a cursor of another order", "GET", "/api/v1/users?sort=deadline&cursor=" + url.QueryEscape(*l.NextCursor), 422, padlock.EINVALID},
			{"an id that is not a number", "GET", "/api/v1/users/abc", 404, padlock.ENOTFOUND},
			{"an id that overflows", "GET", "/api/v1/users/99999999999999999999999", 404, padlock.ENOTFOUND},
			{"a negative id", "POST", "/api/v1/users/-1/reset-mfa", 404, padlock.ENOTFOUND},
			{"an unknown portal", "GET", "/api/v1/portals/424242/users", 404, padlock.ENOTFOUND},
			{"a portal's unknown user", "POST", "/api/v1/portals/424242/users/1/reset-mfa", 404, padlock.ENOTFOUND},
			{"resending to a portal's unknown user", "POST", "/api/v1/portals/424242/users/1/resend", 404, padlock.ENOTFOUND},
			{"deleting a portal user by a name", "DELETE", "/api/v1/portals/424242/users/abc", 404, padlock.ENOTFOUND},
			{"deleting an unknown portal", "DELETE", "/api/v1/portals/424242", 404, padlock.ENOTFOUND},
			{"deleting a portal by a negative id", "DELETE", "/api/v1/portals/-3", 404, padlock.ENOTFOUND},
			{"deleting the portals list", "DELETE", "/api/v1/portals", 405, padlock.EMETHOD},
			{"a method no API path takes", "PUT", "/api/v1/users", 405, padlock.EMETHOD},
			{"a filter on the portals list", "GET", "/api/v1/portals?mfa=set_up", 422, padlock.EINVALID},
			{"a filter on coverage", "GET", "/api/v1/coverage?x=1", 422, padlock.EINVALID},
			{"an unknown endpoint", "GET", "/api/v1/nothing", 404, padlock.ENOTFOUND},
			{"resetting your own MFA", "POST", "/api/v1/users/" + itoa(adminOf(t, x).ID) + "/reset-mfa", 0, ""},
		}
		for _, tc := range cases {
			ans := x.call(t, x.readWrite, tc.method, tc.path, "")
			if tc.status == 0 {
				continue // only checked against the contract and for a 500
			}
			if ans.status != tc.status || ans.errorCode(t) != tc.code {
				t.Errorf("%s: %d %s, want %d %s", tc.name, ans.status, ans.body, tc.status, tc.code)
			}
		}
		if ans := x.call(t, x.readOnly, "GET", "/api/v1/users?cursor=%%%", ""); ans.status == 500 {
			t.Fatal("500")
		}
	})
}
