package padlock

import (
	"regexp"
	"time"
)

// APIAccess is what an API key may do: read, or read and write.
type APIAccess string

const (
	APIRead      APIAccess = "read"
	APIReadWrite APIAccess = "read_write"
)

// Label is how the access level reads on the screens.
func (a APIAccess) Label() string {
	if a == APIReadWrite {
		return "Read and write"
	}
	return "Read only"
}

// APIKey is one of an account's keys for scripts. The key itself is shown
// once when it is made and stored only as a hash; Prefix, its start, tells
// keys apart in lists. A key belongs to the account and acts with an
// Administrator's permissions (limited to reading for a read-only key), on
// the authority of the Administrator who made it: it works while they are
// an active Administrator of the account, until it is revoked or expires.
type APIKey struct {
	ID          int64
	AccountID   int64
	Name        string
	Prefix      string
	Access      APIAccess
	CreatedBy   int64  // 0 when the creator no longer exists
	CreatorName string // read with the key, for lists
	CreatedAt   time.Time
	ExpiresAt   time.Time // zero: never
	LastUsedAt  time.Time // zero: never
	RevokedAt   time.Time // zero: not revoked
	// MakerIsAdmin tells whether the user who made the key is an active
	// Administrator of its account now: read from the users table with the
	// key, on every request, never stored.
	MakerIsAdmin bool
}

// Suspended reports whether the key is refused because the Administrator
// who made it no longer is one (demoted, deactivated or gone). It works
// again if they become an active Administrator again.
func (k *APIKey) Suspended() bool { return !k.MakerIsAdmin }

// Usable reports whether the key opens the API at now.
func (k *APIKey) Usable(now time.Time) bool {
	return k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// CanWrite reports whether the key may change anything.
func (k *APIKey) CanWrite() bool { return k.Access == APIReadWrite }

// ActorLabel names the key as the actor of what it did, in the audit log.
func (k *APIKey) ActorLabel() string { return "API key: " + k.Name }

// Limits of an API key's name and expiry.
const (
	MaxAPIKeyNameLen = 60
	MaxAPIKeyDays    = 730
)

var apiKeyName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]*$`)

// NormalizeAPIKeyName trims a key's name and checks it: letters, digits,
// spaces, dots, dashes and underscores, so the name reads plainly wherever
// the audit log shows it.
func NormalizeAPIKeyName(s string) (string, error) {
	s, err := NormalizeLine("name", s, MaxAPIKeyNameLen)
	switch {
	case err != nil:
		return "", err
	case s == "":
		return "", FieldError("name", "Enter a name, like nightly-report.")
	case !apiKeyName.MatchString(s):
		return "", FieldError("name", "Use letters, digits, spaces, dots, dashes and underscores.")
	}
	return s, nil
}

// ParseAPIAccess checks an access level sent by a form.
func ParseAPIAccess(s string) (APIAccess, error) {
	switch a := APIAccess(s); a {
	case APIRead, APIReadWrite:
		return a, nil
	}
	return "", FieldError("access", "Choose read only, or read and write.")
}
