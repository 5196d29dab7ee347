package web

import (
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

func TestCountsAgreeWithTheirNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{padlock.Count(0, "reminder", "reminders"), "0 reminders"},
		{padlock.Count(1, "reminder", "reminders"), "1 reminder"},
		{padlock.Count(2, "reminder", "reminders"), "2 reminders"},
		{haveMFA(1, 3), "1 of 3 users has MFA"},
		{haveMFA(2, 3), "2 of 3 users have MFA"},
		{haveMFA(1, 1), "1 of 1 user has MFA"},
		{haveMFA(0, 1), "0 of 1 user has MFA"},
		{haveMFA(0, 0), "0 of 0 users have MFA"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
