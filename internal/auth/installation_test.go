package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// serviceWithKey is a second node over db with its own server key, the
// clock of the first and a log the test can read.
func serviceWithKey(t *testing.T, db *store.DB, key string, clock *testenv.Clock) (*auth.Service, *testenv.SyncBuffer) {
	t.Helper()
	sealer, err := mfa.NewSealer([]byte(key))
	if err != nil {
		t.Fatal(err)
	}
	log := &testenv.SyncBuffer{}
	svc := auth.NewService(db, auth.NewHasher(testenv.CheapHashParams, 4, 64), sealer, auth.DefaultConfig(), slog.New(slog.NewTextHandler(io.MultiWriter(log), nil)), clock.Now)
	return svc, log
}

const anotherKey = "another server key of 32 bytes!!"

func TestTheFirstNodeRecordsItsKeyAndANodeWithAnotherKeyIsRefused(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		first, clock := newService(t, db)
		if err := first.CheckSecretKey(ctx); err != nil {
			t.Fatalf("the first node: %v", err)
		}
		if err := first.CheckSecretKey(ctx); err != nil {
			t.Fatalf("a node with the same key: %v", err)
		}
		fp, err := db.Conn().KeyFingerprint(ctx)
		if err != nil || fp != first.Sealer.Fingerprint() {
			t.Fatalf("recorded fingerprint %q, %v; want the first node's", fp, err)
		}
		if strings.Contains(fp, "a test server key") {
			t.Fatal("the fingerprint contains the key")
		}
		other, _ := serviceWithKey(t, db, anotherKey, clock)
		if err := other.CheckSecretKey(ctx); !errors.Is(err, auth.ErrKeyMismatch) {
			t.Fatalf("a node with another key: %v, want ErrKeyMismatch", err)
		}
	})
}

func TestAnInstallationWithFactorsButNoFingerprintIsClaimedOnlyByTheKeyThatOpensThem(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		right, clock, _ := mfaUser(t, db) // as before fingerprints were recorded
		wrong, _ := serviceWithKey(t, db, anotherKey, clock)
		if err := wrong.CheckSecretKey(ctx); !errors.Is(err, auth.ErrKeyMismatch) {
			t.Fatalf("a key that opens no factor: %v, want ErrKeyMismatch", err)
		}
		if _, err := db.Conn().KeyFingerprint(ctx); !errors.Is(err, padlock.ErrNotFound) {
			t.Fatalf("the refused key left a fingerprint (%v)", err)
		}
		if err := right.CheckSecretKey(ctx); err != nil {
			t.Fatalf("the key that opens the factors: %v", err)
		}
		if err := wrong.CheckSecretKey(ctx); !errors.Is(err, auth.ErrKeyMismatch) {
			t.Fatalf("another key after the fingerprint was recorded: %v", err)
		}
	})
}
