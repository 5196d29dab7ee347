package padlock

import "time"

// Requirement is the MFA requirement that applies to a user: their
// account's for the staff, their portal's for a portal user.
type Requirement struct {
	// RequiredAt is when MFA was required; zero while it is not.
	RequiredAt time.Time
	// StrictAt is when the requirement was raised to phishing-resistant MFA
	// only; zero at the level "any MFA".
	StrictAt  time.Time
	GraceDays int
}

// Strict reports whether only phishing-resistant MFA meets the requirement.
func (r Requirement) Strict() bool { return !r.RequiredAt.IsZero() && !r.StrictAt.IsZero() }

// Requirement is the account's requirement, for its staff.
func (a *Account) Requirement() Requirement {
	return Requirement{RequiredAt: a.MFARequiredAt, StrictAt: a.MFAStrictAt, GraceDays: a.MFAGraceDays}
}

// Requirement is the portal's requirement, for its users.
func (p *Portal) Requirement() Requirement {
	return Requirement{RequiredAt: p.MFARequiredAt, StrictAt: p.MFAStrictAt, GraceDays: p.MFAGraceDays}
}

// RequiresPhishingResistant reports whether the account accepts only
// phishing-resistant MFA.
func (a *Account) RequiresPhishingResistant() bool { return a.Requirement().Strict() }

// RequiresPhishingResistant reports whether the portal accepts only
// phishing-resistant MFA.
func (p *Portal) RequiresPhishingResistant() bool { return p.Requirement().Strict() }

// AssuranceOf gathers what NextStep needs about the requirement, the user
// and the session's proof. The identity provider's fields are the caller's.
func (r Requirement) AssuranceOf(u *User, proved Proof, now time.Time) Assurance {
	a := Assurance{Required: !r.RequiredAt.IsZero(), Deadline: u.MFADeadline, HasFactor: u.HasMFA(), Proved: proved,
		HasPhishingResistant: u.HasPasskey(), Now: now}
	if r.Strict() {
		a.PhishingResistant = true
		a.StrictDeadline = r.strictDeadline(u)
	}
	return a
}

// strictDeadline is when the strict level applies to u: its grace counted
// from the switch to it, or from when u joined.
func (r Requirement) strictDeadline(u *User) time.Time {
	return MFADeadline(r.StrictAt, u.CreatedAt, r.GraceDays)
}

// Deadline is when u must have the factor r asks of them, and whether one
// is asked: a user without MFA must set it up by their own deadline; at
// the strict level a user whose factors are all weaker than a passkey (an
// authenticator app) must add a passkey or security key by the strict
// level's deadline. Nothing is asked while MFA is not required, or of a
// user who has what r asks.
func (r Requirement) Deadline(u *User) (time.Time, bool) {
	switch {
	case r.RequiredAt.IsZero():
		return time.Time{}, false
	case !u.HasMFA():
		return u.MFADeadline, true
	case r.Strict() && !u.HasPasskey():
		return r.strictDeadline(u), true
	}
	return time.Time{}, false
}

// Lacking tells whether u lacks what r asks of its users, the users a
// reminder is for: any MFA, or at the strict level a passkey or security
// key. (While nothing is required, users without MFA are still asked.)
func (r Requirement) Lacking(u *User) bool {
	return !u.HasMFA() || (r.Strict() && !u.HasPasskey())
}

// StrictOverdueJoinedBy is what a store filter compares a user's joining
// time with: at the strict level, a user whose only factor is an app is
// overdue at now (Deadline passed) exactly when they joined at or before the
// time returned. ok is false when no such user is overdue: the level is not
// strict, or its grace from the switch has not ended.
func (r Requirement) StrictOverdueJoinedBy(now time.Time) (joinedBy time.Time, ok bool) {
	if !r.Strict() {
		return time.Time{}, false
	}
	joinedBy = now.Add(-time.Duration(r.GraceDays) * 24 * time.Hour)
	if r.StrictAt.After(joinedBy) {
		return time.Time{}, false
	}
	return joinedBy, true
}

// StrongestFactor names the strongest kind of factor a user owns, for the
// users lists: a passkey or security key, then an authenticator app.
func (u *User) StrongestFactor() string {
	switch {
	case u.HasPasskey():
		return "Passkey"
	case u.HasTOTP():
		return "App"
	}
	return "None"
}

// The levels of a requirement, as the settings forms send them.
const (
	MFALevelAny               = "any"
	MFALevelPhishingResistant = "phishing_resistant"
)

// ParseMFALevel reads the level a settings form sent: true for
// phishing-resistant MFA only. An empty level is "any MFA".
func ParseMFALevel(s string) (bool, error) {
	switch s {
	case "", MFALevelAny:
		return false, nil
	case MFALevelPhishingResistant:
		return true, nil
	}
	return false, FieldError("mfa_level", "Choose any MFA or phishing-resistant MFA only.")
}

// NextStrictAt is when the strict level of a requirement began, after a
// change: kept while it stays strict, now when it is raised, zero when it
// is lowered or MFA is no longer required.
func NextStrictAt(was time.Time, require, strict bool, now time.Time) time.Time {
	switch {
	case !require || !strict:
		return time.Time{}
	case was.IsZero():
		return now
	}
	return was
}
