package padlock

import (
	"slices"
	"time"
)

// SSOConfig is one account's single sign-on with a SAML 2.0 identity
// provider (IdP): how to reach and trust the IdP, and how an SSO sign-in
// meets the account's MFA requirement.
type SSOConfig struct {
	AccountID int64
	// PublicID names the account in its SSO addresses (/sso/{PublicID}/…)
	// without revealing the account's number.
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
	// JIT creates a user of JITRole at the first sign-in of an unknown
	// email; off by default.
	JIT     bool
	JITRole Role
	// Enforce refuses password sign-in to everyone but BreakGlass.
	Enforce    bool
	BreakGlass []int64 // user IDs
	// Domains send "Sign in with SSO" for an email at one of them here.
	Domains []string
	// LastTestAt is the last successful "Test connection" since the IdP
	// connection last changed; zero if none.
	LastTestAt time.Time
	UpdatedAt  time.Time
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
