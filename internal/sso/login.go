package sso

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/crewjam/saml"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// ErrNoSSO answers an SSO address of no account or portal, one of the other
// surface, or one whose SSO is off.
var ErrNoSSO = &padlock.Error{Code: padlock.ENOTFOUND, Message: "Single sign-on is not available at this address. Sign in with your password, or ask your administrator for the right link."}

// NewBrowserBinding returns a fresh value for the cookie that ties an
// AuthnRequest to the browser that started it.
func NewBrowserBinding() string { return randomID(32) }

// StartSignIn begins a sign-in at the identity provider of the tenant that
// the SSO address on surface sf names, and returns the address to send the
// browser to (the HTTP-Redirect binding). binding is the browser's
// request-tracking cookie; address is the client's, who may hold only
// padlock.MaxPendingSignInsPerClient unanswered requests (beyond that a
// *auth.RetryLater with code ERATELIMITED, until the earliest expires);
// next is where to land afterwards, already checked by the caller.
func (s *Service) StartSignIn(ctx context.Context, sf padlock.Surface, publicID, binding, address, next string) (string, error) {
	rec, err := s.configAt(ctx, sf, publicID)
	if err != nil {
		return "", err
	}
	if !rec.Enabled || !rec.Configured() {
		return "", ErrNoSSO
	}
	r := store.SSORequest{Purpose: purposeSignIn, Client: auth.SignInClient(address), Next: next}
	return s.start(ctx, rec, binding, r, s.Auth.PendingSignInCap())
}

// StartTest begins "Test connection" of the account's (portalID 0) or a
// portal's IdP: a sign-in at the IdP whose answer is shown to the
// administrator instead of starting a session. It works before SSO is
// turned on, which is the point of it. It is not held to a client's cap:
// only a signed-in Administrator can start one, and a busy office behind
// the same address must not keep them from testing.
func (s *Service) StartTest(ctx context.Context, actor auth.Actor, portalID int64, binding string) (string, error) {
	rec, err := s.Settings(ctx, actor, portalID)
	if err != nil {
		return "", err
	}
	if !rec.Configured() {
		return "", padlock.Errorf(padlock.ECONFLICT, "Connect an identity provider before you test the connection.")
	}
	return s.start(ctx, rec, binding, store.SSORequest{Purpose: purposeTest, UserID: actor.User.ID}, 0)
}

// start makes an AuthnRequest and remembers it for its tenant as r (its
// purpose, who, where to land): its ID, which the answer must name in
// InResponseTo, under a fresh RelayState, bound to the browser's cookie. A
// client holding max requests (0: no cap) gets none.
func (s *Service) start(ctx context.Context, rec *store.SSORecord, binding string, r store.SSORequest, max int) (string, error) {
	if binding == "" {
		return "", errors.New("sso: no browser binding")
	}
	sp, err := s.provider(ctx, rec, false)
	if err != nil {
		return "", err
	}
	req, err := sp.MakeAuthenticationRequest(rec.IDPSSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", err
	}
	relay, now := randomID(16), s.now()
	r.AccountID, r.PortalID, r.RelayHash, r.BindingHash, r.RequestID = rec.AccountID, rec.PortalID, digest(relay), digest(binding), req.ID
	r.CreatedAt, r.ExpiresAt = now, now.Add(requestTTL)
	var full time.Time
	err = s.DB.InTx(ctx, func(tx *store.Queries) error {
		var err error
		full, err = tx.CreateSSORequest(ctx, &r, max)
		return err
	})
	if err != nil {
		return "", err
	}
	if !full.IsZero() {
		return "", auth.TooManySignIns("with single sign-on", "", full, now)
	}
	u, err := req.Redirect(relay, sp)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func digest(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
