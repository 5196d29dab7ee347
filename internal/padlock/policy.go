package padlock

import "time"

// MFAState is where a user stands against the MFA requirement that applies
// to them.
type MFAState int

const (
	// MFAOptional: nothing requires MFA; the user may choose.
	MFAOptional MFAState = iota
	// MFASatisfied: the user has a confirmed factor.
	MFASatisfied
	// MFAGrace: required, not set up, and the user's deadline is ahead.
	MFAGrace
	// MFAMustEnroll: required, not set up, deadline passed: the user reaches
	// only the enrollment screens.
	MFAMustEnroll
)

// MaxGraceDays bounds the grace period an administrator may give.
const MaxGraceDays = 90

// MFAStateOf decides, from stored data only, what the requirement asks of
// the user at now.
func MFAStateOf(required bool, u *User, now time.Time) MFAState {
	switch {
	case u.HasMFA():
		return MFASatisfied
	case !required:
		return MFAOptional
	case now.Before(u.MFADeadline):
		return MFAGrace
	}
	return MFAMustEnroll
}

// MFADeadline is when a requirement turned on at requiredAt with graceDays
// applies to a user who joined at joined: the grace runs from whichever is
// later.
func MFADeadline(requiredAt, joined time.Time, graceDays int) time.Time {
	start := requiredAt
	if joined.After(start) {
		start = joined
	}
	return start.Add(time.Duration(graceDays) * 24 * time.Hour)
}
