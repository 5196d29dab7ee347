package padlock

import (
	"slices"
	"time"
)

// SSOTenant is whose single sign-on a configuration is: an account's staff
// (PortalID 0) or the users of one of its client portals. Each tenant
// trusts its own identity provider and has its own service-provider
// addresses; a response for one tenant is refused by every other.
type SSOTenant struct {
	AccountID int64
	PortalID  int64
}

// IsPortal reports whether the tenant is a client portal.
func (t SSOTenant) IsPortal() bool { return t.PortalID != 0 }

// Has reports whether u is one of the tenant's users: a member of the
// account's staff, or a user of the portal.
func (t SSOTenant) Has(u *User) bool { return u.AccountID == t.AccountID && u.PortalID == t.PortalID }

// Surface is where the tenant's users sign in.
func (t SSOTenant) Surface() Surface {
	if t.IsPortal() {
		return SurfacePortal
	}
	return SurfaceAccount
}

// TenantOf is the tenant whose identity provider speaks for u.
func TenantOf(u *User) SSOTenant { return SSOTenant{AccountID: u.AccountID, PortalID: u.PortalID} }

// SSOConfig is one tenant's single sign-on with a SAML 2.0 identity
// provider (IdP): how to reach and trust the IdP, and how an SSO sign-in
// meets the MFA requirement of the account or the portal.
type SSOConfig struct {
	AccountID int64
	// PortalID is the client portal whose users this IdP signs in; 0 for
	// the account's staff.
	PortalID int64
	// PublicID names the tenant in its SSO addresses (/sso/{PublicID}/…,
	// /portal/sso/{PublicID}/… for a portal) without revealing its number.
	PublicID string
	Enabled  bool

	// The identity provider, as entered or read from its metadata.
	IDPEntityID     string
	IDPSSOURL       string
	IDPCertificates string // PEM, one or more signing certificates
	IDPMetadataURL  string // as given, when the metadata was fetched
	IDPMetadataXML  string // as given or fetched

	// AcceptIDPMFA lets an assertion whose AuthnContextClassRef is one of
	// MFAContexts stand in for a Padlock factor.
	AcceptIDPMFA bool
	MFAContexts  []string
	// PhishingResistantContexts are the accepted contexts whose MFA also
	// counts as phishing-resistant (a FIDO key at the IdP, say).
	PhishingResistantContexts []string
	// AllowIDPInitiated accepts sign-ins started at the IdP (no request of
	// ours to answer); they are still signed, timed and used once.
	AllowIDPInitiated bool
	// JIT creates a user of JITRole (a portal role for a portal) at the
	// first sign-in of an unknown email; off by default.
	JIT     bool
	JITRole Role
	// Enforce refuses password sign-in to everyone but BreakGlass.
	Enforce    bool
	BreakGlass []int64 // user IDs
	// Domains send "Sign in with SSO" for an email at one of them here
	// (the account's only).
	Domains []string
	// LastTestAt is the last successful "Test connection" since the IdP
	// connection last changed; zero if none.
	LastTestAt time.Time
	UpdatedAt  time.Time
}

// Tenant is whose configuration this is.
func (c *SSOConfig) Tenant() SSOTenant {
	return SSOTenant{AccountID: c.AccountID, PortalID: c.PortalID}
}

// Configured reports whether the IdP connection is complete.
func (c *SSOConfig) Configured() bool {
	return c.IDPEntityID != "" && c.IDPSSOURL != "" && c.IDPCertificates != ""
}

// Enforced reports whether password sign-in is closed to all but the
// break-glass users: only while SSO itself is on.
func (c *SSOConfig) Enforced() bool { return c.Enabled && c.Enforce }

// AcceptsIDPMFA reports whether an assertion with this authentication
// context satisfies the MFA requirement without a Padlock factor.
func (c *SSOConfig) AcceptsIDPMFA(classRef string) bool {
	return c.Enabled && c.AcceptIDPMFA && classRef != "" && slices.Contains(c.MFAContexts, classRef)
}

// IDPMFAPhishingResistant reports whether an accepted assertion with this
// context also meets a phishing-resistant requirement.
func (c *SSOConfig) IDPMFAPhishingResistant(classRef string) bool {
	return c.AcceptsIDPMFA(classRef) && slices.Contains(c.PhishingResistantContexts, classRef)
}

// IsBreakGlass reports whether the user may still sign in with a password
// while SSO is enforced.
func (c *SSOConfig) IsBreakGlass(userID int64) bool { return slices.Contains(c.BreakGlass, userID) }

// SSO event kinds, filtered together as "sso" on the Activity screen (see
// EventCategories). A completed SSO sign-in is also an EventSignIn.
const (
	EventSSOSignIn      = "sso_sign_in"
	EventSSOFailed      = "sso_failed"
	EventSSOSettings    = "sso_settings_changed"
	EventSSOIDPChanged  = "sso_idp_changed"
	EventSSOTested      = "sso_tested"
	EventSSOUserCreated = "sso_user_created"
)
