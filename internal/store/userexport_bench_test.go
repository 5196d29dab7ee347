package store_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// BenchmarkUsersCSVWithPasskeys streams a 50,000-user list as the export
// does (BenchmarkUsersList's csv) while the installation holds passkeys:
// 100 of them (few: the export reads them up front), then 5,100 (about
// one user in ten: each is read with its row).
//
//	go test -run '^$' -bench UsersCSVWithPasskeys -benchtime 5x ./internal/store/
func BenchmarkUsersCSVWithPasskeys(b *testing.B) {
	dialects := []store.Dialect{store.SQLite}
	if os.Getenv(testenv.PostgresURLEnv) != "" {
		dialects = append(dialects, store.Postgres)
	}
	const n = 50_000
	for _, d := range dialects {
		b.Run(string(d), func(b *testing.B) {
			db := testenv.OpenDB(b, d)
			acct, _, _ := createAccountWithUsers(b, db, "Acme", "admin@acme.test", "bea@acme.test")
			other, _, _ := createAccountWithUsers(b, db, "Globex", "admin@globex.test", "hank@globex.test")
			seedUsers(b, db, acct, "acme", n)
			seedUsers(b, db, other, "globex", n)
			users, err := db.Conn().Users(context.Background(), acct, store.UserFilter{})
			if err != nil {
				b.Fatal(err)
			}
			added := 0
			for _, total := range []int{100, 5_100} {
				var keys []*padlock.Passkey
				for ; added < total; added++ {
					keys = append(keys, passkeyOf(users[added*7919%len(users)].ID, 1700000000+int64(added))) // spread over the list
				}
				addPasskeysB(b, db, keys)
				if d == store.Postgres {
					analyze(b, db) // as autovacuum would have
				}
				b.Run(fmt.Sprintf("%d-passkeys", total), func(b *testing.B) { benchCSVPasskeys(b, db, acct, n+2) })
			}
		})
	}
}

// benchCSVPasskeys streams the whole list as the export does, and checks
// that some users have a passkey.
func benchCSVPasskeys(b *testing.B, db *store.DB, acct int64, want int) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		w, rows, withKey := csv.NewWriter(io.Discard), 0, 0
		err := db.Conn().EachUser(ctx, acct, store.UserFilter{}, func(u *padlock.User) error {
			rows++
			if u.HasPasskey() {
				withKey++
			}
			return w.Write([]string{u.Name, u.Email, string(u.Role), string(u.Status)})
		}, nil)
		w.Flush()
		if err != nil || rows != want || withKey == 0 {
			b.Fatal(err, rows, withKey)
		}
	}
}

func addPasskeysB(b *testing.B, db *store.DB, keys []*padlock.Passkey) {
	b.Helper()
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
		b.Fatal(err)
	}
}
