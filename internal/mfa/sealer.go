package mfa

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
)

// Sealer encrypts factor secrets at rest with AES-256-GCM under a key
// derived from the server's secret key. Each ciphertext is bound to its user
// and purpose, so a row copied onto another user does not open.
type Sealer struct {
	aead        cipher.AEAD
	hmacKey     []byte
	fingerprint string
}

// NewSealer derives the encryption and HMAC keys from the server key.
func NewSealer(serverKey []byte) (*Sealer, error) {
	if len(serverKey) != 32 {
		return nil, errors.New("mfa: the server key must be 32 bytes")
	}
	block, err := aes.NewCipher(derive(serverKey, "padlock factor encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	fp := derive(derive(serverKey, "padlock key fingerprint"), "padlock installation secret key v1")
	return &Sealer{aead: aead, hmacKey: derive(serverKey, "padlock recovery codes"), fingerprint: hex.EncodeToString(fp)}, nil
}

// Fingerprint names the server key without revealing it: a keyed hash of a
// fixed label under a key derived from the server key. Nodes with the same
// key have the same fingerprint; the database keeps the first node's.
func (s *Sealer) Fingerprint() string { return s.fingerprint }

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// RecoveryKey is the key for HashRecoveryCode.
func (s *Sealer) RecoveryKey() []byte { return s.hmacKey }

func additional(userID int64, purpose string) []byte {
	return []byte(purpose + ":" + strconv.FormatInt(userID, 10))
}

// Seal encrypts plaintext for one user and purpose.
func (s *Sealer) Seal(userID int64, purpose string, plaintext []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("mfa: no randomness: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, plaintext, additional(userID, purpose))
}

// ErrUnsealable means a ciphertext was tampered with, belongs to someone
// else, or was sealed under another server key.
var ErrUnsealable = errors.New("mfa: cannot decrypt a stored secret (was the server key changed?)")

// Open decrypts what Seal made for the same user and purpose.
func (s *Sealer) Open(userID int64, purpose string, sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrUnsealable
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], additional(userID, purpose))
	if err != nil {
		return nil, ErrUnsealable
	}
	return out, nil
}
