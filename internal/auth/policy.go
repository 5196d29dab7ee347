package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/trustelem/zxcvbn"
)

// Password length limits. The upper one keeps hashing cost bounded.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// CheckPassword applies the password policy: at least 12 characters, no
// composition rules, and nothing a strength estimator finds guessable
// (common passwords, keyboard walks, the user's own name or email).
func CheckPassword(field, password string, userInputs ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n == 0:
		return padlock.FieldError(field, "Enter a password.")
	case n < MinPasswordLen:
		return padlock.FieldError(field, "Use at least 12 characters.")
	case len(password) > MaxPasswordLen:
		return padlock.FieldError(field, "Use at most 256 characters.")
	}
	var inputs []string
	for _, s := range userInputs {
		inputs = append(append(inputs, s), strings.Fields(strings.NewReplacer("@", " ", ".", " ").Replace(s))...)
	}
	// zxcvbn's cost grows quickly with length; the first 64 characters
	// decide whether a password is guessable.
	probe := password
	if len(probe) > 64 {
		probe = strings.ToValidUTF8(probe[:64], "")
	}
	res := zxcvbn.PasswordStrength(probe, inputs)
	// The estimator reports 0 guesses for some text outside its alphabet
	// (Cyrillic words, for one): no estimate at all, not a weak password. Such
	// a password is judged by length alone.
	if res.Guesses == 0 && n >= 16 {
		return nil
	}
	if res.Score < 3 {
		return padlock.FieldError(field, "This password is too easy to guess: it is common or follows a pattern. Try a few unrelated words.")
	}
	return nil
}
