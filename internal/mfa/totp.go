// Package mfa holds the second factor's mechanics, free of storage: TOTP
// codes (RFC 6238 over RFC 4226), secrets sealed at rest, recovery codes and
// the enrollment QR code. The sign-in state machine that uses them lives in
// package auth.
package mfa

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// TOTP parameters every common authenticator app uses.
const (
	Period     = 30 // seconds per step
	Digits     = 6
	SecretSize = 20 // 160 bits, as RFC 4226 recommends
	// Skew is how many steps before and after the current one are accepted.
	Skew = 1
)

// NewSecret returns 160 random bits for a new enrollment.
func NewSecret() []byte {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		panic("mfa: no randomness: " + err.Error())
	}
	return b
}

// EncodeSecret is the base32 form that authenticator apps take.
func EncodeSecret(secret []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
}

// Step is the RFC 6238 time step of t.
func Step(t time.Time) int64 { return t.Unix() / Period }

// Code returns the code of a step with the given number of digits (6 in
// use; 8 for the RFC 6238 test vectors).
func Code(secret []byte, step int64, digits int) string {
	code, err := hotp.GenerateCodeCustom(EncodeSecret(secret), uint64(step), hotp.ValidateOpts{
		Digits: otp.Digits(digits), Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		panic("mfa: " + err.Error()) // only for a malformed secret, which EncodeSecret never makes
	}
	return code
}

// MatchStep finds the step, within Skew of now, whose code is code. The
// caller must still check that the step is newer than the last one accepted.
func MatchStep(secret []byte, code string, now time.Time) (int64, bool) {
	current := Step(now)
	found, matched := int64(0), 0
	for s := current - Skew; s <= current+Skew; s++ {
		if subtle.ConstantTimeCompare([]byte(Code(secret, s, Digits)), []byte(code)) == 1 {
			found, matched = s, 1
		}
	}
	return found, matched == 1
}

// CodeKind tells what a typed code looks like.
type CodeKind int

const (
	NotACode CodeKind = iota
	TOTPCode
	RecoveryCode
)

// NormalizeCode strips spaces and dashes and lower-cases, then says whether
// the result looks like a TOTP code or a recovery code.
func NormalizeCode(s string) (string, CodeKind) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(s)))
	switch {
	case len(s) == Digits && isDigits(s):
		return s, TOTPCode
	case len(s) == recoveryLen && isRecovery(s):
		return s, RecoveryCode
	}
	return s, NotACode
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
