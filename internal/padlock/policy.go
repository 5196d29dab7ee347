package padlock

import "time"

// Step is the one thing a session may do next, as NextStep decides it.
type Step int

const (
	// StepFull reaches everything the user's role allows.
	StepFull Step = iota
	// StepGrace reaches everything too, with a banner until the deadline.
	StepGrace
	// StepChallenge reaches only the second-factor challenge.
	StepChallenge
	// StepEnroll reaches only the enrollment screens.
	StepEnroll
)

func (s Step) String() string {
	return [...]string{"full", "grace", "challenge", "enroll"}[s]
}

// Assurance is everything the MFA decision depends on, read from stored
// data only: never from anything the client sends.
type Assurance struct {
	// Required is the requirement of the user's account or, for a portal
	// user, of their portal.
	Required bool
	// Deadline is when the requirement starts to apply to the user.
	Deadline time.Time
	// HasFactor tells whether the user owns a confirmed second factor.
	HasFactor bool
	// Proved is what the session itself proved.
	Proved Proof
	// IDPMFAAccepted tells whether the account accepts, now, the identity
	// provider's MFA that a ProofIDP session brought.
	IDPMFAAccepted bool
	// PhishingResistant is the strict level of the requirement: only a
	// passkey, a security key or identity-provider MFA of a context listed
	// as phishing-resistant meets it.
	PhishingResistant bool
	// StrictDeadline is when the strict level applies to a user whose
	// session proved a weaker factor: the grace counted from the switch to
	// the strict level (or from joining).
	StrictDeadline time.Time
	// HasPhishingResistant tells whether the user owns a passkey or
	// security key.
	HasPhishingResistant bool
	// IDPPhishingResistant tells whether the account lists the context of
	// the identity provider's MFA a ProofIDP session brought as
	// phishing-resistant.
	IDPPhishingResistant bool
	Now                  time.Time
}

// ProvedSecondFactor tells whether the session proved a second factor that
// still counts.
func (a Assurance) ProvedSecondFactor() bool {
	return a.Proved != ProofNone && (a.Proved != ProofIDP || a.IDPMFAAccepted)
}

// ProvedPhishingResistant tells whether the session proved a second factor
// bound to the site's origin: a passkey or security key, or identity-provider
// MFA of a context the account lists as phishing-resistant.
func (a Assurance) ProvedPhishingResistant() bool {
	switch a.Proved {
	case ProofWebAuthn, ProofEnrolledPasskey:
		return true
	case ProofIDP:
		return a.IDPMFAAccepted && a.IDPPhishingResistant
	}
	return false
}

// NextStep is the MFA decision: every sign-in path and every request asks
// it, and nothing else decides. A session that proved a second factor is
// trusted; a user who owns a factor must prove it in this session; without
// one, the requirement sends the user to enrollment once any grace is over.
// At the strict level a weaker factor proved is trusted only until the
// strict level's deadline; then a user with a passkey must prove it, and one
// without must add one.
func NextStep(a Assurance) Step {
	strict := a.Required && a.PhishingResistant
	proved := a.ProvedSecondFactor()
	switch {
	case proved && (!strict || a.ProvedPhishingResistant()):
		return StepFull
	case !proved && a.HasFactor:
		return StepChallenge
	case !a.Required:
		return StepFull
	}
	deadline := a.Deadline
	if proved { // a weaker factor, at the strict level
		deadline = a.StrictDeadline
	}
	switch {
	case a.Now.Before(deadline):
		return StepGrace
	case proved && a.HasPhishingResistant:
		return StepChallenge
	}
	return StepEnroll
}

// MaxGraceDays bounds the grace period an administrator may give.
const MaxGraceDays = 90

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

// GraceEnds is when the grace of a requirement turned on at requiredAt ends
// for the users who were already there: later joiners get graceDays from
// the day they join (MFADeadline). Zero while nothing is required.
func GraceEnds(requiredAt time.Time, graceDays int) time.Time {
	if requiredAt.IsZero() {
		return time.Time{}
	}
	return MFADeadline(requiredAt, requiredAt, graceDays)
}

// MFAOverdue reports whether u has let the deadline of requirement r pass
// without the factor it asks for (r.Deadline): the user NextStep now sends
// to enrollment at their next sign-in, after the factor they have if any.
// A deactivated user is chased no longer.
func (u *User) MFAOverdue(r Requirement, now time.Time) bool {
	deadline, ok := r.Deadline(u)
	return ok && u.Status != StatusDeactivated && !now.Before(deadline)
}

// MFAReminderInterval is the least time between two reminders to set up
// MFA sent to the same user.
const MFAReminderInterval = 24 * time.Hour
