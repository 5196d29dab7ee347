package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A key has no MFA of its own, so it cannot be the one who turns the
// requirement on (the screen refuses an Administrator without MFA the
// same way); what it may change, it changes through the same service.
func TestAKeyCannotTurnOnRequireMFAButMayChangeTheRest(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		ans := x.call(t, x.readWrite, "PATCH", "/api/v1/settings", `{"require_mfa": true}`)
		if ans.status != http.StatusForbidden || ans.errorCode(t) != padlock.EKEYNOMFA || !strings.Contains(ans.body, `"field":"require_mfa"`) {
			t.Fatalf("a key turning the requirement on: %d %s", ans.status, ans.body)
		}
		var got struct {
			Settings struct {
				MFA struct {
					Required  bool
					GraceDays int `json:"grace_days"`
				}
				SessionIdleMinutes int `json:"session_idle_minutes"`
			}
		}
		x.call(t, x.readOnly, "GET", "/api/v1/settings", "").json(t, &got)
		if got.Settings.MFA.Required {
			t.Fatal("the requirement was turned on by a key")
		}
		requireMFA(t, x.admin, true, "7") // an Administrator with MFA may
		ans = x.call(t, x.readWrite, "PATCH", "/api/v1/settings", `{"require_mfa": true, "grace_days": 3, "session_idle_minutes": 60}`)
		ans.json(t, &got)
		if ans.status != http.StatusOK || !got.Settings.MFA.Required || got.Settings.MFA.GraceDays != 3 || got.Settings.SessionIdleMinutes != 60 {
			t.Fatalf("a key keeping it on, with a shorter grace: %d %s", ans.status, ans.body)
		}
		events, _ := x.a.DB.Conn().Activity(t.Context(), adminOf(t, x).AccountID, store.ActivityFilter{Kinds: []string{padlock.EventMFAGraceChanged}})
		if len(events) != 1 || events[0].ActorLabel != "API key: nightly-report" {
			t.Fatalf("the grace change is not audited with the key's name: %+v", events)
		}
		if ans := x.call(t, x.readWrite, "PATCH", "/api/v1/settings", `{"grace_days": 91}`); ans.status != http.StatusUnprocessableEntity || !strings.Contains(ans.body, `"field":"grace_days"`) {
			t.Fatalf("a grace beyond 90 days: %d %s", ans.status, ans.body)
		}
	})
}

func TestAPIBodiesMustBeTheDocumentedJSON(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		lite := x.a.AddUser(t, adminOf(t, x), "lite@acme.test", padlock.RoleLite)
		user := "/api/v1/users/" + itoa(lite.ID)
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
			field                    string
		}{
			{"an unknown field", "PATCH", "/api/v1/settings", `{"require_mfa": false, "mfa_level": "high"}`, 422, "mfa_level"},
			{"a string for a boolean", "PATCH", "/api/v1/settings", `{"require_mfa": "yes"}`, 422, "require_mfa"},
			{"a number too large for its field", "PATCH", "/api/v1/settings", `{"grace_days": 1e30}`, 422, "grace_days"},
			{"a fraction for whole days", "PATCH", "/api/v1/settings", `{"grace_days": 1.5}`, 422, "grace_days"},
			{"malformed JSON", "PATCH", "/api/v1/settings", `{"grace_days": `, 400, ""},
			{"an array for the object", "PATCH", "/api/v1/settings", `[1, 2]`, 400, ""},
			{"two objects", "PATCH", "/api/v1/settings", `{} {}`, 400, ""},
			{"an empty change", "PATCH", user, `{}`, 422, ""},
			{"an unknown role", "PATCH", user, `{"role": "owner"}`, 422, "role"},
			{"an unknown status", "PATCH", user, `{"status": "invited"}`, 422, "status"},
			{"a number for a role", "PATCH", user, `{"role": 3}`, 422, "role"},
			{"an invitation without addresses", "POST", "/api/v1/users", `{"emails": [], "role": "lite"}`, 422, "emails"},
			{"an invitation to a bad address", "POST", "/api/v1/users", `{"emails": ["not an address"], "role": "lite"}`, 422, "emails"},
			{"an invitation with a string for the list", "POST", "/api/v1/users", `{"emails": "a@b.test", "role": "lite"}`, 422, "emails"},
			{"an invitation with an unknown role", "POST", "/api/v1/users", `{"emails": ["a@b.test"], "role": "owner"}`, 422, "role"},
		} {
			ans := x.call(t, x.readWrite, tc.method, tc.path, tc.body)
			code := padlock.EINVALID
			if tc.status == 400 {
				code = padlock.EBADREQUEST
			}
			if ans.status != tc.status || ans.errorCode(t) != code || tc.field != "" && !strings.Contains(ans.body, `"field":"`+tc.field+`"`) {
				t.Errorf("%s: %d %s", tc.name, ans.status, ans.body)
			}
		}
		req, _ := http.NewRequest("PATCH", x.a.URL+"/api/v1/settings", strings.NewReader(`{"grace_days": 1}`))
		req.Header.Set("X-Api-Key", x.readWrite)
		req.Header.Set("Content-Type", "text/plain")
		if ans := doAPI(t, req); ans.status != http.StatusBadRequest {
			t.Errorf("a body that is not JSON by its type: %d", ans.status)
		}
	})
}

