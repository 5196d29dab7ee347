package padlock

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// UserStatus is where a user stands in their life cycle.
type UserStatus string

const (
	StatusInvited     UserStatus = "invited"
	StatusActive      UserStatus = "active"
	StatusDeactivated UserStatus = "deactivated"
)

// User is a member of an account's staff, or a portal user: a person at
// the client who signs in to the organization's portal.
type User struct {
	ID        int64
	AccountID int64
	// PortalID is set for a portal user, zero for a member of the staff.
	PortalID   int64
	Email      string
	Name       string
	Role       Role
	Status     UserStatus
	LastSignIn time.Time // zero if never
	CreatedAt  time.Time
	// CredentialVersion changes whenever the password changes or MFA is
	// reset; sessions bound to an older version are void.
	CredentialVersion int64
	// MFASince is when the user's first factor still held was added (the
	// authenticator app or a passkey); zero without any. Read with the user
	// on every request, never cached.
	MFASince time.Time
	// TOTPSince is when the authenticator app was confirmed; PasskeySince
	// when the oldest passkey or security key still held was added. Zero
	// for none.
	TOTPSince, PasskeySince time.Time
	// MFADeadline is when the account's MFA requirement starts to apply to
	// this user (the end of any grace period).
	MFADeadline time.Time
}

// HasMFA reports whether the user has a confirmed second factor of any
// kind: an authenticator app or a passkey.
func (u *User) HasMFA() bool { return !u.MFASince.IsZero() }

// HasTOTP reports whether the user has a confirmed authenticator app.
func (u *User) HasTOTP() bool { return !u.TOTPSince.IsZero() }

// HasPasskey reports whether the user has at least one passkey or
// security key.
func (u *User) HasPasskey() bool { return !u.PasskeySince.IsZero() }

// SetFactors sets the factor times read with the user, and MFASince as
// the earlier of them.
func (u *User) SetFactors(totp, passkey time.Time) {
	u.TOTPSince, u.PasskeySince, u.MFASince = totp, passkey, totp
	if !passkey.IsZero() && (totp.IsZero() || passkey.Before(totp)) {
		u.MFASince = passkey
	}
}

// DisplayName is the name, or the email for a user who has not set one.
func (u *User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// Limits on submitted values.
const (
	MaxEmailLen    = 254
	MaxNameLen     = 100
	MaxTitleLen    = 200
	MaxDocumentLen = 100_000
)

// NormalizeEmail trims and lower-cases an address and checks that it is
// one plain address.
func NormalizeEmail(s string) (string, error) {
	s, err := NormalizeLine("email", s, 0)
	if err != nil {
		return "", err
	}
	s = strings.ToLower(s)
	if s == "" {
		return "", FieldError("email", "Enter an email address.")
	}
	if len(s) > MaxEmailLen {
		return "", FieldError("email", "This email address is too long.")
	}
	// An invisible character (a zero-width space, a direction mark) would
	// make a second address that reads like an existing user's.
	invisible := strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) >= 0
	a, err := mail.ParseAddress(s)
	if invisible || err != nil || a.Address != s || a.Name != "" {
		return "", FieldError("email", "Enter a valid email address, like name@example.com.")
	}
	return s, nil
}

// NormalizeName trims the name of a person, an account, an organization or
// a portal and checks it as one line of text (see CheckText).
func NormalizeName(field, s string) (string, error) {
	s, err := NormalizeLine(field, s, MaxNameLen)
	if err == nil && s == "" {
		err = FieldError(field, "Enter a name.")
	}
	return s, err
}
