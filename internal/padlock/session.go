package padlock

import "time"

// SessionState is how far a sign-in has come. Only a full session reaches
// the application; later states (second factor, enrollment) are added here.
type SessionState string

const (
	SessionFull SessionState = "full"
)

// Session is a signed-in browser, identified by a token whose hash is stored.
type Session struct {
	ID                int64
	UserID            int64
	AccountID         int64
	State             SessionState
	CredentialVersion int64
	CreatedAt         time.Time
	LastSeenAt        time.Time
	ExpiresAt         time.Time // absolute lifetime
}
