package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// "MFA not set up" in the email order reads only the users without a
// factor, from their own index in the list's order: no sort, and no factor
// table read whole (PostgreSQL hashed every account's app factors for it,
// so the filter on a small account cost as much as the installation). Both
// accounts hold 20,000 users, nine in ten with an app.
func TestTheNotSetUpFilterReadsOnlyTheUsersWithoutMFA(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := twoLargeAccounts(t, db, 20_000)
		err := db.InTx(ctx, func(tx *store.Queries) error {
			return tx.ExecForTest(ctx, `INSERT INTO totp_factors (user_id, secret, last_step, confirmed_at)
				SELECT id, $1, 0, 1700000000 FROM users WHERE id % 10 <> 0 AND id NOT IN (SELECT user_id FROM totp_factors)`, []byte("x"))
		})
		if err != nil {
			t.Fatal(err)
		}
		analyze(t, db)
		for name, f := range map[string]store.UserFilter{
			"first page": {MFA: store.MFANotSet, Limit: 51},
			"next page":  {MFA: store.MFANotSet, Limit: 51, After: store.UserKey{Email: "acme110000@example.test", ID: 10_000}},
		} {
			plan := explain(t, db, f, acct)
			if !strings.Contains(plan, "users_without_mfa_list_idx") || sorts(db, plan) {
				t.Errorf("%s: the plan does not read users_without_mfa_list_idx in its order:\n%s", name, plan)
			}
			for _, line := range strings.Split(plan, "\n") {
				step := strings.TrimLeft(line, " ->|`")
				for _, whole := range []string{"Seq Scan on users", "Seq Scan on totp_factors", "SCAN users", "SCAN f"} {
					if step == whole || strings.HasPrefix(step, whole+" ") {
						t.Errorf("%s: the plan reads users or the app factors whole:\n%s", name, plan)
					}
				}
			}
		}
		users, err := db.Conn().Users(ctx, acct, store.UserFilter{MFA: store.MFANotSet})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if u.HasMFA() {
				t.Fatalf("%s has MFA, and is listed as without", u.Email)
			}
		}
		if len(users) < 1_900 || len(users) > 2_100 {
			t.Errorf("%d users without MFA listed, want about 2,000 of 20,002", len(users))
		}
	})
}
