package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Sign-in with a passkey alone: a discoverable credential, the user verified
// by the authenticator. It proves what a password and a passkey as second
// factor prove together (first step "passkey", proof ProofWebAuthn) and
// then enters beginSession like any sign-in, so the requirement, the
// surface, lockout, deactivation and SSO enforcement all apply.

var (
	// ErrPasskeySignInRefused is every refusal of a sign-in with a passkey:
	// unknown credential, wrong surface, deactivated, locked, SSO enforced,
	// or an answer that did not verify. Like a wrong password, it tells
	// nothing more.
	ErrPasskeySignInRefused = padlock.FieldError("passkey", "That passkey was not accepted. Sign in with your email and password instead.").WithCode(padlock.EUNAUTHORIZED)
	// ErrPasskeySignInExpired answers an answer with no challenge to meet:
	// used already, expired, or asked for by another browser.
	ErrPasskeySignInExpired = padlock.FieldError("passkey", "Signing in with a passkey timed out. Try again.").WithCode(padlock.EUNAUTHORIZED)
	errNoSignInAnswer       = padlock.FieldError("passkey", "Your browser did not answer with a passkey. Try again, or sign in with your email and password.")
)

// BeginPasskeySignIn makes the challenge of a sign-in with a passkey alone
// on a surface: stored in the database under the hash of a new token for
// the browser's cookie, valid for a few minutes. It returns the token and
// the options for the browser. The challenge under previous (the token the
// same browser held, if any) is replaced. A client (by address) holding
// padlock.MaxPendingSignInsPerClient unexpired challenges gets none: a
// *RetryLater with code ERATELIMITED, until the earliest expires.
func (s *Service) BeginPasskeySignIn(ctx context.Context, surface padlock.Surface, previous, address string) (token, options string, err error) {
	if s.rp == nil {
		return "", "", ErrPasskeysOff
	}
	assertion, sd, err := s.rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return "", "", err
	}
	opts, err := json.Marshal(assertion)
	if err != nil {
		return "", "", err
	}
	sd.Expires = time.Time{} // expiry is the stored row's, on the node's clock
	data, err := json.Marshal(ceremony{Session: *sd, Options: opts})
	if err != nil {
		return "", "", err
	}
	token, hash := NewToken()
	var replaces []byte
	if previous != "" {
		replaces = HashToken(previous)
	}
	var full time.Time
	err = s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		c := store.SignInChallenge{TokenHash: hash, Surface: surface, Client: SignInClient(address), Data: data, Expires: q.Now.Add(passkeyChallengeTTL)}
		var saveErr error
		full, saveErr = tx.SaveSignInChallenge(ctx, c, replaces, s.PendingSignInCap(), q.Now)
		return saveErr
	})
	if err != nil {
		return "", "", err
	}
	if !full.IsZero() {
		return "", "", TooManySignIns("with a passkey", ", or sign in with your email and password", full, s.now())
	}
	return token, string(opts), nil
}

// SignInWithPasskey checks the answer to the challenge of the browser's
// token (used up by this call, right or wrong) and, for an active,
// unlocked user of this surface whom SSO enforcement does not keep out,
// starts a session through beginSession in the same transaction.
func (s *Service) SignInWithPasskey(ctx context.Context, surface padlock.Surface, token, response, address string) (*SignedIn, error) {
	if s.rp == nil {
		return nil, ErrPasskeysOff
	}
	if strings.TrimSpace(response) == "" {
		return nil, errNoSignInAnswer
	}
	var (
		out     *SignedIn
		outcome error
		refusal signInRefusal
	)
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		data, err := tx.TakeSignInChallenge(ctx, HashToken(token), surface, q.Now)
		if errors.Is(err, padlock.ErrNotFound) {
			outcome = ErrPasskeySignInExpired
			return nil
		} else if err != nil {
			return err
		}
		u, p, why, err := s.verifySignIn(ctx, tx, q, surface, data, response, address)
		if err != nil {
			return err
		}
		if u == nil {
			outcome, refusal = ErrPasskeySignInRefused, why
			return nil
		}
		out, err = s.beginSession(ctx, tx, sessionStart{user: u, first: padlock.FirstPasskey, proved: padlock.ProofWebAuthn, address: address}, q.Now)
		if err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{User: u, Address: address}, padlock.EventPasskeyUsed, u.ID, p.Name+" (sign-in with a passkey alone)", q.Now))
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		if refusal.user != nil || refusal.reason != "" {
			s.recordPasskeyRefusal(ctx, refusal, address)
		}
		return nil, outcome
	}
	return out, nil
}

