package padlock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// TestNextStepOverEveryCombination walks every combination of the inputs
// and checks each against the rule stated independently: proof decides
// first (at the strict level only a phishing-resistant one), then a factor
// the user owns, then the requirement and the clock.
func TestNextStepOverEveryCombination(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	deadlines := map[string]time.Time{"no deadline": {}, "deadline passed": now.Add(-time.Second), "deadline now": now, "deadline ahead": now.Add(time.Hour)}
	strictDeadlines := map[string]time.Time{"strict deadline passed": now.Add(-time.Second), "strict deadline ahead": now.Add(time.Hour)}
	proofs := []padlock.Proof{padlock.ProofNone, padlock.ProofTOTP, padlock.ProofRecovery, padlock.ProofWebAuthn, padlock.ProofIDP, padlock.ProofEnrolled, padlock.ProofEnrolledPasskey}
	bools := []bool{false, true}
	for _, required := range bools {
		for dname, deadline := range deadlines {
			for sname, strictDeadline := range strictDeadlines {
				for _, strict := range bools {
					for _, hasFactor := range bools {
						for _, hasPasskey := range bools {
							if hasPasskey && !hasFactor {
								continue // a passkey is a factor
							}
							for _, proof := range proofs {
								for _, idpOK := range bools {
									for _, idpStrong := range bools {
										a := padlock.Assurance{Required: required, Deadline: deadline, HasFactor: hasFactor, Proved: proof, IDPMFAAccepted: idpOK, Now: now,
											PhishingResistant: strict, StrictDeadline: strictDeadline, HasPhishingResistant: hasPasskey, IDPPhishingResistant: idpStrong}
										name := fmt.Sprintf("required=%v/strict=%v/%s/%s/factor=%v/passkey=%v/proved=%q/idp-accepted=%v/idp-strong=%v",
											required, strict, dname, sname, hasFactor, hasPasskey, proof, idpOK, idpStrong)
										want := expectedStep(a)
										if got := padlock.NextStep(a); got != want {
											t.Errorf("%s: got %v, want %v", name, got, want)
										}
									}
								}
							}
						}
					}
				}
			}
		}
	}
}

// expectedStep states the rule again, case by case, without NextStep's
// code.
func expectedStep(a padlock.Assurance) padlock.Step {
	proof := a.Proved
	idp := proof == padlock.ProofIDP && a.IDPMFAAccepted
	proved := proof == padlock.ProofTOTP || proof == padlock.ProofRecovery || proof == padlock.ProofEnrolled ||
		proof == padlock.ProofWebAuthn || proof == padlock.ProofEnrolledPasskey || idp
	strong := proof == padlock.ProofWebAuthn || proof == padlock.ProofEnrolledPasskey || (idp && a.IDPPhishingResistant)
	strict := a.Required && a.PhishingResistant
	if proved && !strict {
		return padlock.StepFull
	}
	if proved && strong {
		return padlock.StepFull
	}
	if !proved && a.HasFactor {
		return padlock.StepChallenge
	}
	if !a.Required {
		return padlock.StepFull
	}
	if !proved {
		if a.Deadline.After(a.Now) {
			return padlock.StepGrace
		}
		return padlock.StepEnroll
	}
	// Strict, and the session proved only a weaker factor.
	if a.StrictDeadline.After(a.Now) {
		return padlock.StepGrace
	}
	if a.HasPhishingResistant {
		return padlock.StepChallenge
	}
	return padlock.StepEnroll
}

