package store_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// seedUsers gives the account n staff users, acme100001@… onwards, a tenth
// of them without MFA, in two statements.
func seedUsers(tb testing.TB, db *store.DB, accountID int64, prefix string, n int) {
	tb.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Queries) error {
		err := tx.ExecForTest(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $2)
			INSERT INTO users (account_id, email, name, role, status, created_at)
			SELECT $1, CAST($3 AS TEXT) || (100000 + i) || '@example.test', 'User ' || i, 'editor', 'active', 1700000000 FROM seq`,
			accountID, n, prefix)
		if err != nil {
			return err
		}
		return tx.ExecForTest(ctx, `INSERT INTO totp_factors (user_id, secret, last_step, confirmed_at)
			SELECT id, $2, 0, 1700000000 FROM users WHERE account_id = $1 AND portal_id IS NULL AND id % 10 <> 0`, accountID, []byte("x"))
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// analyze gives the planner statistics on the seeded tables.
// twoLargeAccounts makes two accounts of n seeded staff users each (and
// their Administrators), so that a plan test's account shares its tables
// with another as large, and returns the first.
func twoLargeAccounts(tb testing.TB, db *store.DB, n int) int64 {
	tb.Helper()
	acct, _, _ := createAccountWithUsers(tb, db, "Acme", "admin@acme.test", "bea@acme.test")
	other, _, _ := createAccountWithUsers(tb, db, "Globex", "admin@globex.test", "hank@globex.test")
	seedUsers(tb, db, acct, "acme", n)
	seedUsers(tb, db, other, "globex", n)
	return acct
}

func analyze(tb testing.TB, db *store.DB) {
	ctx := context.Background()
	if err := db.InTx(ctx, func(tx *store.Queries) error { return tx.ExecForTest(ctx, `ANALYZE`) }); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkUsersList measures what Account > Users asks of the database per
// page view (the first page, a page deep in the list) and per CSV export, at
// several account sizes. Another account of the same size shares the tables.
// SQLite always; PostgreSQL when PADLOCK_TEST_POSTGRES_URL is set.
func BenchmarkUsersList(b *testing.B) {
	dialects := []store.Dialect{store.SQLite}
	if os.Getenv(testenv.PostgresURLEnv) != "" {
		dialects = append(dialects, store.Postgres)
	}
	for _, d := range dialects {
		for _, n := range []int{1_000, 10_000, 50_000} {
			b.Run(fmt.Sprintf("%s/%d", d, n), func(b *testing.B) {
				db := testenv.OpenDB(b, d)
				acct, _, _ := createAccountWithUsers(b, db, "Acme", "admin@acme.test", "bea@acme.test")
				other, _, _ := createAccountWithUsers(b, db, "Globex", "admin@globex.test", "hank@globex.test")
				seedUsers(b, db, acct, "acme", n)
				seedUsers(b, db, other, "globex", n)
				if d == store.Postgres {
					analyze(b, db) // as autovacuum would have
				}
				b.Run("first-page", func(b *testing.B) { benchPage(b, db, acct, 0, padlock.Requirement{}) })
				b.Run("middle-page", func(b *testing.B) { benchPage(b, db, acct, n/2, padlock.Requirement{}) })
				// Every user without MFA overdue: the count of Overdue
				// reads them all.
				b.Run("first-page-mfa-required", func(b *testing.B) { benchPage(b, db, acct, 0, anyMFA) })
				b.Run("csv", func(b *testing.B) { benchCSV(b, db, acct, n+2) })
			})
		}
	}
}

// benchPage reads what a page view reads: 50 users (and one more, to know
// whether there is a next page) after the skip'th user, and the counts
// under the requirement r, a month after its seeded deadlines. Beside the
// wall time it reports the process's CPU per view (on PostgreSQL the
// server's is not in it).
func benchPage(b *testing.B, db *store.DB, acct int64, skip int, r padlock.Requirement) {
	ctx := context.Background()
	f := store.UserFilter{Limit: usersPerPage + 1}
	if skip > 0 {
		at, err := db.Conn().Users(ctx, acct, store.UserFilter{Offset: skip - 1, Limit: 1})
		if err != nil {
			b.Fatal(err)
		}
		f.After = store.UserKey{Email: at[0].Email, ID: at[0].ID}
	}
	now := time.Unix(deadlineEpoch+30*day, 0)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		users, err := db.Conn().Users(ctx, acct, f)
		if err == nil {
			_, err = db.Conn().CountUsers(ctx, acct, 0, r, now)
		}
		if err != nil || len(users) != usersPerPage+1 {
			b.Fatal(err, len(users))
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCSV streams the whole list as the export does.
func benchCSV(b *testing.B, db *store.DB, acct int64, want int) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		w, n := csv.NewWriter(io.Discard), 0
		err := db.Conn().EachUser(ctx, acct, store.UserFilter{}, func(u *padlock.User) error {
			n++
			return w.Write([]string{u.Name, u.Email, string(u.Role), string(u.Status)})
		}, nil)
		w.Flush()
		if err != nil || n != want {
			b.Fatal(err, n)
		}
	}
}

const usersPerPage = 50
