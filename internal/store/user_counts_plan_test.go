package store_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A users list's counts and MFA coverage read the kept counts and, for
// Overdue, only the index entries of users without MFA (or with only an
// app) up to the cut-off: no plan reads users by any other index or scans
// the table. Checked with each database's own plan, on an account large
// enough that a scan would be the planner's choice if it had no better.
func TestCountingUsersReadsOnlyTheUsersWithoutMFA(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		acct := twoLargeAccounts(t, db, 10_000)
		withDeadlines(t, db, acct)
		portal := portalWithSeededUsers(t, db, acct, 2_000)
		analyze(t, db)
		now := time.Unix(deadlineEpoch+12*3600, 0)
		later := now.Add(30 * 24 * time.Hour)
		for name, q := range map[string]func() (string, []any){
			"the staff, MFA required, in its grace": func() (string, []any) {
				return store.CountUsersQueryForTest(acct, 0, padlock.Requirement{RequiredAt: now, GraceDays: 30}, now)
			},
			"the staff, MFA required, its grace over": func() (string, []any) { return store.CountUsersQueryForTest(acct, 0, anyMFA, now) },
			"the staff, phishing-resistant MFA required": func() (string, []any) {
				return store.CountUsersQueryForTest(acct, 0, strictMFA, later)
			},
			"a portal's users, phishing-resistant MFA required": func() (string, []any) {
				return store.CountUsersQueryForTest(acct, portal, strictMFA, later)
			},
			"MFA coverage of every list": func() (string, []any) { return store.CoverageQueryForTest(acct, later) },
		} {
			query, args := q()
			plan := planOf(t, db, query, args)
			if scansUsers(db, plan) {
				t.Errorf("%s: the plan scans users:\n%s", name, plan)
			}
			// A plan for the arguments given may leave out a part that
			// does not apply to them.
			read := usersIndexesIn(plan)
			if len(read) == 0 || slices.ContainsFunc(read, func(name string) bool { return name != "users_app_only_idx" && name != "users_without_mfa_idx" }) {
				t.Errorf("%s: the plan reads users by %v, want only the indexes of users without MFA or with only an app:\n%s", name, read, plan)
			}
		}
	})
}

// planOf returns the database's plan for a query.
func planOf(t *testing.T, db *store.DB, query string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN "
	if db.Dialect() == store.SQLite {
		prefix = "EXPLAIN QUERY PLAN "
	}
	plan, err := db.Conn().PlanForTest(context.Background(), prefix+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// scansUsers tells whether a plan reads the users table whole.
func scansUsers(db *store.DB, plan string) bool {
	if db.Dialect() == store.SQLite {
		return regexp.MustCompile(`SCAN (u|users)\b`).MatchString(plan)
	}
	return strings.Contains(plan, "Seq Scan on users")
}

var usersIndex = regexp.MustCompile(`\busers_[a-z_]*(idx|pkey|key)\b`)

// usersIndexesIn lists the indexes of users a plan names, once each.
func usersIndexesIn(plan string) []string {
	names := usersIndex.FindAllString(plan, -1)
	slices.Sort(names)
	return slices.Compact(names)
}
