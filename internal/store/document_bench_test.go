package store_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// seedDocuments gives the account an organization of n documents, each
// saved by one of its users (the first n), with bodies of 4 KB.
func seedDocuments(tb testing.TB, db *store.DB, accountID int64, n int) *padlock.Organization {
	tb.Helper()
	ctx := context.Background()
	org := &padlock.Organization{AccountID: accountID, Name: "Initech", CreatedAt: time.Unix(1_700_000_000, 0)}
	if err := db.Conn().CreateOrganization(ctx, org); err != nil {
		tb.Fatal(err)
	}
	err := db.InTx(ctx, func(tx *store.Queries) error {
		return tx.ExecForTest(ctx, `INSERT INTO documents (account_id, organization_id, title, body, updated_at, updated_by, shared_with_portal)
			SELECT $1, $2, 'Runbook ' || (100000 + u.id), $3, 1700000000, CAST(u.id AS TEXT), FALSE
			FROM users u WHERE u.account_id = $1 ORDER BY u.id LIMIT $4`, accountID, org.ID, strings.Repeat("x", 4096), n)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return org
}

// BenchmarkDocumentsList measures a page of 50 of an organization's 500
// documents, each naming its last saver, in accounts of 1,000 to 50,000
// users (another account of the same size shares the tables). SQLite
// always; PostgreSQL when PADLOCK_TEST_POSTGRES_URL is set.
//
//	go test -run '^$' -bench DocumentsList -benchtime 2s ./internal/store/
func BenchmarkDocumentsList(b *testing.B) {
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
				org := seedDocuments(b, db, acct, 500)
				analyze(b, db)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					docs, err := db.Conn().Documents(ctx, acct, org.ID, false, store.DocumentKey{}, 51)
					if err != nil || len(docs) != 51 || docs[0].UpdatedBy == "" {
						b.Fatalf("%d documents, %v", len(docs), err)
					}
				}
			})
		}
	}
}
