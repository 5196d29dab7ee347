package auth_test

import (
	"context"
	"encoding/base32"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// BenchmarkTOTPVerify is the cost of checking one code (three steps).
func BenchmarkTOTPVerify(b *testing.B) {
	secret, now := mfa.NewSecret(), time.Now()
	code := mfa.Code(secret, mfa.Step(now), mfa.Digits)
	for b.Loop() {
		if _, ok := mfa.MatchStep(secret, code, now); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkPasswordVerify is one argon2id verification at the production
// parameters: the floor under every sign-in.
func BenchmarkPasswordVerify(b *testing.B) {
	h := auth.NewHasher(auth.DefaultHashParams, 1, 0)
	ctx := context.Background()
	hash, err := h.Hash(ctx, strongPassword)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, hash, strongPassword); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkSignInWithMFA is a whole sign-in on SQLite: password, pending
// session, TOTP code, full session.
func BenchmarkSignInWithMFA(b *testing.B) {
	db := testenv.OpenDB(b, store.SQLite)
	svc, clock, secret := mfaUser(b, db)
	ctx := context.Background()
	for b.Loop() {
		clock.Advance(30 * time.Second)
		pending, err := svc.SignIn(ctx, "bench@acme.test", strongPassword, "bench")
		if err != nil {
			b.Fatal(err)
		}
		c, err := svc.Authenticate(ctx, pending.Token)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.CompleteMFA(ctx, c, mfa.Code(secret, mfa.Step(clock.Now()), mfa.Digits), "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

// mfaUser sets up an Administrator with a confirmed authenticator app and
// returns the TOTP secret.
func mfaUser(tb testing.TB, db *store.DB) (*auth.Service, *testenv.Clock, []byte) {
	tb.Helper()
	ctx := context.Background()
	sealer, _ := mfa.NewSealer(make([]byte, 32))
	clock := testenv.NewClock()
	svc := auth.NewService(db, auth.NewHasher(auth.DefaultHashParams, 4, 64), sealer, auth.DefaultConfig(), slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Now)
	if _, err := svc.SetupFromCLI(ctx, auth.SetupInput{AccountName: "Acme", Name: "Bench", Email: "bench@acme.test", Password: strongPassword}); err != nil {
		tb.Fatal(err)
	}
	s, err := svc.SignIn(ctx, "bench@acme.test", strongPassword, "bench")
	if err != nil {
		tb.Fatal(err)
	}
	c, err := svc.Authenticate(ctx, s.Token)
	if err == nil {
		err = svc.BeginEnrollment(ctx, c)
	}
	var e *auth.Enrollment
	if err == nil {
		e, err = svc.PendingEnrollment(ctx, c)
	}
	if err != nil {
		tb.Fatal(err)
	}
	secret, _ := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if _, err := svc.ConfirmEnrollment(ctx, c, mfa.Code(secret, mfa.Step(clock.Now()), mfa.Digits), "bench"); err != nil {
		tb.Fatal(err)
	}
	return svc, clock, secret
}
