package store_test

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// deadlineEpoch is the first deadline the seeded users get; they share 37
// deadlines an hour apart, so many tie and the id decides.
const deadlineEpoch = 1_700_000_000

// withDeadlines gives the account's staff deadlines with ties, and
// deactivates one in eleven.
func withDeadlines(t *testing.T, db *store.DB, acct int64) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Queries) error {
		return tx.ExecForTest(ctx, `UPDATE users SET mfa_deadline = $2 + (id % 37) * 3600,
			status = CASE WHEN id % 11 = 0 THEN 'deactivated' ELSE status END WHERE account_id = $1`, acct, deadlineEpoch)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// anyMFA is a requirement of any MFA, turned on before every seeded
// deadline.
var anyMFA = padlock.Requirement{RequiredAt: time.Unix(deadlineEpoch-24*3600, 0), GraceDays: 1}

// byDeadline orders users as the deadline sort does.
func byDeadline(a, b *padlock.User) int {
	return cmp.Or(a.MFADeadline.Compare(b.MFADeadline), cmp.Compare(a.ID, b.ID))
}

func idsOf(users []*padlock.User) []int64 {
	out := make([]int64, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func TestPagingByDeadlineVisitsEveryUserOnceInOrder(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db)
		withDeadlines(t, db, acct)
		now := time.Unix(deadlineEpoch+12*3600, 0)
		for _, mfa := range []store.MFAFilter{store.MFAAny, store.MFANotSet, store.MFAOverdue} {
			all, err := db.Conn().Users(ctx, acct, store.UserFilter{MFA: mfa, Requirement: anyMFA, Now: now})
			if err != nil || len(all) == 0 {
				t.Fatalf("%q: %d users, %v", mfa, len(all), err)
			}
			slices.SortFunc(all, byDeadline)
			want := idsOf(all)

			var forward []*padlock.User
			f := store.UserFilter{MFA: mfa, Requirement: anyMFA, Now: now, Sort: store.SortDeadline, Limit: 50}
			for {
				page, err := db.Conn().Users(ctx, acct, f)
				if err != nil {
					t.Fatal(err)
				}
				forward = append(forward, page...)
				if len(page) < 50 {
					break
				}
				f.After = store.SortDeadline.KeyOf(page[len(page)-1])
			}
			if got := idsOf(forward); !slices.Equal(got, want) {
				t.Fatalf("%q: paging forward by deadline visited %d users, want the %d in order", mfa, len(got), len(want))
			}

			var backward []*padlock.User
			f = store.UserFilter{MFA: mfa, Requirement: anyMFA, Now: now, Sort: store.SortDeadline, Limit: 50, Before: store.UserKey{Deadline: 1 << 40, ID: 1 << 62}}
			for {
				page, err := db.Conn().Users(ctx, acct, f)
				if err != nil || len(page) == 0 {
					t.Fatal(err, "empty page")
				}
				backward = append(page, backward...)
				if len(page) < 50 {
					break
				}
				f.Before = store.SortDeadline.KeyOf(page[0])
			}
			if got := idsOf(backward); !slices.Equal(got, want) {
				t.Fatalf("%q: paging backward by deadline visited %d users, want the %d in order", mfa, len(got), len(want))
			}
		}
	})
}

func TestTheOverdueFilterAndCountAgreeWithTheFullList(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db)
		withDeadlines(t, db, acct)
		for _, now := range []time.Time{time.Unix(deadlineEpoch-1, 0), time.Unix(deadlineEpoch, 0), time.Unix(deadlineEpoch+20*3600+1, 0), time.Unix(deadlineEpoch+40*3600, 0)} {
			all, _ := db.Conn().Users(ctx, acct, store.UserFilter{})
			var want []int64
			for _, u := range all {
				if u.MFAOverdue(anyMFA, now) {
					want = append(want, u.ID)
				}
			}
			var got []int64
			err := db.Conn().EachUser(ctx, acct, store.UserFilter{MFA: store.MFAOverdue, Requirement: anyMFA, Now: now, Sort: store.SortDeadline}, func(u *padlock.User) error {
				got = append(got, u.ID)
				return nil
			}, nil)
			slices.Sort(got)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("at %v: overdue %d users, want %d (%v)", now.Unix()-deadlineEpoch, len(got), len(want), err)
			}
			c, err := db.Conn().CountUsers(ctx, acct, 0, anyMFA, now)
			if err != nil || c.Overdue != len(want) || c.Matching(store.MFAOverdue) != len(want) {
				t.Fatalf("at %v: counted %d overdue, want %d (%v)", now.Unix()-deadlineEpoch, c.Overdue, len(want), err)
			}
		}
	})
}

