package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// APIKeyPrefix starts every API key, so a key pasted somewhere it should
// not be is recognisable (and secret scanners can match it).
const APIKeyPrefix = "pdk_"

// apiKeyLen is the length of a key: the prefix and 256 random bits.
var apiKeyLen = len(APIKeyPrefix) + base64.RawURLEncoding.EncodedLen(32)

// shownPrefix is how much of a key lists show: enough to tell keys apart,
// far too little to guess the rest.
const shownPrefix = len(APIKeyPrefix) + 8

// RecentFactor is how recently a session must have proved a second factor
// to make an API key without typing a code again.
const RecentFactor = 5 * time.Minute

// ErrBadAPIKey answers a key that is unknown, revoked or expired: the
// same answer for each, so a caller learns nothing about other keys.
var ErrBadAPIKey = padlock.Errorf(padlock.EUNAUTHORIZED, "This API key is not valid: it is unknown, revoked or expired.")

// ErrAPIKeySuspended answers a key whose maker is no longer an active
// Administrator of the account: a key acts on its maker's authority, so it
// stops when they lose it (and works again if they get it back).
var ErrAPIKeySuspended = padlock.Errorf(padlock.EKEYSUSPENDED, "This API key is suspended: the Administrator who made it is no longer an active Administrator of the account. An Administrator can make a new key under Account > API keys, and revoke this one.")

// ErrNeedsOwnMFA refuses to make an API key for a user without MFA: making
// one needs a second factor proved.
var ErrNeedsOwnMFA = padlock.Errorf(padlock.ECONFLICT, "Set up MFA for yourself first: making an API key needs a second factor.")

// NewAPIKeyInput is what a person asks for when making a key.
type NewAPIKeyInput struct {
	Name      string
	Access    string
	ExpiresIn int // days; 0 for never
}

// KeyPrincipal is the user an API key acts as: the account's, with an
// Administrator's permissions, named after the key. It is no row of the
// users table (ID 0); the services' checks treat it as an Administrator,
// and the audit log names the key (Actor.Key).
func KeyPrincipal(k *padlock.APIKey) *padlock.User {
	return &padlock.User{AccountID: k.AccountID, Name: k.ActorLabel(), Role: padlock.RoleAdministrator, Status: padlock.StatusActive}
}

// CreateAPIKey makes a key for the caller's account and returns it, the
// only time it is seen. It needs a second factor proved recently: the
// session's own within RecentFactor, or a code (or recovery code) typed
// now, checked in the same transaction as the key is stored.
func (s *Service) CreateAPIKey(ctx context.Context, c *Current, in NewAPIKeyInput, code, address string) (string, *padlock.APIKey, error) {
	k, err := newAPIKey(c, in, s.now())
	if err != nil {
		return "", nil, err
	}
	if !c.User.HasMFA() {
		return "", nil, ErrNeedsOwnMFA
	}
	key := randomAPIKey()
	k.Prefix = key[:shownPrefix]
	err = s.withRecentFactor(ctx, c, code, address, func(tx *store.Queries, q *MailQueue) error {
		if err := tx.CreateAPIKey(ctx, k, HashToken(key)); err != nil {
			return err
		}
		detail := k.Name + " (" + strings.ToLower(k.Access.Label()) + ")"
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventAPIKeyCreated, 0, detail, q.Now))
	})
	if err != nil {
		return "", nil, err
	}
	return key, k, nil
}

func newAPIKey(c *Current, in NewAPIKeyInput, now time.Time) (*padlock.APIKey, error) {
	var fe padlock.FieldErrors
	name, err := padlock.NormalizeAPIKeyName(in.Name)
	addField(&fe, err)
	access, err := padlock.ParseAPIAccess(in.Access)
	addField(&fe, err)
	if in.ExpiresIn < 0 || in.ExpiresIn > padlock.MaxAPIKeyDays {
		fe.Add("expires_days", "Choose an expiry from 1 to 730 days, or none.")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	k := &padlock.APIKey{AccountID: c.User.AccountID, Name: name, Access: access, CreatedBy: c.User.ID, CreatedAt: now}
	if in.ExpiresIn > 0 {
		k.ExpiresAt = now.AddDate(0, 0, in.ExpiresIn)
	}
	return k, nil
}

// addField collects a one-field error into fe.
func addField(fe *padlock.FieldErrors, err error) {
	var e *padlock.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			fe.Add(f.Field, f.Message)
		}
	}
}

func randomAPIKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// withRecentFactor runs change in one transaction with the user's row
// held, when the session proved a second factor within RecentFactor or
// code is a current one (used up by the check, as for the other changes
// that ask for a code).
func (s *Service) withRecentFactor(ctx context.Context, c *Current, code, address string, change func(*store.Queries, *MailQueue) error) error {
	recent := c.Session.Proved != padlock.ProofNone && c.Session.Proved != padlock.ProofIDP &&
		s.now().Sub(c.Session.CreatedAt) <= RecentFactor
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.LockUser(ctx, c.User.ID); err != nil {
			return err
		}
		if !recent {
			if strings.TrimSpace(code) == "" {
				return padlock.FieldError("code", "Enter a code from your authenticator app (or a recovery code): you proved your second factor more than five minutes ago.")
			}
			proof, err := s.checkSecondFactor(ctx, tx, c.User.ID, code, q.Now)
			if err != nil {
				return onField(err, "code")
			}
			if proof == padlock.ProofRecovery {
				if err := s.recoveryCodeUsed(ctx, tx, q, c.User, address); err != nil {
					return err
				}
			}
		}
		return change(tx, q)
	})
}

// RevokeAPIKey revokes one of the caller's account's keys: from the next
// request on, on every node, it opens nothing.
func (s *Service) RevokeAPIKey(ctx context.Context, c *Current, id int64, address string) (*padlock.APIKey, error) {
	var k *padlock.APIKey
	err := s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		var err error
		if k, err = tx.APIKey(ctx, c.User.AccountID, id); err != nil {
			return err
		}
		revoked, err := tx.RevokeAPIKey(ctx, c.User.AccountID, id, q.Now)
		if err != nil || !revoked {
			return err
		}
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventAPIKeyRevoked, 0, k.Name, q.Now))
	})
	return k, err
}

// AuthenticateAPIKey finds the usable key and counts the request against
// its rate-limit window, reading its account in the same statement
// (store.UseAPIKey): the caller of a request made with a key. Nothing is
// cached, so a revoked or expired key is refused at once on every node, and
// so is a key whose maker is no longer an active Administrator.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string, window time.Duration) (*Current, *store.APIKeyUse, error) {
	if len(key) != apiKeyLen || !strings.HasPrefix(key, APIKeyPrefix) {
		return nil, nil, ErrBadAPIKey
	}
	conn := s.DB.Conn()
	use, err := conn.UseAPIKey(ctx, HashToken(key), s.now(), window)
	if errors.Is(err, padlock.ErrNotFound) {
		return nil, nil, ErrBadAPIKey
	} else if err != nil {
		return nil, nil, err
	}
	if use.Key.Suspended() {
		return nil, nil, ErrAPIKeySuspended
	}
	return &Current{User: KeyPrincipal(use.Key), Account: use.Account, Step: padlock.StepFull, APIKey: use.Key}, use, nil
}
