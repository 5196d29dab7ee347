package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// BenchmarkCountedWrites measures what keeping user_counts adds to the
// writes it follows, in an account of 10,000 users: each operation runs in
// a transaction that is then rolled back, so no commit (and on PostgreSQL no
// flush of the log) is timed and the data stay the same. "sign-in" changes
// nothing counted; "delete-portal" cascades to a portal's 1,000 users.
// SQLite always; PostgreSQL when PADLOCK_TEST_POSTGRES_URL is set.
//
//	go test -run '^$' -bench CountedWrites ./internal/store/
func BenchmarkCountedWrites(b *testing.B) {
	dialects := []store.Dialect{store.SQLite}
	if os.Getenv(testenv.PostgresURLEnv) != "" {
		dialects = append(dialects, store.Postgres)
	}
	for _, d := range dialects {
		b.Run(string(d), func(b *testing.B) {
			db := testenv.OpenDB(b, d)
			acct, _, bea := createAccountWithUsers(b, db, "Acme", "admin@acme.test", "bea@acme.test")
			seedUsers(b, db, acct, "acme", 10_000)
			portal := portalWithSeededUsers(b, db, acct, 1_000)
			analyze(b, db)
			ctx, at := context.Background(), time.Unix(deadlineEpoch, 0)
			n := 0
			for _, w := range []struct {
				name string
				op   func(tx *store.Queries) error
			}{
				{"invite", func(tx *store.Queries) error {
					n++
					u := &padlock.User{AccountID: acct, Email: fmt.Sprintf("new%d@acme.test", n), Role: padlock.RoleEditor, Status: padlock.StatusInvited, CreatedAt: at}
					return tx.CreateUser(ctx, u, "")
				}},
				{"confirm-app", func(tx *store.Queries) error { return tx.ActivateTOTP(ctx, bea.ID, []byte("sealed"), 1, at) }},
				{"deactivate", func(tx *store.Queries) error { return tx.SetUserStatus(ctx, acct, bea.ID, padlock.StatusDeactivated) }},
				{"sign-in", func(tx *store.Queries) error { return tx.RecordSignIn(ctx, bea.ID, at) }},
				{"delete-portal", func(tx *store.Queries) error { return tx.DeletePortal(ctx, acct, portal) }},
			} {
				b.Run(w.name, func(b *testing.B) {
					b.ReportAllocs()
					start := cpuTime()
					for b.Loop() {
						err := db.InTx(ctx, func(tx *store.Queries) error {
							if err := w.op(tx); err != nil {
								return err
							}
							return errRolledBack
						})
						if !errors.Is(err, errRolledBack) {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}
