package auth

import (
	"context"
	"sync"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// ErrBusy is returned when the hash queue is full: the caller answers 503
// with Retry-After at once rather than letting requests pile up.
var ErrBusy = &padlock.Error{Code: padlock.EUNAVAILABLE, Message: "Padlock is busy. Please try again in a moment."}

// Hasher computes password hashes with at most Concurrency at once, so memory
// stays flat under load (each argon2id run holds Params.Memory). Up to
// QueueLen more callers wait for a slot, for at most MaxWait; anyone beyond
// that is refused with ErrBusy.
type Hasher struct {
	Params  HashParams
	MaxWait time.Duration

	slots  chan struct{}
	queue  chan struct{}
	dummy  string
	once   sync.Once
	dummyE error
}

// NewHasher returns a Hasher running concurrency hashes at once with a
// waiting line of queueLen.
func NewHasher(p HashParams, concurrency, queueLen int) *Hasher {
	if concurrency < 1 {
		concurrency = 1
	}
	if queueLen < 0 {
		queueLen = 0
	}
	return &Hasher{
		Params:  p,
		MaxWait: 5 * time.Second,
		slots:   make(chan struct{}, concurrency),
		queue:   make(chan struct{}, concurrency+queueLen),
	}
}

// acquire takes a hashing slot, or fails fast when the line is full.
func (h *Hasher) acquire(ctx context.Context) (func(), error) {
	select {
	case h.queue <- struct{}{}:
	default:
		return nil, ErrBusy
	}
	timer := time.NewTimer(h.MaxWait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots; <-h.queue }, nil
	case <-timer.C:
		<-h.queue
		return nil, ErrBusy
	case <-ctx.Done():
		<-h.queue
		return nil, ctx.Err()
	}
}

// Hash returns the encoded hash of a new password.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	var hash string
	onHashThread(func() { hash, err = hashPassword(h.Params, password) })
	return hash, err
}

// Verify checks password against an encoded hash. When encoded is empty (no
// such user, or one without a password) it hashes against a dummy so the
// answer takes the same time, and reports false.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok, stale bool, err error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, false, err
	}
	defer release()
	return h.VerifyAdmitted(encoded, password)
}

// Admit takes a hashing slot before the work that leads to a hash, so an
// overloaded node refuses a sign-in at once, before any database read. The
// caller hashes with VerifyAdmitted and then calls release.
func (h *Hasher) Admit(ctx context.Context) (release func(), err error) { return h.acquire(ctx) }

// VerifyAdmitted is Verify for a caller holding a slot from Admit.
func (h *Hasher) VerifyAdmitted(encoded, password string) (ok, stale bool, err error) {
	if encoded == "" {
		d, err := h.dummyHash()
		if err != nil {
			return false, false, err
		}
		onHashThread(func() { verifyPassword(h.Params, d, password) })
		return false, false, nil
	}
	onHashThread(func() { ok, stale, err = verifyPassword(h.Params, encoded, password) })
	return ok, stale, err
}

func (h *Hasher) dummyHash() (string, error) {
	h.once.Do(func() { h.dummy, h.dummyE = hashPassword(h.Params, "padlock dummy password") })
	return h.dummy, h.dummyE
}

// InUse reports the hashes running and waiting, for metrics.
func (h *Hasher) InUse() (running, waiting int) {
	r := len(h.slots)
	return r, len(h.queue) - r
}