func TestNextStepCases(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name string
		in   padlock.Assurance
		want padlock.Step
	}{
		{"a user who owns a factor but whose session proved none is challenged", padlock.Assurance{HasFactor: true, Now: now}, padlock.StepChallenge},
		{"owning a factor never upgrades a password-only session under the requirement", padlock.Assurance{Required: true, HasFactor: true, Now: now}, padlock.StepChallenge},
		{"identity-provider MFA no longer accepted counts for nothing", padlock.Assurance{Required: true, Proved: padlock.ProofIDP, Now: now}, padlock.StepEnroll},
		{"identity-provider MFA still accepted is full access", padlock.Assurance{Required: true, Proved: padlock.ProofIDP, IDPMFAAccepted: true, Now: now}, padlock.StepFull},
		{"a session that enrolled is full access", padlock.Assurance{Required: true, HasFactor: true, Proved: padlock.ProofEnrolled, Now: now}, padlock.StepFull},
		{"no requirement and no factor is full access", padlock.Assurance{Now: now}, padlock.StepFull},
		{"a deadline ahead is grace", padlock.Assurance{Required: true, Deadline: now.Add(time.Minute), Now: now}, padlock.StepGrace},
		{"a deadline reached is enrollment", padlock.Assurance{Required: true, Deadline: now, Now: now}, padlock.StepEnroll},
		{"at the strict level an app proved after the deadline holds a user without a passkey at enrollment",
			padlock.Assurance{Required: true, PhishingResistant: true, HasFactor: true, Proved: padlock.ProofTOTP, StrictDeadline: now, Now: now}, padlock.StepEnroll},
		{"at the strict level an app still works during the grace, with a banner",
			padlock.Assurance{Required: true, PhishingResistant: true, HasFactor: true, Proved: padlock.ProofTOTP, StrictDeadline: now.Add(time.Hour), Now: now}, padlock.StepGrace},
		{"at the strict level a recovery code after the deadline asks for the user's passkey",
			padlock.Assurance{Required: true, PhishingResistant: true, HasFactor: true, HasPhishingResistant: true, Proved: padlock.ProofRecovery, Now: now}, padlock.StepChallenge},
		{"at the strict level a passkey is full access", padlock.Assurance{Required: true, PhishingResistant: true, HasFactor: true, HasPhishingResistant: true, Proved: padlock.ProofWebAuthn, Now: now}, padlock.StepFull},
		{"at the strict level a passkey this session added is full access", padlock.Assurance{Required: true, PhishingResistant: true, HasFactor: true, HasPhishingResistant: true, Proved: padlock.ProofEnrolledPasskey, Now: now}, padlock.StepFull},
		{"at the strict level an app this session set up is not enough after the deadline", padlock.Assurance{Required: true, PhishingResistant: true, HasFactor: true, Proved: padlock.ProofEnrolled, Now: now}, padlock.StepEnroll},
		{"at the strict level identity-provider MFA not listed as phishing-resistant is not enough",
			padlock.Assurance{Required: true, PhishingResistant: true, Proved: padlock.ProofIDP, IDPMFAAccepted: true, Now: now}, padlock.StepEnroll},
		{"at the strict level identity-provider MFA listed as phishing-resistant is full access",
			padlock.Assurance{Required: true, PhishingResistant: true, Proved: padlock.ProofIDP, IDPMFAAccepted: true, IDPPhishingResistant: true, Now: now}, padlock.StepFull},
		{"the strict level without the requirement asks for nothing", padlock.Assurance{PhishingResistant: true, HasFactor: true, Proved: padlock.ProofTOTP, Now: now}, padlock.StepFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := padlock.NextStep(tt.in); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMFADeadlineRunsTheGraceFromTheLaterOfRequirementAndJoining(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	day := 24 * time.Hour
	tests := []struct {
		name               string
		requiredAt, joined time.Time
		graceDays          int
		want               time.Time
	}{
		{"a user who joined before the requirement has the grace from when it was turned on", at, at.Add(-30 * day), 7, at.Add(7 * day)},
		{"a user who joins after the requirement has the grace from joining", at.Add(-30 * day), at, 7, at.Add(7 * day)},
		{"a user who joins as it is turned on has the grace from that moment", at, at, 7, at.Add(7 * day)},
		{"without grace an earlier user is held from when it was turned on", at, at.Add(-day), 0, at},
		{"without grace a later user is held from joining", at.Add(-day), at, 0, at},
		{"the longest grace is whole days", at, at, padlock.MaxGraceDays, at.Add(padlock.MaxGraceDays * day)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := padlock.MFADeadline(tt.requiredAt, tt.joined, tt.graceDays); !got.Equal(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestAGracePeriodEndsAtItsDeadline joins MFADeadline to NextStep as a
// user without a factor meets them: grace until the deadline, enrollment
// from it, and at once without grace.
func TestAGracePeriodEndsAtItsDeadline(t *testing.T) {
	requiredAt := time.Unix(1_800_000_000, 0)
	joined := requiredAt.Add(-time.Hour)
	tests := []struct {
		name      string
		graceDays int
		now       time.Time
		want      padlock.Step
	}{
		{"within the grace the user has a grace session", 3, requiredAt.Add(72*time.Hour - time.Second), padlock.StepGrace},
		{"at the end of the grace the user must enroll", 3, requiredAt.Add(72 * time.Hour), padlock.StepEnroll},
		{"without grace the user must enroll as the requirement is turned on", 0, requiredAt, padlock.StepEnroll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := padlock.Assurance{Required: true, Deadline: padlock.MFADeadline(requiredAt, joined, tt.graceDays), Now: tt.now}
			if got := padlock.NextStep(a); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// The strict level's deadline is counted from the switch to it (or from
// joining), with the requirement's grace: a user who met "any MFA" with an
// app gets the grace to add a passkey.
func TestTheStrictLevelGivesItsOwnGrace(t *testing.T) {
	on := time.Unix(1_800_000_000, 0)
	strictAt := on.Add(30 * 24 * time.Hour)
	r := padlock.Requirement{RequiredAt: on, StrictAt: strictAt, GraceDays: 7}
	u := &padlock.User{CreatedAt: on.Add(-time.Hour), MFADeadline: on.Add(7 * 24 * time.Hour)}
	u.SetFactors(on, time.Time{})
	for _, tt := range []struct {
		name string
		now  time.Time
		want padlock.Step
	}{
		{"an app works with a banner during the strict level's grace", strictAt.Add(7*24*time.Hour - time.Second), padlock.StepGrace},
		{"after it the user must add a passkey", strictAt.Add(7 * 24 * time.Hour), padlock.StepEnroll},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := padlock.NextStep(r.AssuranceOf(u, padlock.ProofTOTP, tt.now)); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	if (padlock.Requirement{StrictAt: strictAt}).Strict() {
		t.Error("a strict level without the requirement is strict")
	}
}

func TestTheRequirementIsOnFromTheMomentItWasTurnedOn(t *testing.T) {
	on := time.Unix(1_800_000_000, 0)
	if (&padlock.Account{}).RequiresMFA() || (&padlock.Portal{}).RequiresMFA() {
		t.Error("a requirement never turned on is on")
	}
	if !(&padlock.Account{MFARequiredAt: on}).RequiresMFA() || !(&padlock.Portal{MFARequiredAt: on}).RequiresMFA() {
		t.Error("a requirement turned on is off")
	}
}

// A user is overdue exactly when NextStep would hold their next sign-in at
// enrollment once they proved the factor they have, and never once
// deactivated: at the strict level, a user with only an app is overdue
// after the strict level's deadline.
func TestOverdueIsWhenNextStepHoldsTheUserAtEnrollment(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	day := 24 * time.Hour
	requirements := map[string]padlock.Requirement{
		"not required":                          {},
		"any MFA":                               {RequiredAt: now.Add(-30 * day), GraceDays: 7},
		"strict, in its grace":                  {RequiredAt: now.Add(-30 * day), StrictAt: now.Add(-6 * day), GraceDays: 7},
		"strict, its grace over at this second": {RequiredAt: now.Add(-30 * day), StrictAt: now.Add(-7 * day), GraceDays: 7},
		"strict, its grace long over":           {RequiredAt: now.Add(-30 * day), StrictAt: now.Add(-20 * day), GraceDays: 7},
	}
	for name, r := range requirements {
		for _, deadline := range []time.Time{{}, now.Add(-time.Second), now, now.Add(time.Second)} {
			for _, joined := range []time.Time{now.Add(-40 * day), now.Add(-7*day - time.Second), now.Add(-7 * day), now.Add(-time.Hour)} {
				for _, factors := range []string{"none", "app", "passkey", "both"} {
					for _, status := range []padlock.UserStatus{padlock.StatusActive, padlock.StatusInvited, padlock.StatusDeactivated} {
						u := &padlock.User{Status: status, MFADeadline: deadline, CreatedAt: joined}
						proof := padlock.ProofNone
						switch factors {
						case "app":
							u.SetFactors(now.Add(-time.Hour), time.Time{})
							proof = padlock.ProofTOTP
						case "passkey":
							u.SetFactors(time.Time{}, now.Add(-time.Hour))
							proof = padlock.ProofWebAuthn
						case "both":
							u.SetFactors(now.Add(-time.Hour), now.Add(-time.Hour))
							proof = padlock.ProofWebAuthn
						}
						step := padlock.NextStep(r.AssuranceOf(u, proof, now))
						want := step == padlock.StepEnroll && status != padlock.StatusDeactivated
						if got := u.MFAOverdue(r, now); got != want {
							t.Errorf("%s, deadline %v, joined %v ago, factors %s, %s: overdue %v, want %v",
								name, deadline.Sub(now), now.Sub(joined), factors, status, got, want)
						}
						// What the store's filter compares: the joining time,
						// for a user with only an app.
						if factors == "app" && status != padlock.StatusDeactivated && r.Strict() {
							joinedBy, ok := r.StrictOverdueJoinedBy(now)
							if filtered := ok && !joined.After(joinedBy); filtered != want {
								t.Errorf("%s, joined %v ago: the store's cut-off says %v, want %v", name, now.Sub(joined), filtered, want)
							}
						}
					}
				}
			}
		}
	}
}

func TestTheGraceEndsForEarlierUsersAtTheRequirementPlusTheGrace(t *testing.T) {
	on := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	if got := padlock.GraceEnds(on, 14); !got.Equal(on.AddDate(0, 0, 14)) {
		t.Errorf("14 days from %v: %v", on, got)
	}
	if got := padlock.GraceEnds(time.Time{}, 14); !got.IsZero() {
		t.Errorf("nothing required, yet the grace ends at %v", got)
	}
}
