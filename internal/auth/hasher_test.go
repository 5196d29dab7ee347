package auth_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// oldParams stand for a hash made before the parameters were raised.
var oldParams = auth.HashParams{Memory: 8 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := auth.NewHasher(auth.DefaultHashParams, 4, 64)
	hash, err := h.Hash(ctx, strongPassword)
	if err != nil {
		t.Fatal(err)
	}
	old, err := auth.NewHasher(oldParams, 1, 0).Hash(ctx, strongPassword)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		hash      string
		password  string
		ok, stale bool
	}{
		{"a hash verifies its own password", hash, strongPassword, true, false},
		{"a hash does not verify another password", hash, strongPassword + "x", false, false},
		{"a hash does not verify the empty password", hash, "", false, false},
		{"a hash made with other parameters verifies and reports stale", old, strongPassword, true, true},
		{"a hash made with other parameters does not verify another password", old, "orbit-plum-cascade", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, stale, err := h.Verify(ctx, tt.hash, tt.password)
			if err != nil || ok != tt.ok || stale != tt.stale {
				t.Errorf("Verify = %v, %v, %v; want %v, %v, nil", ok, stale, err, tt.ok, tt.stale)
			}
		})
	}
}

func TestHashIsAPHCStringWithOWASPParameters(t *testing.T) {
	t.Parallel()
	h := auth.NewHasher(auth.DefaultHashParams, 1, 0)
	a, err := h.Hash(context.Background(), strongPassword)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := h.Hash(context.Background(), strongPassword)
	if !strings.HasPrefix(a, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not start with $argon2id$v=19$m=19456,t=2,p=1$", a)
	}
	if parts := strings.Split(a, "$"); len(parts) != 6 || len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Errorf("hash %q should have a 16-byte salt and a 32-byte key in unpadded base64", a)
	}
	if a == b {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if strings.Contains(a, strongPassword) {
		t.Error("the hash contains the password")
	}
}

func TestMalformedHashesAreRejectedWithoutPanic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := auth.NewHasher(testenv.CheapHashParams, 1, 0)
	good, err := h.Hash(ctx, strongPassword)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	with := func(i int, s string) string {
		p := append([]string(nil), parts...)
		p[i] = s
		return strings.Join(p, "$")
	}
	tests := []struct{ name, hash string }{
		{"garbage", "not a hash"},
		{"a bcrypt hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"an argon2i hash", with(1, "argon2i")},
		{"a missing part", strings.Join(parts[:5], "$")},
		{"an extra part", good + "$x"},
		{"another version", with(2, "v=16")},
		{"no version", with(2, "v=")},
		{"parameters that are not numbers", with(3, "m=a,t=b,p=c")},
		{"zero passes", with(3, "m=19456,t=0,p=1")},
		{"zero lanes", with(3, "m=19456,t=2,p=0")},
		{"lanes beyond a byte", with(3, "m=19456,t=2,p=256")},
		{"negative memory", with(3, "m=-1,t=2,p=1")},
		{"absurd memory", with(3, "m=4294967295,t=2,p=1")},
		{"absurd passes", with(3, "m=19456,t=4294967295,p=1")},
		{"a salt that is not base64", with(4, "!!!")},
		{"a key that is not base64", with(5, "!!!")},
		{"an empty key", with(5, "")},
	}
	for _, tt := range tests {
		t.Run("a hash with "+tt.name+" is rejected", func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Verify panicked on %q: %v", tt.hash, r)
				}
			}()
			ok, _, err := h.Verify(ctx, tt.hash, strongPassword)
			if ok || err == nil {
				t.Errorf("Verify(%q) = %v, %v; want false and an error", tt.hash, ok, err)
			}
		})
	}
}

// waitInUse waits until the hasher reports the given load.
func waitInUse(t *testing.T, h *auth.Hasher, running, waiting int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // only a hasher that never gets there fails
	for {
		r, w := h.InUse()
		if r == running && w == waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("InUse = %d, %d; want %d, %d", r, w, running, waiting)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHasherAdmission(t *testing.T) {
	cheap := auth.HashParams{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}
	before := runtime.NumGoroutine()

	t.Run("while a hash runs a second call with no queue is refused at once", func(t *testing.T) {
		h := auth.NewHasher(cheap, 1, 0)
		// The slot is held as a running hash holds it, for as long as the
		// test needs: a real slow hash could end first on a busy machine.
		release, err := h.HoldSlot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		waitInUse(t, h, 1, 0)
		if _, err := h.Hash(context.Background(), strongPassword); err != auth.ErrBusy {
			t.Errorf("second Hash: %v, want ErrBusy", err)
		}
		if _, _, err := h.Verify(context.Background(), "", strongPassword); err != auth.ErrBusy {
			t.Errorf("Verify while busy: %v, want ErrBusy", err)
		}
		release()
		waitInUse(t, h, 0, 0)
		if _, err := h.Hash(context.Background(), strongPassword); err != nil {
			t.Errorf("Hash once the slot is free: %v", err)
		}
	})

	tests := []struct {
		name    string
		maxWait time.Duration
		ctx     func() (context.Context, context.CancelFunc)
		want    error
	}{
		{"a caller waiting longer than MaxWait is refused as busy", 30 * time.Millisecond,
			func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, auth.ErrBusy},
		{"a caller whose request is cancelled gets the context's error", time.Minute,
			func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.Background(), 30*time.Millisecond)
			},
			context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := auth.NewHasher(cheap, 1, 1)
			h.MaxWait = tt.maxWait
			release, err := h.HoldSlot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			waitInUse(t, h, 1, 0)
			ctx, cancel := tt.ctx()
			defer cancel()
			start := time.Now()
			_, err = h.Hash(ctx, strongPassword)
			if !errors.Is(err, tt.want) {
				t.Errorf("Hash: %v, want %v", err, tt.want)
			}
			// The slot is held until release below, so a caller that does
			// not give up at its deadline would wait here for ever.
			if took := time.Since(start); took > time.Minute {
				t.Errorf("refusal took %v", took)
			}
			waitInUse(t, h, 1, 0) // the waiter gave its place back
			release()
			waitInUse(t, h, 0, 0)
			if _, err := h.Hash(context.Background(), strongPassword); err != nil {
				t.Errorf("Hash after the slot was freed: %v", err)
			}
		})
	}

	t.Run("InUse counts the running and the waiting", func(t *testing.T) {
		h := auth.NewHasher(cheap, 2, 2)
		var releases []func()
		for i := 0; i < 2; i++ {
			r, err := h.HoldSlot(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			releases = append(releases, r)
		}
		waitInUse(t, h, 2, 0)
		var wg sync.WaitGroup
		errs := make(chan error, 3)
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); _, err := h.Hash(context.Background(), strongPassword); errs <- err }()
		}
		waitInUse(t, h, 2, 2)
		if _, err := h.Hash(context.Background(), strongPassword); err != auth.ErrBusy {
			t.Errorf("a fifth caller beyond 2 running and 2 waiting: %v, want ErrBusy", err)
		}
		for _, r := range releases {
			r()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("a waiting caller: %v", err)
			}
		}
		waitInUse(t, h, 0, 0)
	})

	t.Run("no goroutine is left behind", func(t *testing.T) {
		deadline := time.Now().Add(time.Minute)
		for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if after := runtime.NumGoroutine(); after > before+2 {
			t.Errorf("goroutines: %d before, %d after", before, after)
		}
	})
}