// signInRefusal is why a sign-in with a passkey was refused, for the audit
// log: the user when the credential named one.
type signInRefusal struct {
	user   *padlock.User
	reason string
}

// verifySignIn finds the user the answer names (by its credential, which
// must be theirs by its user handle too), checks who may sign in here, and
// verifies the answer. It returns the user (row locked) and the passkey,
// or nil and why not.
func (s *Service) verifySignIn(ctx context.Context, tx *store.Queries, q *MailQueue, surface padlock.Surface, data []byte, response, address string) (*padlock.User, *padlock.Passkey, signInRefusal, error) {
	cer, err := readCeremony(data)
	if err != nil {
		return nil, nil, signInRefusal{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(response))
	if err != nil {
		return nil, nil, signInRefusal{reason: "unreadable passkey answer"}, nil
	}
	p, err := tx.PasskeyByCredentialID(ctx, parsed.RawID)
	if errors.Is(err, padlock.ErrNotFound) {
		return nil, nil, signInRefusal{reason: "unknown passkey"}, nil
	} else if err != nil {
		return nil, nil, signInRefusal{}, err
	}
	creds, err := tx.LockUser(ctx, p.UserID)
	if err != nil {
		return nil, nil, signInRefusal{}, err
	}
	u := creds.User
	if why, err := s.mayUsePasskeySignIn(ctx, tx, creds, surface, q.Now); err != nil || why != "" {
		return nil, nil, signInRefusal{user: u, reason: why}, err
	}
	all, err := tx.Passkeys(ctx, u.ID)
	if err != nil {
		return nil, nil, signInRefusal{}, err
	}
	wu := webauthnUser{u: u, creds: all}
	handler := func(rawID, handle []byte) (webauthn.User, error) {
		if !bytes.Equal(handle, userHandle(u.ID)) {
			return nil, fmt.Errorf("user handle of another user")
		}
		return wu, nil
	}
	_, cred, err := s.rp.ValidatePasskeyLogin(handler, cer.Session, parsed)
	if err != nil {
		s.Logger.Info("passkey sign-in refused", "user", u.ID, "err", err)
		return nil, nil, signInRefusal{user: u, reason: "passkey answer not verified"}, nil
	}
	if why, err := s.useCounter(ctx, tx, q, u, p, cred, parsed.Response.AuthenticatorData.Counter, address); err != nil || why != "" {
		return nil, nil, signInRefusal{user: u, reason: why}, err
	}
	return u, p, signInRefusal{}, nil
}

// mayUsePasskeySignIn says why the user may not sign in here now, or "".
// An account or portal that enforces SSO keeps its users to the identity
// provider: only its break-glass users may sign in with a passkey, as with
// a password.
func (s *Service) mayUsePasskeySignIn(ctx context.Context, tx *store.Queries, creds *store.Credentials, surface padlock.Surface, now time.Time) (string, error) {
	u := creds.User
	switch {
	case u.Surface() != surface:
		return "passkey of the other surface", nil
	case u.Status != padlock.StatusActive:
		return "user " + string(u.Status), nil
	case creds.Locked(now):
		return "locked", nil
	}
	cfg, err := tx.SSOConfig(ctx, padlock.TenantOf(u))
	if errors.Is(err, padlock.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if cfg.Enforced() && !cfg.IsBreakGlass(u.ID) {
		return "passkey sign-in refused: SSO is enforced", nil
	}
	return "", nil
}

// recordPasskeyRefusal audits a refused sign-in with a passkey after its
// transaction (which used up the challenge) committed.
func (s *Service) recordPasskeyRefusal(ctx context.Context, r signInRefusal, address string) {
	var accountID, userID int64
	if r.user != nil {
		accountID, userID = r.user.AccountID, r.user.ID
	}
	e := Event(accountID, Actor{Address: address}, padlock.EventSignInFailed, userID, r.reason, s.now())
	if err := s.DB.Conn().RecordEvent(ctx, e); err != nil {
		s.Logger.Warn("recording a refused passkey sign-in", "err", err)
	}
}
