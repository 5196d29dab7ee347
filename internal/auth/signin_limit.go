package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The public ways to start a sign-in (a passkey alone, SSO) store a row for
// whoever asks, so each row names its client, and a client may hold only
// padlock.MaxPendingSignInsPerClient unexpired rows of each way.

// RetryLater refuses a request for now: the caller may ask again at At.
type RetryLater struct {
	Err *padlock.Error
	At  time.Time
}

func (e *RetryLater) Error() string { return e.Err.Error() }
func (e *RetryLater) Unwrap() error { return e.Err }

// TooManySignIns refuses a sign-in started one way ("with a passkey") to a
// client holding too many unfinished ones, until the earliest expires at;
// otherwise ends the sentence saying how long to wait (", or …", or "").
// Its code is ERATELIMITED.
func TooManySignIns(way, otherwise string, at, now time.Time) *RetryLater {
	minutes := int((at.Sub(now) + time.Minute - 1) / time.Minute)
	msg := fmt.Sprintf("Too many sign-ins %s were started from your network. Try again in %s%s.",
		way, padlock.Count(max(minutes, 1), "minute", "minutes"), otherwise)
	return &RetryLater{Err: padlock.Errorf(padlock.ERATELIMITED, "%s", msg), At: at}
}

// SignInClient is who starts a sign-in, for its limit: the address, and an
// IPv6 address by its /64, which one subscriber usually holds whole.
// Anything else (a forwarded header that names no address) is one client,
// kept by the SHA-256 of what it said: never stored as given, which may be
// any bytes and any length.
func SignInClient(address string) string {
	ip, err := netip.ParseAddr(address)
	if err != nil {
		sum := sha256.Sum256([]byte(address))
		return "other:" + hex.EncodeToString(sum[:8])
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}
