package auth_test

import (
	"bytes"
	"context"
	"regexp"
	"sync"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestNewTokenGivesDistinctURLSafeTokens(t *testing.T) {
	t.Parallel()
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		token, hash := auth.NewToken()
		if !urlSafe.MatchString(token) {
			t.Fatalf("token %q is not 43 URL-safe characters", token)
		}
		if seen[token] {
			t.Fatalf("token %q came twice", token)
		}
		seen[token] = true
		if !bytes.Equal(hash, auth.HashToken(token)) || len(hash) != 32 {
			t.Fatalf("hash of %q is not its stored form", token)
		}
		if bytes.Contains(hash, []byte(token)) {
			t.Fatal("the stored form contains the token")
		}
	}
}

// Twenty requests racing with one reset link: the link works for exactly one.
func TestASingleUseLinkWorksOnceUnderARace(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		setupAccount(t, svc, "Acme IT", "admin@acme.test")
		if err := svc.RequestPasswordReset(ctx, "admin@acme.test", "test"); err != nil {
			t.Fatal(err)
		}
		token := testenv.MailToken(t, db, "admin@acme.test", "Reset", "/reset/")

		const n = 20
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			won   []string
			other []error
		)
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			password := []string{"velvet tractor ginger lagoon", "orbit plum cascade harbor"}[i%2] + string(rune('a'+i))
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := svc.ResetPassword(ctx, token, password, "test")
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					won = append(won, password)
				} else if err != auth.ErrLinkInvalid {
					other = append(other, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(won) != 1 || len(other) != 0 {
			t.Fatalf("%d resets succeeded (want 1); unexpected errors: %v", len(won), other)
		}
		if _, err := svc.SignIn(ctx, "admin@acme.test", won[0], "test"); err != nil {
			t.Errorf("sign-in with the winning password: %v", err)
		}
		if n := len(testenv.MailsTo(testenv.TakeMail(t, db), "admin@acme.test", "changed")); n != 1 {
			t.Errorf("%d password-changed emails, want 1", n)
		}
	})
}
