package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// activityFixture is two accounts, each with an admin and a member, and a
// few days of events in both.
type activityFixture struct {
	acctA, acctB   int64
	adminA, userA  *padlock.User
	adminB         *padlock.User
	day0           time.Time // midnight UTC of the first day
	newestFirstIDs []int64   // account A's events, newest first
}

func newActivityFixture(t *testing.T, db *store.DB) *activityFixture {
	t.Helper()
	ctx := context.Background()
	f := &activityFixture{day0: time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)}
	conn := db.Conn()
	f.acctA, f.adminA, f.userA = createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
	var other *padlock.User
	f.acctB, f.adminB, other = createAccountWithUsers(t, db, "Globex", "admin@globex.test", "hank@globex.test")
	at := func(day int, hour int) time.Time {
		return f.day0.AddDate(0, 0, day).Add(time.Duration(hour) * time.Hour)
	}
	events := []padlock.Event{
		{AccountID: f.acctA, ActorID: f.adminA.ID, TargetID: f.adminA.ID, Kind: padlock.EventAccountCreated, At: at(0, 0)},
		{AccountID: f.acctA, ActorID: f.adminA.ID, TargetID: f.userA.ID, Kind: padlock.EventInvited, At: at(0, 9)},
		{AccountID: f.acctA, ActorID: 0, TargetID: f.userA.ID, Kind: padlock.EventSignInFailed, Detail: "wrong password", Address: "192.0.2.1", At: at(1, 23)},
		{AccountID: f.acctA, ActorID: f.userA.ID, TargetID: f.userA.ID, Kind: padlock.EventSignIn, At: at(2, 0)},
		{AccountID: f.acctA, ActorID: f.adminA.ID, TargetID: f.userA.ID, Kind: padlock.EventRoleChanged, At: at(2, 12)},
		{AccountID: f.acctA, ActorID: 0, TargetID: f.userA.ID, Kind: padlock.EventUnlock, Address: "command line", At: at(3, 1)},
		{AccountID: f.acctA, ActorID: f.adminA.ID, TargetID: f.adminA.ID, Kind: padlock.EventSignIn, At: at(3, 2)},
	}
	for _, e := range events {
		if err := conn.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		// Account B is as busy, at the same times, with the same kinds.
		b := padlock.Event{AccountID: f.acctB, ActorID: f.adminB.ID, TargetID: other.ID, Kind: e.Kind, Detail: "globex", At: e.At}
		if err := conn.RecordEvent(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	all, err := conn.Activity(ctx, f.acctA, store.ActivityFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(events) {
		t.Fatalf("account A has %d events, want %d", len(all), len(events))
	}
	for _, e := range all {
		f.newestFirstIDs = append(f.newestFirstIDs, e.ID)
	}
	return f
}

func createAccountWithUsers(t testing.TB, db *store.DB, name string, emails ...string) (int64, *padlock.User, *padlock.User) {
	t.Helper()
	ctx := context.Background()
	a := &padlock.Account{Name: name, SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour, CreatedAt: time.Now()}
	var users []*padlock.User
	err := db.InTx(ctx, func(tx *store.Queries) error {
		if err := tx.CreateAccount(ctx, a); err != nil {
			return err
		}
		for i, email := range emails {
			role := padlock.RoleEditor
			if i == 0 {
				role = padlock.RoleAdministrator
			}
			u := &padlock.User{AccountID: a.ID, Email: email, Name: "Name of " + email, Role: role, Status: padlock.StatusActive, CreatedAt: time.Now()}
			if err := tx.CreateUser(ctx, u, "x"); err != nil {
				return err
			}
			users = append(users, u)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a.ID, users[0], users[1]
}

func kindsOf(entries []store.ActivityEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Kind)
	}
	return out
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestActivityFiltersAnAccountsEventsNewestFirst(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newActivityFixture(t, db)
		day := func(n int) time.Time { return f.day0.AddDate(0, 0, n) }
		tests := []struct {
			name   string
			filter store.ActivityFilter
			want   []string
		}{
			{"no filter lists every event, newest first", store.ActivityFilter{},
				[]string{"sign_in", "unlock", "role_changed", "sign_in", "sign_in_failed", "user_invited", "account_created"}},
			{"a category's kinds select only those kinds", store.ActivityFilter{Kinds: padlock.KindsOf("sign-in")},
				[]string{"sign_in", "unlock", "sign_in", "sign_in_failed"}},
			{"a single kind works as an IN list of one", store.ActivityFilter{Kinds: []string{padlock.EventRoleChanged}},
				[]string{"role_changed"}},
			{"a user matches as actor or as target", store.ActivityFilter{UserID: f.adminA.ID},
				[]string{"sign_in", "role_changed", "user_invited", "account_created"}},
			{"user and kinds combine", store.ActivityFilter{UserID: f.adminA.ID, Kinds: padlock.KindsOf("sign-in")},
				[]string{"sign_in"}},
			{"from includes the whole first day", store.ActivityFilter{From: day(2)},
				[]string{"sign_in", "unlock", "role_changed", "sign_in"}},
			{"to includes the whole last day", store.ActivityFilter{To: day(1)},
				[]string{"sign_in_failed", "user_invited", "account_created"}},
			{"a one-day range", store.ActivityFilter{From: day(2), To: day(2).Add(15 * time.Hour)},
				[]string{"role_changed", "sign_in"}},
			{"a day without events is empty", store.ActivityFilter{From: day(9), To: day(9)}, nil},
			{"a user of another account matches nothing", store.ActivityFilter{UserID: f.adminB.ID}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := db.Conn().Activity(t.Context(), f.acctA, tt.filter)
				if err != nil {
					t.Fatal(err)
				}
				if !sameStrings(kindsOf(got), tt.want) {
					t.Fatalf("got %v, want %v", kindsOf(got), tt.want)
				}
				for _, e := range got {
					if e.AccountID != f.acctA || e.Detail == "globex" {
						t.Fatalf("an event of another account: %+v", e)
					}
				}
			})
		}
	})
}

func TestActivityNamesActorAndTarget(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newActivityFixture(t, db)
		ctx := t.Context()
		got, err := db.Conn().Activity(ctx, f.acctA, store.ActivityFilter{Kinds: []string{padlock.EventRoleChanged, padlock.EventUnlock}})
		if err != nil {
			t.Fatal(err)
		}
		unlock, role := got[0], got[1]
		if unlock.ActorID != 0 || unlock.ActorName != "" || unlock.ActorEmail != "" || unlock.TargetEmail != "bea@acme.test" {
			t.Errorf("unlock from the command line: %+v", unlock)
		}
		if role.ActorEmail != "admin@acme.test" || role.ActorName != "Name of admin@acme.test" ||
			role.TargetEmail != "bea@acme.test" || role.TargetName != "Name of bea@acme.test" {
			t.Errorf("role change: %+v", role)
		}
		// An event naming a user of another account does not reveal them.
		err = db.Conn().RecordEvent(ctx, padlock.Event{AccountID: f.acctA, ActorID: f.adminB.ID, TargetID: 999999, Kind: padlock.EventSignOut, At: f.day0})
		if err != nil {
			t.Fatal(err)
		}
		got, err = db.Conn().Activity(ctx, f.acctA, store.ActivityFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if e := got[0]; e.Kind != padlock.EventSignOut || e.ActorEmail != "" || e.TargetEmail != "" {
			t.Errorf("foreign or missing users were named: %+v", e)
		}
	})
}

