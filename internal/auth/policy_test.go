package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// longWords is a strong passphrase longer than the 64 bytes the estimator
// looks at.
const longWords = "orbit plum cascade harbor velvet tractor ginger lagoon quizzical mango"

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	name, email := "Margaret Hamilton", "margaret.hamilton@example.com"
	tests := []struct {
		name     string
		password string
		refused  string // part of the message; "" means accepted
	}{
		{"an empty password is refused", "", "Enter a password"},
		{"eleven characters are refused", "tq8#Lm2!vZp", "at least 12"},
		{"eleven characters of a multi-byte alphabet are refused", strings.Repeat("ж", 11), "at least 12"},
		{"a common password is refused", "password1234", "too easy"},
		{"a keyboard walk is refused", "qwertyuiop123", "too easy"},
		{"a common phrase is refused", "iloveyou12345", "too easy"},
		{"a repeated character is refused", strings.Repeat("a", 20), "too easy"},
		{"the user's email is refused", email, "too easy"},
		{"the user's name is refused", "MargaretHamilton", "too easy"},
		{"the user's email in capitals is refused", strings.ToUpper(email), "too easy"},
		{"a passphrase of four random words is accepted", "orbit plum cascade harbor", ""},
		{"another passphrase of four random words is accepted", "velvet-tractor-ginger-lagoon", ""},
		{"256 bytes are accepted", "orbit plum cascade harbor " + strings.Repeat("x", 230), ""},
		{"257 bytes are refused", "orbit plum cascade harbor " + strings.Repeat("x", 231), "at most 256"},
		{"129 two-byte characters are refused as over 256 bytes", "orbit plum cascade harbor " + strings.Repeat("é", 129), "at most 256"},
		{"a long passphrase with a character split at byte 64 is accepted", longWords[:63] + "é" + longWords[63:], ""},
		{"a passphrase in Cyrillic is accepted", "тихий лес синяя река", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.CheckPassword("new_password", tt.password, name, email)
			if tt.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *padlock.Error
			if !errors.As(err, &e) {
				t.Fatalf("CheckPassword = %v, want a field error", err)
			}
			if e.Code != padlock.EINVALID || e.Fields.Message("new_password") == "" {
				t.Errorf("error code %q fields %v, want %q on the field new_password", e.Code, e.Fields, padlock.EINVALID)
			}
			if !strings.Contains(e.Message, tt.refused) {
				t.Errorf("message %q does not say %q", e.Message, tt.refused)
			}
		})
	}
}