func TestCoverageCountsEveryListOfTheAccountAndNoOther(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db)
		withDeadlines(t, db, acct)
		portal := portalWithSeededUsers(t, db, acct, 40)
		now := time.Unix(deadlineEpoch+10*3600, 0)
		got, err := db.Conn().Coverage(ctx, acct, now)
		if err != nil {
			t.Fatal(err)
		}
		pr, err := db.Conn().Portal(ctx, acct, portal)
		if err != nil {
			t.Fatal(err)
		}
		for p, r := range map[int64]padlock.Requirement{0: {}, portal: pr.Requirement()} {
			want, err := db.Conn().CountUsers(ctx, acct, p, r, now)
			if err != nil || got[p] != want {
				t.Errorf("portal %d: coverage %+v, the list counts %+v (%v)", p, got[p], want, err)
			}
		}
		if len(got) != 2 {
			t.Errorf("coverage of %d lists, want the staff and one portal: %+v", len(got), got)
		}
	})
}

// portalWithSeededUsers gives the account a portal with n users, every
// third with MFA, and returns the portal's id.
func portalWithSeededUsers(t testing.TB, db *store.DB, acct int64, n int) int64 {
	t.Helper()
	ctx := context.Background()
	org := &padlock.Organization{AccountID: acct, Name: "Initech", CreatedAt: time.Now()}
	p := &padlock.Portal{AccountID: acct, Name: "Initech portal", MFARequiredAt: time.Unix(deadlineEpoch, 0), MFAGraceDays: 1, CreatedAt: time.Now()}
	err := db.InTx(ctx, func(tx *store.Queries) error {
		if err := tx.CreateOrganization(ctx, org); err != nil {
			return err
		}
		p.OrganizationID = org.ID
		if err := tx.CreatePortal(ctx, p); err != nil {
			return err
		}
		err := tx.ExecForTest(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $3)
			INSERT INTO users (account_id, portal_id, email, role, status, created_at, mfa_deadline)
			SELECT $1, $2, 'client' || i || '@initech.test', 'lite', 'active', 1700000000, $4 + i * 1800 FROM seq`, acct, p.ID, n, deadlineEpoch)
		if err != nil {
			return err
		}
		return tx.ExecForTest(ctx, `INSERT INTO totp_factors (user_id, secret, last_step, confirmed_at)
			SELECT id, $2, 0, 1700000000 FROM users WHERE portal_id = $1 AND id % 3 = 0`, p.ID, []byte("x"))
	})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// The deadline order is read from users_deadline_idx in the index's order:
// no sort step, so a page reads about 50 index entries (and the factors of
// the users it skips) whatever the account's size. Checked with each
// database's own plan.
func TestTheDeadlineOrderIsReadFromItsIndex(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		// Large enough that reading the whole account and sorting it costs
		// more than reading a page from the index: the planner's choice on
		// a few hundred rows would say nothing.
		acct := twoLargeAccounts(t, db, 20_000)
		withDeadlines(t, db, acct)
		portal := portalWithSeededUsers(t, db, acct, 2_000)
		analyze(t, db)
		now := time.Unix(deadlineEpoch+12*3600, 0)
		for name, f := range map[string]store.UserFilter{
			"first page":                    {Sort: store.SortDeadline, Limit: 51},
			"next page":                     {Sort: store.SortDeadline, Limit: 51, After: store.UserKey{Deadline: deadlineEpoch + 3600, ID: 500}},
			"previous page":                 {Sort: store.SortDeadline, Limit: 51, Before: store.UserKey{Deadline: deadlineEpoch + 3600, ID: 500}},
			"overdue, next page":            {MFA: store.MFAOverdue, Requirement: anyMFA, Now: now, Sort: store.SortDeadline, Limit: 51, After: store.UserKey{Deadline: deadlineEpoch, ID: 500}},
			"overdue at the strict level":   {MFA: store.MFAOverdue, Requirement: strictMFA, Now: now.Add(30 * 24 * time.Hour), Sort: store.SortDeadline, Limit: 51},
			"a portal's users, by deadline": {PortalID: portal, MFA: store.MFANotSet, Sort: store.SortDeadline, Limit: 51},
		} {
			plan := explain(t, db, f, acct)
			if !strings.Contains(plan, "users_deadline_idx") {
				t.Errorf("%s: the plan does not read users_deadline_idx:\n%s", name, plan)
			}
			if sorts(db, plan) {
				t.Errorf("%s: the plan sorts the rows it read:\n%s", name, plan)
			}
		}
	})
}

// explain returns the database's plan for the list query of f.
func explain(t *testing.T, db *store.DB, f store.UserFilter, acct int64) string {
	t.Helper()
	query, args := store.UserListQueryForTest(f, acct)
	return planOf(t, db, query, args)
}

// sorts tells whether a plan sorts rows itself rather than reading them in
// an index's order.
func sorts(db *store.DB, plan string) bool {
	if db.Dialect() == store.SQLite {
		return strings.Contains(plan, "TEMP B-TREE")
	}
	for _, line := range strings.Split(plan, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " ->"), "Sort ") || strings.Contains(line, "Incremental Sort") {
			return true
		}
	}
	return false
}
