package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A key works on the authority of the Administrator who made it: demoting
// or deactivating them suspends their keys at the next request (403
// api_key_suspended), the list says so, and the change is audited key by
// key; promoting or reactivating them lets the keys work again. Other
// Administrators' keys are untouched.
func TestAKeyIsSuspendedWhileItsMakerIsNoActiveAdministrator(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		ann := x.a.AddUser(t, adminOf(t, x), "ann@acme.test", padlock.RoleAdministrator)
		annClient := x.a.NewClient()
		annClient.SignIn(t, "ann@acme.test", testenv.Password)
		enableMFA(t, x.a, annClient)
		annKey := createKey(t, annClient, "ann-sync", padlock.APIReadWrite, "")
		works := func(t *testing.T, when string, want bool) {
			t.Helper()
			ans := x.call(t, annKey, "GET", "/api/v1/me", "")
			switch {
			case want && ans.status != http.StatusOK:
				t.Fatalf("%s: ann's key: %d %s", when, ans.status, ans.body)
			case !want && (ans.status != http.StatusForbidden || ans.errorCode(t) != padlock.EKEYSUSPENDED):
				t.Fatalf("%s: ann's key: %d %s, want 403 %s", when, ans.status, ans.body, padlock.EKEYSUSPENDED)
			}
			if ans := x.call(t, x.readOnly, "GET", "/api/v1/me", ""); ans.status != http.StatusOK {
				t.Fatalf("%s: another Administrator's key: %d", when, ans.status)
			}
		}
		works(t, "made", true)

		role := "/account/users/" + itoa(ann.ID) + "/role"
		post(t, x.admin, role, url.Values{"role": {"manager"}}, http.StatusSeeOther)
		works(t, "maker demoted to Manager", false)
		if ans := x.call(t, annKey, "PATCH", "/api/v1/users/"+itoa(ann.ID), `{"role": "administrator"}`); ans.status != http.StatusForbidden {
			t.Fatalf("a suspended key promoting its own maker: %d %s", ans.status, ans.body)
		}
		_, _, list := x.admin.Get(t, "/account/api-keys")
		row := between(list, "<td>ann-sync</td>", "</tr>")
		if !strings.Contains(row, "Suspended") || !strings.Contains(row, "its maker is not an active Administrator") || !strings.Contains(row, "/revoke") {
			t.Fatalf("the list's row of the suspended key:\n%s", row)
		}
		if row := between(list, "<td>nightly-report</td>", "</tr>"); !strings.Contains(row, "Active") {
			t.Fatalf("the other Administrator's key:\n%s", row)
		}

		post(t, x.admin, role, url.Values{"role": {"administrator"}}, http.StatusSeeOther)
		works(t, "maker an Administrator again", true)

		// Through the API too, by another Administrator's key.
		user := "/api/v1/users/" + itoa(ann.ID)
		if ans := x.call(t, x.readWrite, "PATCH", user, `{"status": "deactivated"}`); ans.status != http.StatusOK {
			t.Fatalf("deactivate: %d %s", ans.status, ans.body)
		}
		works(t, "maker deactivated", false)
		if ans := x.call(t, x.readWrite, "PATCH", user, `{"status": "active"}`); ans.status != http.StatusOK {
			t.Fatalf("reactivate: %d %s", ans.status, ans.body)
		}
		works(t, "maker reactivated", true)

		events, _ := x.a.DB.Conn().Activity(t.Context(), ann.AccountID, store.ActivityFilter{Kinds: []string{padlock.EventAPIKeySuspended, padlock.EventAPIKeyResumed}})
		var got []string
		for i := len(events) - 1; i >= 0; i-- { // oldest first
			e := events[i]
			by := e.ActorEmail
			if e.ActorLabel != "" {
				by = e.ActorLabel
			}
			if e.TargetID != ann.ID || !strings.HasPrefix(e.Detail, "ann-sync: ") {
				t.Errorf("event about the wrong user or key: %+v", e)
			}
			got = append(got, e.Kind+" by "+by)
		}
		want := "api_key_suspended by admin@acme.test, api_key_resumed by admin@acme.test, " +
			"api_key_suspended by API key: nightly-report, api_key_resumed by API key: nightly-report"
		if strings.Join(got, ", ") != want {
			t.Fatalf("audit:\n  %s\nwant\n  %s", strings.Join(got, ", "), want)
		}
		// A change that leaves the maker an active Administrator records
		// nothing about keys (a second reactivation changes nothing).
		x.call(t, x.readWrite, "PATCH", user, `{"status": "active"}`)
		if again, _ := x.a.DB.Conn().Activity(t.Context(), ann.AccountID, store.ActivityFilter{Kinds: padlock.KindsOf("api-keys")}); len(again) != len(events)+3 {
			t.Fatalf("%d api-keys events, want the 3 creations and the %d above", len(again), len(events))
		}
	})
}

// Demoting a key's maker on one node suspends the key on the other at its
// next request: nothing about keys or their makers is cached.
func TestAKeyIsSuspendedOnEveryNodeAtOnceWhenItsMakerIsDemoted(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t, "postgres")
	smtp, clock := testenv.StartSMTP(t), testenv.NewClock()
	one := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	two := testenv.StartApp(t, "postgres", testenv.Options{DatabaseURL: dbURL, SMTP: smtp, Clock: clock})
	admin0 := one.CreateAccount(t, "Acme IT", "admin@acme.test")
	ann := one.AddUser(t, admin0, "ann@acme.test", padlock.RoleAdministrator)
	c := one.NewClient()
	c.SignIn(t, "ann@acme.test", testenv.Password)
	enableMFA(t, one, c)
	key := createKey(t, c, "ann-sync", padlock.APIRead, "")
	if ans := callAPI(t, two.URL, key, "GET", "/api/v1/users", ""); ans.status != http.StatusOK {
		t.Fatalf("node two before: %d %s", ans.status, ans.body)
	}
	if err := one.Admin.SetRole(t.Context(), actor(admin0), ann.ID, padlock.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if ans := callAPI(t, two.URL, key, "GET", "/api/v1/users", ""); ans.status != http.StatusForbidden || ans.errorCode(t) != padlock.EKEYSUSPENDED {
		t.Fatalf("node two after the maker was demoted on node one: %d %s", ans.status, ans.body)
	}
	if err := one.Admin.SetRole(t.Context(), actor(admin0), ann.ID, padlock.RoleAdministrator); err != nil {
		t.Fatal(err)
	}
	if ans := callAPI(t, two.URL, key, "GET", "/api/v1/users", ""); ans.status != http.StatusOK {
		t.Fatalf("node two after the maker was promoted again on node one: %d %s", ans.status, ans.body)
	}
}
