package loadtest

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/padlock-mfa/padlock/internal/mfa"
)

// User is a seeded user whose authenticator secret the harness holds.
type User struct {
	Email  string
	Secret []byte

	lastStep atomic.Int64 // the step of the last code handed out
	failures atomic.Int32 // wrong passwords sent for this user
}

// Code is the user's TOTP code for a step.
func (u *User) Code(step int64) string { return mfa.Code(u.Secret, step, mfa.Digits) }

// maxWrongPasswords keeps every user well below the lockout threshold (10).
const maxWrongPasswords = 5

// errNoUser means no user can be used before the load must end.
var errNoUser = errors.New("loadtest: no user left to sign in")

// Keyring hands out users for sign-ins. A TOTP code is accepted once per
// user per 30-second step, so each user is handed out at most once a step,
// in turn; when all have been used the caller waits for the next step.
type Keyring struct {
	users    []*User
	next     atomic.Uint64
	nextFail atomic.Uint64
}

// NewKeyring returns a keyring over the users.
func NewKeyring(users []*User) *Keyring { return &Keyring{users: users} }

// Take returns a user not yet used in the current step and that step, whose
// code the sign-in must send (the server accepts it for ±1 step, so a
// sign-in that crosses a step boundary still works).
func (k *Keyring) Take(ctx context.Context) (*User, int64, error) {
	if len(k.users) == 0 {
		return nil, 0, errNoUser
	}
	for ctx.Err() == nil {
		step := mfa.Step(time.Now())
		if u := k.claim(step); u != nil {
			return u, step, nil
		}
		if !sleepUntil(ctx, time.Unix((step+1)*mfa.Period, 0)) {
			break
		}
	}
	return nil, 0, errNoUser
}

// claim marks the next free user of the step as used.
func (k *Keyring) claim(step int64) *User {
	for range len(k.users) {
		u := k.users[k.next.Add(1)%uint64(len(k.users))]
		last := u.lastStep.Load()
		if last < step && u.lastStep.CompareAndSwap(last, step) {
			return u
		}
	}
	return nil
}

// TakeForWrongPassword returns a user to send a wrong password for,
// spreading failures so that no user comes near a lockout.
func (k *Keyring) TakeForWrongPassword() (*User, error) {
	for range len(k.users) {
		u := k.users[k.nextFail.Add(1)%uint64(len(k.users))]
		if u.failures.Add(1) <= maxWrongPasswords {
			return u, nil
		}
	}
	return nil, errNoUser
}
