package auth

import "context"

// HoldSlot takes a hashing slot (or a place in line) as Hash does and returns
// its release, so admission tests can fill the hasher without racing a real
// argon2 run.
func (h *Hasher) HoldSlot(ctx context.Context) (release func(), err error) {
	return h.acquire(ctx)
}