func TestAKeyManagesUsersThroughTheScreensRules(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		lite := x.a.AddUser(t, adminOf(t, x), "lite@acme.test", padlock.RoleLite)
		session := x.a.NewClient()
		session.SignIn(t, "lite@acme.test", testenv.Password)
		path := "/api/v1/users/" + itoa(lite.ID)

		var one struct{ User struct{ Role, Status string } }
		ans := x.call(t, x.readWrite, "PATCH", path, `{"role": "editor"}`)
		ans.json(t, &one)
		if ans.status != http.StatusOK || one.User.Role != "editor" {
			t.Fatalf("role: %d %s", ans.status, ans.body)
		}
		ans = x.call(t, x.readWrite, "PATCH", path, `{"status": "deactivated"}`)
		ans.json(t, &one)
		if ans.status != http.StatusOK || one.User.Status != "deactivated" {
			t.Fatalf("deactivate: %d %s", ans.status, ans.body)
		}
		if status, _, _ := session.Get(t, "/organizations"); status != http.StatusSeeOther {
			t.Fatalf("the deactivated user's session survived: %d", status)
		}
		if ans := x.call(t, x.readWrite, "PATCH", path, `{"status": "active"}`); ans.status != http.StatusOK || !strings.Contains(ans.body, `"status":"active"`) {
			t.Fatalf("reactivate: %d %s", ans.status, ans.body)
		}
		admin := "/api/v1/users/" + itoa(adminOf(t, x).ID)
		if ans := x.call(t, x.readWrite, "PATCH", admin, `{"role": "lite"}`); ans.status != http.StatusConflict {
			t.Fatalf("demoting the last Administrator: %d %s", ans.status, ans.body)
		}
		if ans := x.call(t, x.readWrite, "POST", "/api/v1/users", `{"emails": ["new@acme.test"], "role": "creator"}`); ans.status != http.StatusAccepted || !strings.Contains(ans.body, `"invited":1`) {
			t.Fatalf("invite: %d %s", ans.status, ans.body)
		}
		x.a.SMTP.WaitFor(t, "new@acme.test", "invit")
		events, _ := x.a.DB.Conn().Activity(t.Context(), lite.AccountID, store.ActivityFilter{Kinds: padlock.KindsOf("users")})
		for _, e := range events {
			if e.Kind != padlock.EventAccountCreated && e.Kind != padlock.EventInviteAccepted && e.ActorID == 0 && e.ActorLabel != "API key: nightly-report" {
				t.Errorf("%s not audited with the key's name: %+v", e.Kind, e)
			}
		}
		if ans := x.call(t, x.readOnly, "PATCH", path, `{"role": "lite"}`); ans.status != http.StatusForbidden || ans.errorCode(t) != padlock.EREADONLYKEY {
			t.Fatalf("a read-only key: %d", ans.status)
		}
	})
}

