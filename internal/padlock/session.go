package padlock

import "time"

// SessionState is how a session began: a full session, or a sign-in
// waiting for its second step (which lives only PendingLifetime). What a
// session may reach is decided on every request by NextStep, not by this.
type SessionState string

const (
	// SessionFull was started after every step sign-in asked for.
	SessionFull SessionState = "full"
	// SessionMFAPending has passed the first step and waits for a second
	// factor.
	SessionMFAPending SessionState = "mfa_pending"
	// SessionEnrollPending has passed the first step of a user who must set
	// up MFA first.
	SessionEnrollPending SessionState = "enroll_pending"
)

// FirstStep is how a session's user proved who they are.
type FirstStep string

const (
	FirstPassword FirstStep = "password"
	FirstSSO      FirstStep = "sso"
	// FirstPasskey is a sign-in with a discoverable passkey alone, the user
	// verified by the authenticator: it proves ProofWebAuthn too.
	FirstPasskey FirstStep = "passkey"
)

// Proof is the second factor a session proved itself. A user owning a
// factor proves nothing for a session: only the session that typed the
// code, used the recovery code, brought the identity provider's MFA or
// enrolled and confirmed the factor holds the proof.
type Proof string

const (
	ProofNone     Proof = ""
	ProofTOTP     Proof = "totp"
	ProofRecovery Proof = "recovery"
	ProofWebAuthn Proof = "webauthn" // a passkey or security key answered this session's challenge
	ProofIDP      Proof = "idp"      // MFA at the identity provider, counted while the account accepts its context
	ProofEnrolled Proof = "enrolled" // a factor this session set up and confirmed
	// ProofEnrolledPasskey is a passkey or security key this session
	// registered: phishing-resistant, where ProofEnrolled (an app) is not.
	ProofEnrolledPasskey Proof = "enrolled_passkey"
)

// PendingLifetime bounds a sign-in waiting for its second step.
const PendingLifetime = 10 * time.Minute

// MaxMFAFailures is how many wrong codes a pending sign-in allows before it
// is thrown away.
const MaxMFAFailures = 5

// MaxPendingSignInsPerClient is how many unfinished sign-ins started one
// public way (challenges of a sign-in with a passkey alone; SSO requests
// waiting for the identity provider) one client (an address, an IPv6
// address by its /64) may hold unexpired, each way apart: more than the
// people of an office behind one address start in the few minutes they
// live, too few to fill the table. An answer, right or wrong, frees its
// place, and so does the same browser asking again for a passkey challenge.
const MaxPendingSignInsPerClient = 200

// Session is a signed-in browser, identified by a token whose hash is stored.
type Session struct {
	ID                int64
	UserID            int64
	AccountID         int64
	State             SessionState
	FirstStep         FirstStep
	Proved            Proof
	CredentialVersion int64
	MFAFailures       int
	CreatedAt         time.Time
	LastSeenAt        time.Time
	ExpiresAt         time.Time // absolute lifetime
}
