package sso

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"

	"github.com/crewjam/saml"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// ACSInput is what a browser posted to a tenant's assertion consumer
// service (HTTP-POST binding), with the browser's request-tracking cookie.
type ACSInput struct {
	// Surface is the surface of the ACS address: the account's (/sso/…)
	// or the portal's (/portal/sso/…).
	Surface      padlock.Surface
	PublicID     string
	SAMLResponse string
	RelayState   string
	Binding      string // the request-tracking cookie; "" when absent
	Address      string
}

// Outcome is what an accepted response led to: a sign-in (full or
// pending), or the result of a connection test, which starts no session.
type Outcome struct {
	SignedIn *auth.SignedIn
	Next     string // where the sign-in was going; unchecked
	Test     *TestResult
	Tenant   padlock.SSOTenant // whose ACS took the response
}

// ConsumeResponse checks a response posted to a tenant's ACS and acts on
// it. A refused response is audited and answered with a clear error
// (EUNAUTHORIZED), never an internal one.
func (s *Service) ConsumeResponse(ctx context.Context, in ACSInput) (*Outcome, error) {
	rec, err := s.configAt(ctx, in.Surface, in.PublicID)
	if err != nil {
		return nil, err
	}
	a, req, rj, err := s.verify(ctx, rec, in)
	if err != nil {
		return nil, err
	}
	if rj != nil {
		s.Logger.Info("SSO response refused", "account", rec.AccountID, "portal", rec.PortalID, "reason", rj.auditDetail(), "address", in.Address)
		s.record(ctx, padlock.Event{AccountID: rec.AccountID, PortalID: rec.PortalID, Kind: padlock.EventSSOFailed, Detail: rj.auditDetail(), Address: in.Address})
		return nil, rj.userError()
	}
	info := readAssertion(a)
	if req != nil && req.Purpose == purposeTest {
		res, err := s.finishTest(ctx, rec, req.UserID, info, in.Address)
		return &Outcome{Test: res, Tenant: rec.Tenant()}, err
	}
	signed, err := s.Auth.SignInWithSSO(ctx, rec.Tenant(), info.Email, info.AuthnContext, in.Address)
	if err != nil {
		return nil, err
	}
	out := &Outcome{SignedIn: signed, Tenant: rec.Tenant()}
	switch {
	case req != nil:
		out.Next = req.Next
	case strings.HasPrefix(in.RelayState, "/"):
		// An IdP-initiated sign-in may name a page; the caller keeps it on site.
		out.Next = in.RelayState
	}
	return out, nil
}

// verify runs every check on a response: its shape, the request it
// answers (named by RelayState, started by this browser, for this tenant),
// the shape of an encrypted assertion once decrypted, then signature,
// issuer, audience, recipient, time and replay in crewjam/saml, with the
// tenant's own IdP certificates, entity ID and ACS: an assertion another
// tenant's IdP signed, or one meant for another tenant (another account,
// the account rather than a portal, another portal), fails here.
func (s *Service) verify(ctx context.Context, rec *store.SSORecord, in ACSInput) (*saml.Assertion, *store.SSORequest, *rejection, error) {
	if !rec.Configured() {
		return nil, nil, reject(reasonNotConfigured, ""), nil
	}
	raw, rj := decodeResponse(in.SAMLResponse)
	if rj == nil {
		rj = checkShape(raw)
	}
	if rj != nil {
		return nil, nil, rj, nil
	}
	req, rj, err := s.takeRequest(ctx, rec, in)
	if err != nil || rj != nil {
		return nil, nil, rj, err
	}
	idpInitiated := req == nil && rec.Enabled && rec.AllowIDPInitiated
	if req == nil && !idpInitiated {
		return nil, nil, reject(reasonNoRequest, "no sign-in of ours is waiting for this browser"), nil
	}
	// Only a response to a request of ours is decrypted, with this
	// tenant's key; its assertion then gets the same shape checks.
	key, _, err := s.spKeyPair(rec)
	if err != nil {
		return nil, nil, nil, err
	}
	if rj := checkEncrypted(raw, key); rj != nil {
		return nil, nil, rj, nil
	}
	sp, err := s.provider(ctx, rec, idpInitiated)
	if err != nil {
		return nil, nil, nil, err
	}
	var ids []string
	if req != nil {
		ids = []string{req.RequestID}
	}
	a, err := sp.ParseXMLResponse(raw, ids, sp.AcsURL)
	if err != nil {
		return nil, nil, classify(err), nil
	}
	return a, req, nil, nil
}

// takeRequest uses up the tenant's request the RelayState names, if any,
// and checks that the browser posting the answer is the one that started
// it. A request another tenant started is not this tenant's to answer: it
// is neither found nor used up here. Without a RelayState of ours the
// response can only be IdP-initiated.
func (s *Service) takeRequest(ctx context.Context, rec *store.SSORecord, in ACSInput) (*store.SSORequest, *rejection, error) {
	if in.RelayState == "" || len(in.RelayState) > 80 {
		return nil, nil, nil
	}
	req, err := s.DB.Conn().TakeSSORequest(ctx, rec.Tenant(), digest(in.RelayState), s.now())
	if errors.Is(err, padlock.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	if in.Binding == "" || subtle.ConstantTimeCompare(digest(in.Binding), req.BindingHash) != 1 {
		return nil, reject(reasonNoRequest, "the request-tracking cookie does not match"), nil
	}
	return req, nil, nil
}
