package auth

import "github.com/padlock-mfa/padlock/internal/padlock"

// ErrSecretUnreadable answers a request that needs a stored factor secret
// this node cannot decrypt. It is not the user's mistake, so it counts as
// no wrong code; the cause (a node with another key, a damaged row) is
// logged for the operator.
var ErrSecretUnreadable = &padlock.Error{Code: padlock.EUNAVAILABLE, Message: "MFA codes cannot be checked right now. Please try again in a moment."}

// open decrypts a factor secret of the user, logging and answering
// ErrSecretUnreadable when it does not open.
func (s *Service) open(userID int64, purpose string, sealed []byte) ([]byte, error) {
	secret, err := s.Sealer.Open(userID, purpose, sealed)
	if err != nil {
		s.Logger.Error("a stored factor secret does not decrypt under this node's secret key", "user_id", userID, "purpose", purpose, "err", err)
		return nil, ErrSecretUnreadable
	}
	return secret, nil
}
