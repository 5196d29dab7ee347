package padlock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// TestNextStepOverEveryCombination walks every combination of the inputs
// and checks each against the rule stated independently: proof decides
// first, then a factor the user owns, then the requirement and the clock.
func TestNextStepOverEveryCombination(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	deadlines := map[string]time.Time{"no deadline": {}, "deadline passed": now.Add(-time.Second), "deadline now": now, "deadline ahead": now.Add(time.Hour)}
	proofs := []padlock.Proof{padlock.ProofNone, padlock.ProofTOTP, padlock.ProofRecovery, padlock.ProofIDP, padlock.ProofEnrolled}
	for _, required := range []bool{false, true} {
		for dname, deadline := range deadlines {
			for _, hasFactor := range []bool{false, true} {
				for _, proof := range proofs {
					for _, idpOK := range []bool{false, true} {
						a := padlock.Assurance{Required: required, Deadline: deadline, HasFactor: hasFactor, Proved: proof, IDPMFAAccepted: idpOK, Now: now}
						name := fmt.Sprintf("required=%v/%s/factor=%v/proved=%q/idp-accepted=%v", required, dname, hasFactor, proof, idpOK)
						t.Run(name, func(t *testing.T) {
							if got, want := padlock.NextStep(a), expectedStep(required, deadline.After(now), hasFactor, proof, idpOK); got != want {
								t.Fatalf("got %v, want %v", got, want)
							}
						})
					}
				}
			}
		}
	}
}

func expectedStep(required, graceLeft, hasFactor bool, proof padlock.Proof, idpOK bool) padlock.Step {
	proved := proof == padlock.ProofTOTP || proof == padlock.ProofRecovery || proof == padlock.ProofEnrolled || (proof == padlock.ProofIDP && idpOK)
	if proved {
		return padlock.StepFull
	}
	if hasFactor {
		return padlock.StepChallenge
	}
	if !required {
		return padlock.StepFull
	}
	if graceLeft {
		return padlock.StepGrace
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := padlock.NextStep(tt.in); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