func TestActivityPagesByKey(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newActivityFixture(t, db)
		var seen []int64
		filter := store.ActivityFilter{Limit: 3}
		for page := 0; ; page++ {
			got, err := db.Conn().Activity(t.Context(), f.acctA, filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) > 3 || page > 3 {
				t.Fatalf("page %d has %d events", page, len(got))
			}
			for _, e := range got {
				seen = append(seen, e.ID)
			}
			if len(got) < filter.Limit {
				break
			}
			filter.BeforeID = got[len(got)-1].ID
		}
		if len(seen) != len(f.newestFirstIDs) {
			t.Fatalf("paging saw %v, want %v", seen, f.newestFirstIDs)
		}
		for i := range seen {
			if seen[i] != f.newestFirstIDs[i] {
				t.Fatalf("paging saw %v, want %v", seen, f.newestFirstIDs)
			}
		}
		// Paging composes with the other filters.
		got, err := db.Conn().Activity(t.Context(), f.acctA, store.ActivityFilter{Kinds: padlock.KindsOf("sign-in"), BeforeID: f.newestFirstIDs[1], Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"sign_in", "sign_in_failed"}; !sameStrings(kindsOf(got), want) {
			t.Fatalf("second page of sign-ins: %v, want %v", kindsOf(got), want)
		}
	})
}

func TestActivityNeverShowsAnotherAccountsEvents(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newActivityFixture(t, db)
		ctx := t.Context()
		// An event without an account (the operator's) belongs to no one.
		if err := db.Conn().RecordEvent(ctx, padlock.Event{Kind: padlock.EventUnlock, Detail: "globex", At: f.day0}); err != nil {
			t.Fatal(err)
		}
		filters := []store.ActivityFilter{
			{},
			{Kinds: padlock.KindsOf("users")},
			{BeforeID: 1 << 40},
			{From: f.day0, To: f.day0.AddDate(0, 0, 5), Limit: 100},
		}
		for _, filter := range filters {
			got, err := db.Conn().Activity(ctx, f.acctA, filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatalf("%+v: no events", filter)
			}
			for _, e := range got {
				if e.AccountID != f.acctA || e.Detail == "globex" {
					t.Fatalf("%+v: an event of another account: %+v", filter, e)
				}
			}
		}
		got, err := db.Conn().Activity(ctx, f.acctB, store.ActivityFilter{UserID: f.userA.ID})
		if err != nil || len(got) != 0 {
			t.Fatalf("account B sees account A's user's events: %v %v", got, err)
		}
	})
}
