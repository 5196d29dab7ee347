package padlock

import "time"

// Passkey is a WebAuthn credential a user registered as a second factor: a
// passkey (synced or on a device) or a security key. What the user sees of
// it is its name and dates; the rest is for verifying its answers.
type Passkey struct {
	ID           int64
	UserID       int64
	CredentialID []byte
	PublicKey    []byte // COSE key
	SignCount    uint32
	Transports   []string
	AAGUID       []byte
	Flags        uint8 // the authenticator data flags at registration (backup eligibility)
	Name         string
	CreatedAt    time.Time
	LastUsedAt   time.Time // zero if never
	// CloneWarning is set when the signature counter went backwards: two
	// copies of the key may exist. Such a credential is refused.
	CloneWarning bool
}

// MaxPasskeyNameLen bounds the name a user gives a passkey.
const MaxPasskeyNameLen = 60

// NormalizePasskeyName trims a passkey's name and checks it as one line of
// text; an empty name becomes "Passkey".
func NormalizePasskeyName(s string) (string, error) {
	s, err := NormalizeLine("name", s, MaxPasskeyNameLen)
	if err == nil && s == "" {
		s = "Passkey"
	}
	return s, err
}
