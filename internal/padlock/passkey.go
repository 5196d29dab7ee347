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

// Kind names what holds the credential, from the transports its
// authenticator reported when it was added: "security key" for one reached
// only over USB, NFC or Bluetooth, "passkey" for one kept by a device, a
// phone or a password manager, "passkey or security key" when it said
// nothing. Activity and mails name a passkey by its kind and name.
func (p *Passkey) Kind() string {
	key := false
	for _, t := range p.Transports {
		switch t {
		case "internal", "hybrid":
			return "passkey"
		case "usb", "nfc", "ble", "smart-card":
			key = true
		}
	}
	if key {
		return "security key"
	}
	return "passkey or security key"
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