// The activity feed reads forward from a cursor: a SIEM polling with the
// last cursor gets each event once, in order, and the key's own changes
// name it as the actor.
func TestTheActivityFeedPicksUpWhereItLeftOff(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		type page struct {
			Events []struct {
				ID          int64
				Kind, Actor string
			}
			NextCursor string `json:"next_cursor"`
			More       bool
		}
		var seen []int64
		cursor := ""
		read := func(t *testing.T, query string) page {
			t.Helper()
			var p page
			ans := x.call(t, x.readOnly, "GET", "/api/v1/activity?limit=2"+query+"&cursor="+cursor, "")
			if ans.status != http.StatusOK {
				t.Fatalf("%d %s", ans.status, ans.body)
			}
			ans.json(t, &p)
			for _, e := range p.Events {
				seen = append(seen, e.ID)
			}
			cursor = p.NextCursor
			return p
		}
		for p := read(t, ""); p.More; p = read(t, "") {
		}
		before := len(seen)
		if before < 4 {
			t.Fatalf("the events so far: %v", seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] <= seen[i-1] {
				t.Fatalf("not oldest first, or repeated: %v", seen)
			}
		}
		if p := read(t, ""); len(p.Events) != 0 || p.More {
			t.Fatalf("nothing new, but: %+v", p)
		}
		x.a.AddUser(t, adminOf(t, x), "lite@acme.test", padlock.RoleLite)
		x.call(t, x.readWrite, "PATCH", "/api/v1/users/"+itoa(userID(t, x.a, "lite@acme.test")), `{"role": "editor"}`)
		var kinds, actors []string
		for p := read(t, "&category=users"); ; p = read(t, "&category=users") {
			for _, e := range p.Events {
				kinds, actors = append(kinds, e.Kind), append(actors, e.Actor)
			}
			if !p.More {
				break
			}
		}
		if strings.Join(kinds, " ") != "user_invited invitation_accepted role_changed" || actors[2] != "API key: nightly-report" {
			t.Fatalf("the new user events: %v by %v", kinds, actors)
		}
		for name, q := range map[string]string{"an unknown category": "?category=nope", "a day that is not one": "?from=yesterday", "a bad cursor": "?cursor=!!"} {
			if ans := x.call(t, x.readOnly, "GET", "/api/v1/activity"+q, ""); ans.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", name, ans.status)
			}
		}
	})
}

// A portal's requirement asks nothing of the caller's own MFA, so a key may
// turn it on: the portal's users get their deadline and the notice, as
// from the Edit page.
func TestAKeyRequiresMFAForAPortalAndInvitesItsUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		org, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		var p struct {
			Portal struct {
				ID  int64
				MFA struct {
					Required  bool
					GraceDays int `json:"grace_days"`
				}
			}
		}
		portal, err := x.a.Admin.CreatePortal(t.Context(), actor(admin0), adminPortalInput(org.ID))
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/portals/" + itoa(portal.ID)
		ans := x.call(t, x.readWrite, "POST", path+"/users", `{"emails": ["a@initech.test", "b@initech.test"], "role": "lite"}`)
		if ans.status != http.StatusAccepted || !strings.Contains(ans.body, `"invited":2`) {
			t.Fatalf("invite: %d %s", ans.status, ans.body)
		}
		if ans := x.call(t, x.readWrite, "POST", path+"/users", `{"emails": ["c@initech.test"], "role": "manager"}`); ans.status != http.StatusUnprocessableEntity {
			t.Fatalf("a staff role in a portal: %d %s", ans.status, ans.body)
		}
		ans = x.call(t, x.readWrite, "PATCH", path, `{"require_mfa": true, "grace_days": 5}`)
		ans.json(t, &p)
		if ans.status != http.StatusOK || !p.Portal.MFA.Required || p.Portal.MFA.GraceDays != 5 {
			t.Fatalf("require MFA for the portal: %d %s", ans.status, ans.body)
		}
		var l apiUserList
		x.call(t, x.readOnly, "GET", path+"/users?mfa=not_set_up", "").json(t, &l)
		if len(l.Users) != 2 || l.Users[0].MFA.Deadline == nil || !l.Users[0].MFA.Required {
			t.Fatalf("the portal's users: %+v", l)
		}
		for name, body := range map[string]string{
			"an unknown field": `{"require": true}`,
			"a long grace":     `{"grace_days": 400}`,
			"an empty name":    `{"name": " "}`,
		} {
			if ans := x.call(t, x.readWrite, "PATCH", path, body); ans.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, ans.status, ans.body)
			}
		}
		x.call(t, x.readOnly, "GET", path, "").json(t, &p)
		if p.Portal.MFA.GraceDays != 5 {
			t.Fatalf("a refused change was saved: %+v", p)
		}
	})
}

