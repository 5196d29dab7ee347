package sso

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/crewjam/saml"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Attribute is one attribute of an assertion, as a test shows it.
type Attribute struct {
	Name   string
	Values []string
}

// assertionInfo is what Padlock reads from a verified assertion.
type assertionInfo struct {
	NameID       string
	NameIDFormat string
	Email        string
	AuthnContext string
	Attributes   []Attribute
}

// emailAttributes are the names IdPs give the email attribute, for IdPs
// whose NameID is not the email: the URIs of LDAP, Entra ID and ADFS, and
// the plain names Okta, OneLogin, Google and Keycloak mappings use.
var emailAttributes = []string{
	"urn:oid:0.9.2342.19200300.100.1.3",
	"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
	"email", "mail", "emailaddress", "user.email",
}

func readAssertion(a *saml.Assertion) assertionInfo {
	var info assertionInfo
	if a.Subject != nil && a.Subject.NameID != nil {
		info.NameID, info.NameIDFormat = strings.TrimSpace(a.Subject.NameID.Value), a.Subject.NameID.Format
	}
	for _, st := range a.AuthnStatements {
		if ref := st.AuthnContext.AuthnContextClassRef; ref != nil && info.AuthnContext == "" {
			info.AuthnContext = strings.TrimSpace(ref.Value)
		}
	}
	for _, st := range a.AttributeStatements {
		for _, at := range st.Attributes {
			name := at.Name
			if at.FriendlyName != "" {
				name = at.FriendlyName + " (" + at.Name + ")"
			}
			attr := Attribute{Name: name}
			for _, v := range at.Values {
				attr.Values = append(attr.Values, v.Value)
			}
			info.Attributes = append(info.Attributes, attr)
			if info.Email == "" && len(attr.Values) > 0 && isEmailAttribute(at) {
				info.Email = emailOrEmpty(attr.Values[0])
			}
		}
	}
	// The NameID wins when it is an email address: it is what the
	// documentation asks administrators to send.
	if e := emailOrEmpty(info.NameID); e != "" {
		info.Email = e
	}
	return info
}

func isEmailAttribute(at saml.Attribute) bool {
	return slices.Contains(emailAttributes, strings.ToLower(at.Name)) || slices.Contains(emailAttributes, strings.ToLower(at.FriendlyName))
}

func emailOrEmpty(s string) string {
	e, err := padlock.NormalizeEmail(s)
	if err != nil {
		return ""
	}
	return e
}

// TestResult is what "Test connection" shows: what the IdP sent and
// whether Padlock could use it. No session is started.
type TestResult struct {
	OK            bool
	Problem       string
	NameID        string
	NameIDFormat  string
	Email         string
	User          string // the matching user of the account or portal
	AuthnContext  string
	AcceptedAsMFA bool // with the current settings
	Attributes    []Attribute
}

// finishTest reports a connection test to the Administrator who started it.
// It succeeds when the assertion names, by email, an active user of the
// tenant (a member of the account's staff, or a user of the portal): then
// SSO will sign at least that person in.
func (s *Service) finishTest(ctx context.Context, rec *store.SSORecord, adminID int64, info assertionInfo, address string) (*TestResult, error) {
	admin, err := s.DB.Conn().UserByID(ctx, adminID)
	if err != nil && !errors.Is(err, padlock.ErrNotFound) {
		return nil, err
	}
	if admin == nil || admin.AccountID != rec.AccountID || admin.Status != padlock.StatusActive || mayManage(actorOf(admin)) != nil {
		return nil, padlock.Errorf(padlock.EFORBIDDEN, "Only an Administrator of the account may see a connection test.")
	}
	res := &TestResult{NameID: info.NameID, NameIDFormat: info.NameIDFormat, Email: info.Email, AuthnContext: info.AuthnContext,
		Attributes: info.Attributes, AcceptedAsMFA: rec.AcceptIDPMFA && slices.Contains(rec.MFAContexts, info.AuthnContext)}
	res.User, res.Problem, err = s.testUser(ctx, rec.Tenant(), info.Email)
	if err != nil {
		return nil, err
	}
	res.OK = res.Problem == ""
	e := padlock.Event{AccountID: rec.AccountID, PortalID: rec.PortalID, ActorID: admin.ID, Kind: padlock.EventSSOTested, Address: address}
	if res.OK {
		e.Detail = "succeeded for " + res.Email
		if err := s.DB.Conn().RecordSSOTest(ctx, rec.Tenant(), s.now()); err != nil {
			return nil, err
		}
	} else {
		e.Detail = "failed: " + res.Problem
	}
	s.record(ctx, e)
	return res, nil
}

func (s *Service) testUser(ctx context.Context, t padlock.SSOTenant, email string) (user, problem string, err error) {
	if email == "" {
		return "", "The identity provider sent no email address. Send the email as the NameID (format emailAddress), or as an attribute named email.", nil
	}
	c, err := s.DB.Conn().CredentialsByEmail(ctx, email)
	if errors.Is(err, padlock.ErrNotFound) {
		return "", email + " is not a user of " + tenantName(t) + ".", nil
	} else if err != nil {
		return "", "", err
	}
	if !t.Has(c.User) || c.User.Status != padlock.StatusActive {
		return "", email + " is not an active user of " + tenantName(t) + ".", nil
	}
	return c.User.DisplayName() + " (" + c.User.Role.Label() + ")", "", nil
}

// tenantName is how the pages name a tenant: "this account" or "this
// portal".
func tenantName(t padlock.SSOTenant) string {
	if t.IsPortal() {
		return "this portal"
	}
	return "this account"
}
