package store_test

import (
	"context"
	"encoding/csv"
	"io"
	"testing"

	"github.com/padlock-mfa/padlock/internal/store"
)

// benchPage reads one page of 50 starting at the skip'th user, as the
// users page does, with its counts.
func benchPage(b *testing.B, db *store.DB, acct int64, skip int) {
	ctx := context.Background()
	for b.Loop() {
		users, _, err := db.Conn().Users(ctx, acct, store.UserFilter{Offset: skip, Limit: 50})
		if err == nil {
			_, _, err = db.Conn().MFACoverage(ctx, acct, 0)
		}
		if err != nil || len(users) != 50 {
			b.Fatal(err, len(users))
		}
	}
}

func benchCSV(b *testing.B, db *store.DB, acct int64, want int) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		users, _, err := db.Conn().Users(ctx, acct, store.UserFilter{})
		if err != nil || len(users) != want {
			b.Fatal(err, len(users))
		}
		w := csv.NewWriter(io.Discard)
		for _, u := range users {
			w.Write([]string{u.Name, u.Email})
		}
		w.Flush()
	}
}