// A script can onboard a client: add the organization and open its portal
// requiring MFA, each audited with the key's name; another account's
// organizations stay out of reach.
func TestAKeyAddsAnOrganizationAndOpensItsPortal(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		var one struct {
			Organization struct {
				ID   int64
				Name string
			}
		}
		ans := x.call(t, x.readWrite, "POST", "/api/v1/organizations", `{"name": "Initech"}`)
		ans.json(t, &one)
		if ans.status != http.StatusCreated || one.Organization.Name != "Initech" {
			t.Fatalf("create: %d %s", ans.status, ans.body)
		}
		x.call(t, x.readWrite, "POST", "/api/v1/organizations", `{"name": "Globex"}`)
		var page struct {
			Organizations []struct{ Name string }
			NextCursor    *string `json:"next_cursor"`
		}
		x.call(t, x.readOnly, "GET", "/api/v1/organizations?limit=1", "").json(t, &page)
		if len(page.Organizations) != 1 || page.Organizations[0].Name != "Globex" || page.NextCursor == nil {
			t.Fatalf("first page: %+v", page)
		}
		x.call(t, x.readOnly, "GET", "/api/v1/organizations?limit=1&cursor="+*page.NextCursor, "").json(t, &page)
		if len(page.Organizations) != 1 || page.Organizations[0].Name != "Initech" || page.NextCursor != nil {
			t.Fatalf("second page: %+v", page)
		}
		org := itoa(one.Organization.ID)
		ans = x.call(t, x.readWrite, "POST", "/api/v1/portals", `{"organization_id": `+org+`, "name": "Initech portal", "require_mfa": true, "grace_days": 7}`)
		if ans.status != http.StatusCreated || !strings.Contains(ans.body, `"required":true`) {
			t.Fatalf("open the portal: %d %s", ans.status, ans.body)
		}
		if ans := x.call(t, x.readWrite, "POST", "/api/v1/portals", `{"organization_id": `+org+`, "name": "Second portal"}`); ans.status != http.StatusConflict {
			t.Fatalf("a second portal for the organization: %d %s", ans.status, ans.body)
		}
		events, _ := x.a.DB.Conn().Activity(t.Context(), adminOf(t, x).AccountID, store.ActivityFilter{Kinds: []string{padlock.EventOrganizationCreated, padlock.EventPortalCreated}})
		if len(events) != 3 {
			t.Fatalf("events: %+v", events)
		}
		for _, e := range events {
			if e.ActorLabel != "API key: nightly-report" {
				t.Errorf("%s not audited with the key's name: %+v", e.Kind, e)
			}
		}

		x.a.CreateAccount(t, "Beta IT", "admin@beta.test")
		bc := x.a.NewClient()
		bc.SignIn(t, "admin@beta.test", testenv.Password)
		enableMFA(t, x.a, bc)
		beta := createKey(t, bc, "beta-sync", padlock.APIReadWrite, "")
		if ans := x.call(t, beta, "GET", "/api/v1/organizations/"+org, ""); ans.status != http.StatusNotFound {
			t.Errorf("another account's organization: %d", ans.status)
		}
		if ans := x.call(t, beta, "POST", "/api/v1/portals", `{"organization_id": `+org+`, "name": "Spy portal"}`); ans.status != http.StatusUnprocessableEntity || !strings.Contains(ans.body, `"field":"organization_id"`) {
			t.Errorf("a portal for another account's organization: %d %s", ans.status, ans.body)
		}
		if ans := x.call(t, beta, "GET", "/api/v1/organizations", ""); strings.Contains(ans.body, "Initech") {
			t.Errorf("another account's organizations listed: %s", ans.body)
		}
		for name, body := range map[string]string{"an empty name": `{"name": ""}`, "a name of markup": `{"name": "<b>x</b>\u0000"}`, "a number for a name": `{"name": 5}`} {
			if ans := x.call(t, x.readWrite, "POST", "/api/v1/organizations", body); ans.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, ans.status, ans.body)
			}
		}
	})
}

func TestAKeyChangesAPortalUsersRoleAndAccess(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		org, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		portal, err := x.a.Admin.CreatePortal(t.Context(), actor(admin0), adminPortalInput(org.ID))
		if err != nil {
			t.Fatal(err)
		}
		x.a.Admin.Invite(t.Context(), actor(admin0), portal.ID, []string{"client@initech.test"}, padlock.RoleLite)
		path := "/api/v1/portals/" + itoa(portal.ID) + "/users/" + itoa(userID(t, x.a, "client@initech.test"))
		var one struct{ User struct{ Role, Status string } }
		ans := x.call(t, x.readWrite, "PATCH", path, `{"role": "editor", "status": "deactivated"}`)
		ans.json(t, &one)
		if ans.status != http.StatusOK || one.User.Role != "editor" || one.User.Status != "deactivated" {
			t.Fatalf("change: %d %s", ans.status, ans.body)
		}
		x.call(t, x.readOnly, "GET", path, "").json(t, &one)
		if one.User.Role != "editor" {
			t.Fatalf("get: %+v", one)
		}
		for name, body := range map[string]string{"a staff role": `{"role": "manager"}`, "an unknown status": `{"status": "gone"}`, "nothing": `{}`} {
			if ans := x.call(t, x.readWrite, "PATCH", path, body); ans.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %s", name, ans.status, ans.body)
			}
		}
		staff := "/api/v1/portals/" + itoa(portal.ID) + "/users/" + itoa(admin0.ID)
		if ans := x.call(t, x.readWrite, "PATCH", staff, `{"role": "lite"}`); ans.status != http.StatusNotFound {
			t.Errorf("a member of the staff as a portal user: %d", ans.status)
		}
	})
}

