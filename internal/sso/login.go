package sso

import (
	"context"
	"crypto/sha256"
	"errors"

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
// request-tracking cookie; next is where to land afterwards, already
// checked by the caller.
func (s *Service) StartSignIn(ctx context.Context, sf padlock.Surface, publicID, binding, next string) (string, error) {
	rec, err := s.configAt(ctx, sf, publicID)
	if err != nil {
		return "", err
	}
	if !rec.Enabled || !rec.Configured() {
		return "", ErrNoSSO
	}
	return s.start(ctx, rec, binding, purposeSignIn, 0, next)
}

// StartTest begins "Test connection" of the account's (portalID 0) or a
// portal's IdP: a sign-in at the IdP whose answer is shown to the
// administrator instead of starting a session. It works before SSO is
// turned on, which is the point of it.
func (s *Service) StartTest(ctx context.Context, actor auth.Actor, portalID int64, binding string) (string, error) {
	rec, err := s.Settings(ctx, actor, portalID)
	if err != nil {
		return "", err
	}
	if !rec.Configured() {
		return "", padlock.Errorf(padlock.ECONFLICT, "Connect an identity provider before you test the connection.")
	}
	return s.start(ctx, rec, binding, purposeTest, actor.User.ID, "")
}

// start makes an AuthnRequest and remembers it for its tenant: its ID,
// which the answer must name in InResponseTo, under a fresh RelayState,
// bound to the browser's cookie.
func (s *Service) start(ctx context.Context, rec *store.SSORecord, binding, purpose string, userID int64, next string) (string, error) {
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
	err = s.DB.Conn().CreateSSORequest(ctx, &store.SSORequest{
		AccountID: rec.AccountID, PortalID: rec.PortalID, RelayHash: digest(relay), BindingHash: digest(binding), RequestID: req.ID,
		Purpose: purpose, UserID: userID, Next: next, CreatedAt: now, ExpiresAt: now.Add(requestTTL),
	})
	if err != nil {
		return "", err
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
