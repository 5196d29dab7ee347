package mfa

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"math/big"
	"strings"
)

// RecoveryCodeCount is how many codes a set holds.
const RecoveryCodeCount = 10

// Recovery codes are 10 characters from an alphabet without look-alikes
// (about 49 bits each), shown as xxxxx-xxxxx.
const (
	recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	recoveryLen      = 10
)

// NewRecoveryCodes returns a fresh set, formatted for display.
func NewRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	max := big.NewInt(int64(len(recoveryAlphabet)))
	for i := range codes {
		var b strings.Builder
		for j := 0; j < recoveryLen; j++ {
			if j == recoveryLen/2 {
				b.WriteByte('-')
			}
			n, err := rand.Int(rand.Reader, max)
			if err != nil {
				panic("mfa: no randomness: " + err.Error())
			}
			b.WriteByte(recoveryAlphabet[n.Int64()])
		}
		codes[i] = b.String()
	}
	return codes
}

// HashRecoveryCode is the stored form of a normalized code: an HMAC under
// the server's key, so a copy of the database alone does not reveal codes
// nor allow guessing them offline.
func HashRecoveryCode(key []byte, normalized string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("padlock recovery code\x00"))
	m.Write([]byte(normalized))
	return m.Sum(nil)
}

func isRecovery(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(recoveryAlphabet, r) {
			return false
		}
	}
	return true
}
