package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestNodesStartingTogetherAgreeOnTheFirstKeyFingerprint(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url, dir := testenv.DatabaseURL(t, d), t.TempDir()
			const nodes = 8
			dbs := make([]*store.DB, nodes) // one connection pool per node, as separate processes have
			for i := range dbs {
				db, err := store.Open(ctx, url, dir)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				dbs[i] = db
			}
			if _, err := dbs[0].Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			got := make([]string, nodes)
			errs := make([]error, nodes)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, db := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					got[i], errs[i] = db.Conn().ClaimKeyFingerprint(ctx, fmt.Sprintf("fingerprint of node %d", i), time.Now())
				}()
			}
			close(start)
			wg.Wait()
			for i := range got {
				if errs[i] != nil {
					t.Fatalf("node %d: %v", i, errs[i])
				}
				if got[i] != got[0] {
					t.Fatalf("node %d read %q, node 0 read %q: the nodes disagree", i, got[i], got[0])
				}
			}
			recorded, err := dbs[0].Conn().KeyFingerprint(ctx)
			if err != nil || recorded != got[0] {
				t.Fatalf("recorded %q, %v; the nodes read %q", recorded, err, got[0])
			}
		})
	}
}
