package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// largeAccount is an account of 1,236 staff users beside another account.
func largeAccount(t *testing.T, db *store.DB) int64 {
	t.Helper()
	acct, _, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
	other, _, _ := createAccountWithUsers(t, db, "Globex", "admin@globex.test", "hank@globex.test")
	seedUsers(t, db, acct, "acme", 1234)
	seedUsers(t, db, other, "globex", 300)
	return acct
}

func emailsOf(users []*padlock.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Email
	}
	return out
}

func TestPagingByKeyVisitsEveryUserOnceInOrder(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db)
		all, err := db.Conn().Users(ctx, acct, store.UserFilter{})
		if err != nil || len(all) != 1236 {
			t.Fatalf("%d users, %v", len(all), err)
		}
		want := emailsOf(all)
		if !slices.IsSorted(want) {
			t.Fatal("the list is not in email order")
		}
		var forward []*padlock.User
		f := store.UserFilter{Limit: 50}
		for {
			page, err := db.Conn().Users(ctx, acct, f)
			if err != nil {
				t.Fatal(err)
			}
			forward = append(forward, page...)
			if len(page) < 50 {
				break
			}
			last := page[len(page)-1]
			f.After = store.UserKey{Email: last.Email, ID: last.ID}
		}
		if got := emailsOf(forward); !slices.Equal(got, want) {
			t.Fatalf("paging forward visited %d users, want the %d in order", len(got), len(want))
		}
		var backward []*padlock.User
		f = store.UserFilter{Limit: 50, Before: store.UserKey{Email: "zzz", ID: 1 << 62}}
		for {
			page, err := db.Conn().Users(ctx, acct, f)
			if err != nil || len(page) == 0 {
				t.Fatal(err, "empty page")
			}
			if !slices.IsSorted(emailsOf(page)) {
				t.Fatal("a page read backwards is not in the list's order")
			}
			backward = append(page, backward...)
			if len(page) < 50 {
				break
			}
			f.Before = store.UserKey{Email: page[0].Email, ID: page[0].ID}
		}
		if got := emailsOf(backward); !slices.Equal(got, want) {
			t.Fatalf("paging backward visited %d users, want the %d in order", len(got), len(want))
		}
	})
}

func TestEachUserStreamsEveryMatchingUserAcrossBatches(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db)
		for _, tc := range []struct {
			mfa  store.MFAFilter
			want int
		}{{store.MFAAny, 1236}, {store.MFASetUp, 1113}, {store.MFANotSet, 123}} {
			var got []string
			err := db.Conn().EachUser(ctx, acct, store.UserFilter{MFA: tc.mfa, Limit: 1000}, func(u *padlock.User) error {
				if u.AccountID != acct || (tc.mfa == store.MFASetUp) != u.HasMFA() && tc.mfa != store.MFAAny {
					t.Fatalf("%s listed %+v", tc.mfa, u)
				}
				got = append(got, u.Email)
				return nil
			}, nil)
			if err != nil || len(got) != tc.want || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("filter %q: %d users (want %d), %v", tc.mfa, len(got), tc.want, err)
			}
		}
	})
}

func TestUserCountsAgreeWithTheFullList(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db)
		err := db.InTx(ctx, func(tx *store.Queries) error {
			return tx.ExecForTest(ctx, `UPDATE users SET status = 'deactivated' WHERE account_id = $1 AND id % 7 = 0`, acct)
		})
		if err != nil {
			t.Fatal(err)
		}
		all, _ := db.Conn().Users(ctx, acct, store.UserFilter{})
		var want store.UserCounts
		for _, u := range all {
			want.All++
			current := u.Status != padlock.StatusDeactivated
			if current {
				want.Current++
			}
			if u.HasMFA() {
				want.WithMFA++
				if current {
					want.CurrentWithMFA++
				}
			}
		}
		got, err := db.Conn().CountUsers(ctx, acct, 0, padlock.Requirement{}, time.Time{})
		if err != nil || got != want {
			t.Fatalf("counts %+v, want %+v (%v)", got, want, err)
		}
		if got.Matching(store.MFANotSet) != want.All-want.WithMFA {
			t.Fatal("the not-set-up count")
		}
	})
}