// A requirement's level is kept when a change leaves it out: a key that
// shortens the grace of a portal requiring phishing-resistant MFA does not
// lower it. A key may raise a portal's level (it asks nothing of the
// caller) but not the account's, which it has no passkey to meet.
func TestAKeyKeepsARequirementsLevelItWasNotAskedToChange(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		org, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		portal, err := x.a.Admin.CreatePortal(t.Context(), actor(admin0), adminPortalInput(org.ID))
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/portals/" + itoa(portal.ID)
		var p struct {
			Portal struct {
				MFA struct {
					Required  bool
					Level     string
					GraceDays int `json:"grace_days"`
				}
			}
		}
		ans := x.call(t, x.readWrite, "PATCH", path, `{"require_mfa": true, "mfa_level": "phishing_resistant", "grace_days": 7}`)
		if ans.json(t, &p); ans.status != http.StatusOK || p.Portal.MFA.Level != padlock.MFALevelPhishingResistant {
			t.Fatalf("a key raising a portal's level: %d %s", ans.status, ans.body)
		}
		ans = x.call(t, x.readWrite, "PATCH", path, `{"grace_days": 3}`)
		if ans.json(t, &p); ans.status != http.StatusOK || p.Portal.MFA.Level != padlock.MFALevelPhishingResistant || p.Portal.MFA.GraceDays != 3 {
			t.Fatalf("a shorter grace lowered the level or was not kept: %d %s", ans.status, ans.body)
		}
		if ans := x.call(t, x.readWrite, "PATCH", path, `{"mfa_level": "strongest"}`); ans.status != http.StatusUnprocessableEntity || !strings.Contains(ans.body, `"field":"mfa_level"`) {
			t.Fatalf("an unknown level: %d %s", ans.status, ans.body)
		}

		requireMFA(t, x.admin, true, "7")
		ans = x.call(t, x.readWrite, "PATCH", "/api/v1/settings", `{"mfa_level": "phishing_resistant"}`)
		if ans.status != http.StatusForbidden || ans.errorCode(t) != padlock.EKEYNOMFA {
			t.Fatalf("a key raising the account's level: %d %s", ans.status, ans.body)
		}
		var s struct {
			Settings struct{ MFA struct{ Level string } }
		}
		if x.call(t, x.readOnly, "GET", "/api/v1/settings", "").json(t, &s); s.Settings.MFA.Level != padlock.MFALevelAny {
			t.Fatalf("the account's level after the refusal: %q", s.Settings.MFA.Level)
		}
	})
}

// A key has no MFA of its own, so it may only tighten, as a Manager may:
// turning a requirement off, lowering its level or lengthening its grace
// (the account's or a portal's) is left to an Administrator who signed in.
func TestAKeyMayNotLoosenARequirement(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		requireMFA(t, x.admin, true, "7")
		for _, body := range []string{`{"require_mfa": false}`, `{"grace_days": 30}`} {
			if ans := x.call(t, x.readWrite, "PATCH", "/api/v1/settings", body); ans.status != http.StatusForbidden {
				t.Errorf("a key loosening the account with %s: %d %s", body, ans.status, ans.body)
			}
		}
		var s struct {
			Settings struct{ MFA struct{ Required bool } }
		}
		if x.call(t, x.readOnly, "GET", "/api/v1/settings", "").json(t, &s); !s.Settings.MFA.Required {
			t.Fatal("a key turned the account's requirement off")
		}

		admin0 := adminOf(t, x)
		org, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		portal, err := x.a.Admin.CreatePortal(t.Context(), actor(admin0), admin.PortalInput{OrganizationID: org.ID, Name: "Client portal", RequireMFA: true, PhishingResistant: true, GraceDays: 7})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/portals/" + itoa(portal.ID)
		for _, body := range []string{`{"require_mfa": false}`, `{"mfa_level": "any"}`, `{"grace_days": 30}`} {
			if ans := x.call(t, x.readWrite, "PATCH", path, body); ans.status != http.StatusForbidden {
				t.Errorf("a key loosening the portal with %s: %d %s", body, ans.status, ans.body)
			}
		}
		var p struct {
			Portal struct{ MFA struct{ Level string } }
		}
		if x.call(t, x.readOnly, "GET", path, "").json(t, &p); p.Portal.MFA.Level != padlock.MFALevelPhishingResistant {
			t.Fatalf("the portal's level after the refusals: %q", p.Portal.MFA.Level)
		}
	})
}
