package store_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// EachUser reads every user of the list with the same fields as the list
// itself, their oldest passkey included, both while the installation holds
// few passkeys (read once, up front) and beyond that (read with each row);
// a portal's users apart from the staff; batches of the size asked, each
// followed by batchDone.
func TestEachUserReadsEveryUserAsTheListDoes(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct := largeAccount(t, db) // 1,236 staff, and another account
		portal := portalWithSeededUsers(t, db, acct, 40)
		all, err := db.Conn().Users(ctx, acct, store.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		// A passkey for one staff user in 4, and an older second one for
		// one in 8; one for each third user of the portal.
		var keys []*padlock.Passkey
		for i, u := range all {
			if i%4 == 1 {
				keys = append(keys, passkeyOf(u.ID, 1700000500+int64(i)))
			}
			if i%8 == 1 {
				keys = append(keys, passkeyOf(u.ID, 1700000100+int64(i)))
			}
		}
		clients, _ := db.Conn().Users(ctx, acct, store.UserFilter{PortalID: portal})
		for i, u := range clients {
			if i%3 == 0 {
				keys = append(keys, passkeyOf(u.ID, 1700000900))
			}
		}
		addPasskeys(t, db, keys)
		if len(keys) > store.FewPasskeysForTest {
			t.Fatalf("%d passkeys: the first case needs few", len(keys))
		}
		checkEachUser(t, db, acct, 0, "few passkeys")
		checkEachUser(t, db, acct, portal, "few passkeys, a portal")

		// Beyond the threshold: a passkey for every other staff user.
		keys = keys[:0]
		for i, u := range all {
			if i%2 == 0 {
				keys = append(keys, passkeyOf(u.ID, 1700000300+int64(i)))
			}
		}
		addPasskeys(t, db, keys)
		checkEachUser(t, db, acct, 0, "many passkeys")
		checkEachUser(t, db, acct, portal, "many passkeys, a portal")
	})
}

// checkEachUser compares EachUser's users with the list's, field by field.
func checkEachUser(t *testing.T, db *store.DB, acct, portal int64, name string) {
	t.Helper()
	ctx := context.Background()
	want, err := db.Conn().Users(ctx, acct, store.UserFilter{PortalID: portal})
	if err != nil {
		t.Fatal(err)
	}
	var got []padlock.User
	batches, passkeys := 0, 0
	err = db.Conn().EachUser(ctx, acct, store.UserFilter{PortalID: portal, Limit: 500}, func(u *padlock.User) error {
		got = append(got, *u)
		if u.HasPasskey() {
			passkeys++
		}
		return nil
	}, func() error { batches++; return nil })
	if err != nil || len(got) != len(want) || batches != (len(want)+499)/500 || passkeys == 0 {
		t.Fatalf("%s: %d users in %d batches, %d with a passkey (want %d users), %v", name, len(got), batches, passkeys, len(want), err)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], *want[i]) {
			t.Fatalf("%s: user %d is\n%+v\nin the list\n%+v", name, i, got[i], *want[i])
		}
	}
}

func passkeyOf(user, at int64) *padlock.Passkey {
	id := strconv.FormatInt(user, 10) + "-" + strconv.FormatInt(at, 10)
	return &padlock.Passkey{UserID: user, CredentialID: []byte("credential-" + id), PublicKey: []byte("key"), AAGUID: make([]byte, 16),
		Name: "Key " + id, CreatedAt: time.Unix(at, 0)}
}

func addPasskeys(t *testing.T, db *store.DB, keys []*padlock.Passkey) {
	t.Helper()
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Queries) error {
		for _, k := range keys {
			if err := tx.AddPasskey(ctx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A batch of the export is a range of users_list_idx read in the index's
// order, and while the installation holds few passkeys it reads no
// passkey per user: PostgreSQL answered that subquery by scanning the
// small passkeys table again for every user. Checked with each database's
// own plan, on an account large enough for the planner to mean it.
func TestAnExportBatchIsARangeOfTheListsIndex(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		acct := twoLargeAccounts(t, db, 20_000)
		some, _ := db.Conn().Users(context.Background(), acct, store.UserFilter{Limit: 3})
		addPasskeys(t, db, []*padlock.Passkey{passkeyOf(some[0].ID, 1700000000), passkeyOf(some[2].ID, 1700000000)})
		analyze(t, db)
		for name, f := range map[string]store.UserFilter{
			"the first batch": {},
			"a next batch":    {After: store.UserKey{Email: "acme110000@example.test", ID: 10_000}},
		} {
			plan := exportBatchPlan(t, db, f, acct)
			if !strings.Contains(plan, "users_list_idx") || sorts(db, plan) {
				t.Errorf("%s: the plan does not read users_list_idx in its order:\n%s", name, plan)
			}
			if f.After.ID != 0 && db.Dialect() == store.Postgres && !strings.Contains(plan, "ROW(email, id) >") {
				t.Errorf("%s: the key is not a condition of the index scan:\n%s", name, plan)
			}
			if strings.Contains(plan, "webauthn_credentials") {
				t.Errorf("%s: the plan reads the passkeys per user:\n%s", name, plan)
			}
		}
	})
}

// exportBatchPlan returns the database's plan for a batch of the export
// of f whose passkeys were read beforehand.
func exportBatchPlan(t *testing.T, db *store.DB, f store.UserFilter, acct int64) string {
	t.Helper()
	query, args := store.UserBatchQueryForTest(f, acct)
	return planOf(t, db, query, args)
}
