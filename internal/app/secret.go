package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/padlock-mfa/padlock/internal/config"
)

const secretKeyFile = "secret.key"

// loadSecretKey returns the server's 32-byte key: from PADLOCK_SECRET_KEY
// (which every node behind a load balancer must share), else from the data
// directory, generating it (mode 0600) on first run. It encrypts factor
// secrets at rest.
func loadSecretKey(cfg config.Config) ([]byte, error) {
	if cfg.SecretKey != "" {
		return decodeKey(cfg.SecretKey, "PADLOCK_SECRET_KEY")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("PADLOCK_SECRET_KEY is required without a data directory")
	}
	path := filepath.Join(cfg.DataDir, secretKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return decodeKey(string(b), path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		return nil, err
	}
	return key, f.Sync()
}

// secretKeySource says where loadSecretKey took the key from, for messages.
func secretKeySource(cfg config.Config) string {
	if cfg.SecretKey != "" {
		return "PADLOCK_SECRET_KEY"
	}
	return filepath.Join(cfg.DataDir, secretKeyFile)
}

func decodeKey(s, from string) ([]byte, error) {
	key, err := config.DecodeSecretKey(s)
	if err != nil {
		return nil, fmt.Errorf("%s: the secret key %w", from, err)
	}
	return key, nil
}
