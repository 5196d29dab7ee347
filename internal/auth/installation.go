package auth

import (
	"context"
	"errors"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// ErrKeyMismatch means this node's secret key is not the installation's: it
// could read no authenticator secret and match no recovery code, so the node
// must not serve.
var ErrKeyMismatch = errors.New("the secret key does not match the one this database was set up with; " +
	"every node must use the same PADLOCK_SECRET_KEY (or secret.key) as the node that first started on it")

// CheckSecretKey makes sure the node's key is the installation's before it
// serves: it compares the key's fingerprint with the one in the database,
// recording it when there is none yet (the first node to start, or the
// first start after an upgrade). A database that holds factors but no
// fingerprint is only claimed by a key that opens them.
func (s *Service) CheckSecretKey(ctx context.Context) error {
	conn, fp := s.DB.Conn(), s.Sealer.Fingerprint()
	recorded, err := conn.KeyFingerprint(ctx)
	switch {
	case errors.Is(err, padlock.ErrNotFound):
		if err := s.opensStoredFactors(ctx); err != nil {
			return err
		}
		if recorded, err = conn.ClaimKeyFingerprint(ctx, fp, s.now()); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	if recorded != fp {
		return ErrKeyMismatch
	}
	return nil
}

// opensStoredFactors tries the key on one stored authenticator secret, if
// any: on an installation set up before fingerprints were recorded, the
// first node to start must not record a wrong key.
func (s *Service) opensStoredFactors(ctx context.Context) error {
	userID, sealed, err := s.DB.Conn().AnyTOTPFactor(ctx)
	if errors.Is(err, padlock.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.Sealer.Open(userID, purposeTOTP, sealed); err != nil {
		return ErrKeyMismatch
	}
	return nil
}
