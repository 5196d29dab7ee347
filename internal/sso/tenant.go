package sso

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Every configuration belongs to a tenant: the account's staff, or one of
// its client portals. An Administrator of the account manages both; which
// one a call is about is the portal id it names, 0 for the account's own,
// always within the Administrator's account.

// tenantOf is the tenant a settings call is about: the actor's account, or
// one of its portals. A portal of another account is not found.
func (s *Service) tenantOf(ctx context.Context, actor auth.Actor, portalID int64) (padlock.SSOTenant, error) {
	if err := mayManage(actor); err != nil {
		return padlock.SSOTenant{}, err
	}
	t := padlock.SSOTenant{AccountID: actor.User.AccountID, PortalID: portalID}
	if portalID == 0 {
		return t, nil
	}
	if _, err := s.DB.Conn().Portal(ctx, t.AccountID, portalID); err != nil {
		return padlock.SSOTenant{}, err
	}
	return t, nil
}

// Settings returns the SSO settings of the account (portalID 0) or of one
// of its portals for the settings page, creating them (disabled, with a new
// SP key pair) on the first visit: the administrator needs the SP's
// addresses before the IdP can be set up.
func (s *Service) Settings(ctx context.Context, actor auth.Actor, portalID int64) (*store.SSORecord, error) {
	t, err := s.tenantOf(ctx, actor, portalID)
	if err != nil {
		return nil, err
	}
	rec, err := s.DB.Conn().SSOConfig(ctx, t)
	if !errors.Is(err, padlock.ErrNotFound) {
		return rec, err
	}
	rec, err = s.newRecord(t)
	if err != nil {
		return nil, err
	}
	if err := s.DB.Conn().CreateSSOConfig(ctx, rec, s.now()); err != nil {
		return nil, err
	}
	return s.DB.Conn().SSOConfig(ctx, t)
}

// newRecord makes the SP's identity: an address name and a key pair.
func (s *Service) newRecord(t padlock.SSOTenant) (*store.SSORecord, error) {
	certPEM, sealed, err := s.newKeyPair(t)
	if err != nil {
		return nil, err
	}
	return &store.SSORecord{SSOConfig: padlock.SSOConfig{AccountID: t.AccountID, PortalID: t.PortalID, PublicID: randomID(10)},
		SPCertificate: certPEM, SPKeySealed: sealed}, nil
}

// randomID returns n random bytes as lower-case base32: safe in a path.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// configAt returns the settings named by an SSO address on a surface: the
// account's under /sso/, a portal's under /portal/sso/. An address of the
// other surface names nothing, so no tenant's response, request or
// metadata is ever reached through another's addresses.
func (s *Service) configAt(ctx context.Context, sf padlock.Surface, publicID string) (*store.SSORecord, error) {
	rec, err := s.DB.Conn().SSOConfigByPublicID(ctx, publicID)
	switch {
	case errors.Is(err, padlock.ErrNotFound):
		return nil, ErrNoSSO
	case err != nil:
		return nil, err
	case rec.Tenant().Surface() != sf:
		return nil, ErrNoSSO
	}
	return rec, nil
}

// spBase is where a tenant's SSO addresses live: under /sso/ for the
// account, under /portal/sso/ for a portal, so that a portal's sign-in
// ends on the portal's surface with the portal's cookie.
func (s *Service) spBase(c *padlock.SSOConfig) string {
	return s.BaseURL + c.Tenant().Surface().Prefix() + "/sso/" + c.PublicID
}

func (s *Service) entityID(c *padlock.SSOConfig) string { return s.spBase(c) + "/metadata" }
func (s *Service) acsURL(c *padlock.SSOConfig) string   { return s.spBase(c) + "/acs" }

// SPInfo is what the administrator copies into the identity provider.
type SPInfo struct {
	EntityID    string
	ACSURL      string
	MetadataURL string
	// SignInURL starts an SSO sign-in at once (a bookmark, the IdP's
	// "sign-on URL").
	SignInURL string
	// SignInPageURL is a portal's own sign-in page, which offers "Sign in
	// with SSO" beside the password while the portal's SSO is on; "" for
	// the account, whose sign-in page finds the IdP by email.
	SignInPageURL string
}

// SP returns the service provider's addresses for a tenant.
func (s *Service) SP(c *padlock.SSOConfig) SPInfo {
	info := SPInfo{EntityID: s.entityID(c), ACSURL: s.acsURL(c), MetadataURL: s.entityID(c), SignInURL: s.spBase(c) + "/login"}
	if c.PortalID != 0 {
		info.SignInPageURL = s.BaseURL + PortalSignInPath(c.PublicID)
	}
	return info
}

// PortalSignInPath is the path of a portal's own sign-in page.
func PortalSignInPath(publicID string) string { return "/portal/login?sso=" + publicID }

// PortalSignIn returns where a portal's sign-in page sends "Sign in with
// SSO", or "" when the address names no portal whose SSO is on: the page
// then offers the password alone.
func (s *Service) PortalSignIn(ctx context.Context, publicID string) (string, error) {
	rec, err := s.configAt(ctx, padlock.SurfacePortal, publicID)
	switch {
	case errors.Is(err, ErrNoSSO):
		return "", nil
	case err != nil:
		return "", err
	case !rec.Enabled || !rec.Configured():
		return "", nil
	}
	return "/portal/sso/" + rec.PublicID + "/login", nil
}
