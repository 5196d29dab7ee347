package sso

import (
	"errors"

	"github.com/crewjam/saml"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// reason is a kind of rejected response: the message the person sees. The
// audit event gets the reason's name and the detail.
type reason struct {
	name    string
	message string
}

var (
	reasonMalformed      = reason{"malformed response", "The sign-in response from your identity provider could not be read."}
	reasonManyAssertions = reason{"more than one assertion", "The sign-in response holds more than one assertion, which Padlock does not accept."}
	reasonWrapping       = reason{"signature wrapping", "The sign-in response has been tampered with."}
	reasonUnsigned       = reason{"missing or invalid signature", "The sign-in response is not signed, or its signature does not match its content."}
	reasonUntrustedKey   = reason{"signed by an untrusted key", "The sign-in response was signed with a key that is not trusted for this single sign-on. If your identity provider changed its certificate, an administrator must update it."}
	reasonExpired        = reason{"expired", "The sign-in response has expired. Please sign in again."}
	reasonNotYetValid    = reason{"not yet valid", "The sign-in response is not valid yet: the clocks of the identity provider and Padlock disagree."}
	reasonAudience       = reason{"wrong audience", "The sign-in response was meant for another service."}
	reasonRecipient      = reason{"wrong destination", "The sign-in response was addressed to another place."}
	reasonIssuer         = reason{"wrong issuer", "The sign-in response came from an identity provider that is not the one set up for this single sign-on."}
	reasonNoRequest      = reason{"no matching request (InResponseTo)", "This sign-in response does not answer a sign-in started from this browser. Please start again from the sign-in page."}
	reasonReplayed       = reason{"assertion replayed", "This sign-in response has already been used. Please sign in again."}
	reasonIDPStatus      = reason{"identity provider reported failure", "Your identity provider did not sign you in."}
	reasonNotConfigured  = reason{"SSO not configured", "Single sign-on is not set up here."}
	reasonInvalid        = reason{"invalid response", "The sign-in response was refused."}
)

// rejection is a refused response: what the person sees, and what the
// audit log records. It never carries the response itself.
type rejection struct {
	reason reason
	detail string
}

func reject(r reason, detail string) *rejection { return &rejection{reason: r, detail: detail} }

func (r *rejection) Error() string { return r.reason.name + ": " + r.detail }

// userError is the rejection as the page shows it.
func (r *rejection) userError() error {
	return &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: r.reason.message}
}

// auditDetail is the reason and its detail. crewjam/saml's own messages
// are left out: they can quote values from the response.
func (r *rejection) auditDetail() string {
	if r.detail == "" {
		return r.reason.name
	}
	return r.reason.name + ": " + truncate(r.detail, 200)
}

// classify names why crewjam/saml refused a response, from its typed
// errors. The order matters: a signature error may also carry a
// certificate error.
func classify(err error) *rejection {
	var status saml.ErrBadStatus
	switch {
	case errors.Is(err, saml.ErrAssertionReplayed):
		return reject(reasonReplayed, "")
	case errors.Is(err, saml.ErrUntrustedCertificate), errors.Is(err, saml.ErrCertificateNotValidNow):
		return reject(reasonUntrustedKey, "")
	case errors.Is(err, saml.ErrInvalidSignature):
		return reject(reasonUnsigned, "")
	case errors.Is(err, saml.ErrRequestIDMismatch):
		return reject(reasonNoRequest, "")
	case errors.Is(err, saml.ErrAudienceMismatch):
		return reject(reasonAudience, "")
	case errors.Is(err, saml.ErrExpired):
		return reject(reasonExpired, "")
	case errors.Is(err, saml.ErrNotYetValid):
		return reject(reasonNotYetValid, "")
	case errors.Is(err, saml.ErrDestinationMismatch):
		return reject(reasonRecipient, "")
	case errors.Is(err, saml.ErrIssuerMismatch):
		return reject(reasonIssuer, "")
	case errors.As(err, &status):
		return reject(reasonIDPStatus, status.Status)
	case errors.Is(err, saml.ErrMalformedMessage), errors.Is(err, saml.ErrMissingElement), errors.Is(err, saml.ErrUnsupported):
		return reject(reasonMalformed, "")
	}
	return reject(reasonInvalid, "")
}
