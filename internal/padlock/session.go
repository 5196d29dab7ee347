package padlock

import "time"

// SessionState is how far a sign-in has come. Only a full session reaches
// the application; later states (second factor, enrollment) are added here.
type SessionState string

const (
	// SessionFull reaches the application.
	SessionFull SessionState = "full"
	// SessionMFAPending has passed the password and reaches only the
	// second-factor challenge (and sign-out).
	SessionMFAPending SessionState = "mfa_pending"
	// SessionEnrollPending has passed the password of a user who must set
	// up MFA first: it reaches only the enrollment screens (and sign-out).
	SessionEnrollPending SessionState = "enroll_pending"
)

// PendingLifetime bounds a sign-in waiting for its second step.
const PendingLifetime = 10 * time.Minute

// MaxMFAFailures is how many wrong codes a pending sign-in allows before it
// is thrown away.
const MaxMFAFailures = 5

// Session is a signed-in browser, identified by a token whose hash is stored.
type Session struct {
	ID                int64
	UserID            int64
	AccountID         int64
	State             SessionState
	CredentialVersion int64
	MFAFailures       int
	CreatedAt         time.Time
	LastSeenAt        time.Time
	ExpiresAt         time.Time // absolute lifetime
}
