package sso

import (
	"context"
	"crypto/x509"
	"net/url"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// IDPInput is the "Identity provider" form: the IdP's metadata, pasted or
// at an address, or its three values typed in. The first given wins.
type IDPInput struct {
	MetadataXML string
	MetadataURL string
	EntityID    string
	SSOURL      string
	Certificate string
}

// Limits of the typed-in values.
const (
	maxEntityIDLen = 1024
	maxURLLen      = 2048
)

// SaveIDP connects the account (portalID 0) or one of its portals to its
// identity provider. The new connection is untested: "Test connection" must
// succeed again before SSO can be enforced.
func (s *Service) SaveIDP(ctx context.Context, actor auth.Actor, portalID int64, in IDPInput) error {
	rec, err := s.Settings(ctx, actor, portalID)
	if err != nil {
		return err
	}
	if rec.Enforce {
		// Enforcing SSO with an untested IdP could lock everyone out.
		return padlock.Errorf(padlock.ECONFLICT, "SSO is enforced: turn enforcement off before you change the identity provider, then test the new connection.")
	}
	conn, source, err := s.readIDP(ctx, &in)
	if err != nil {
		return err
	}
	c := &rec.SSOConfig
	c.IDPEntityID, c.IDPSSOURL, c.IDPCertificates = conn.EntityID, conn.SSOURL, certificatesPEM(conn.Certs)
	c.IDPMetadataURL, c.IDPMetadataXML = in.MetadataURL, in.MetadataXML
	return s.DB.InTx(ctx, func(tx *store.Queries) error {
		if err := tx.SaveSSOIDP(ctx, c, s.now()); err != nil {
			return err
		}
		e := padlock.Event{AccountID: c.AccountID, PortalID: c.PortalID, ActorID: actor.User.ID, Kind: padlock.EventSSOIDPChanged,
			Detail: conn.EntityID + " (" + source + ")", Address: actor.Address, At: s.now()}
		return tx.RecordEvent(ctx, e)
	})
}

// readIDP turns the form into a connection, reporting each problem beside
// the field it comes from. Fetched metadata is kept in in.MetadataXML.
func (s *Service) readIDP(ctx context.Context, in *IDPInput) (*idpConnection, string, error) {
	if err := checkIDPText(in); err != nil {
		return nil, "", err
	}
	in.MetadataXML, in.MetadataURL = strings.TrimSpace(in.MetadataXML), strings.TrimSpace(in.MetadataURL)
	switch {
	case in.MetadataXML != "":
		in.MetadataURL = ""
		conn, err := parseIDPMetadata([]byte(in.MetadataXML))
		if err != nil {
			return nil, "", padlock.FieldError("metadata_xml", sentence(err.Error()))
		}
		return conn, "pasted metadata", checkConnection(conn, "metadata_xml", s.now())
	case in.MetadataURL != "":
		u, err := checkMetadataURL(in.MetadataURL)
		if err != nil {
			return nil, "", err
		}
		data, err := s.fetchMetadata(ctx, u)
		if err == nil {
			var conn *idpConnection
			if conn, err = parseIDPMetadata(data); err == nil {
				in.MetadataXML = string(data)
				return conn, "metadata from " + u.Host, checkConnection(conn, "metadata_url", s.now())
			}
		}
		return nil, "", padlock.FieldError("metadata_url", sentence(err.Error()))
	}
	conn, err := typedIDP(in, s.now())
	return conn, "entered by hand", err
}

// checkIDPText refuses bytes that no field of the form may hold, reporting
// every field at once.
func checkIDPText(in *IDPInput) error {
	fe := padlock.FieldErrors{}
	for _, f := range []struct {
		name, value string
		kind        padlock.TextKind
		max         int
	}{
		{"metadata_xml", in.MetadataXML, padlock.MultiLine, padlock.MaxPasteLen},
		{"metadata_url", in.MetadataURL, padlock.SingleLine, maxURLLen},
		{"entity_id", in.EntityID, padlock.SingleLine, maxEntityIDLen},
		{"sso_url", in.SSOURL, padlock.SingleLine, maxURLLen},
		{"certificate", in.Certificate, padlock.MultiLine, padlock.MaxPasteLen},
	} {
		if err := padlock.CheckText(f.name, f.value, f.kind, f.max); err != nil {
			fe.Add(f.name, padlock.ErrorMessage(err))
		}
	}
	return fe.Err()
}

// typedIDP checks the three values typed in by hand, all at once.
func typedIDP(in *IDPInput, now time.Time) (*idpConnection, error) {
	fe := padlock.FieldErrors{}
	conn := &idpConnection{EntityID: strings.TrimSpace(in.EntityID), SSOURL: strings.TrimSpace(in.SSOURL)}
	switch {
	case conn.EntityID == "":
		fe.Add("entity_id", "Enter the identity provider's entity ID (its Issuer), or give its metadata above.")
	case len(conn.EntityID) > maxEntityIDLen || strings.ContainsAny(conn.EntityID, " \t\r\n"):
		fe.Add("entity_id", "An entity ID is one URI without spaces, at most 1024 characters.")
	}
	if msg := checkSignInURL(conn.SSOURL); msg != "" {
		fe.Add("sso_url", msg)
	}
	certs, err := parseCertificates(in.Certificate)
	if err != nil {
		fe.Add("certificate", "Paste the identity provider's signing certificate: the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.")
	}
	conn.Certs = certs
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return conn, checkConnection(conn, "certificate", now)
}

func checkSignInURL(raw string) string {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "Enter the identity provider's sign-in URL (SAML 2.0 HTTP-Redirect endpoint)."
	case len(raw) > maxURLLen || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return "Enter an http:// or https:// address."
	}
	return ""
}

// checkConnection refuses what would fail at every sign-in anyway: a bad
// sign-in URL, or signing certificates that are all expired.
func checkConnection(conn *idpConnection, field string, now time.Time) error {
	if msg := checkSignInURL(conn.SSOURL); msg != "" {
		return padlock.FieldError(field, "The sign-in URL in the metadata is not usable: "+strings.ToLower(msg[:1])+msg[1:])
	}
	if conn.EntityID == "" || len(conn.EntityID) > maxEntityIDLen {
		return padlock.FieldError(field, "The metadata has no usable entity ID.")
	}
	if allExpired(conn.Certs, now) {
		return padlock.FieldError(field, "Every signing certificate given has expired. Download a current one from your identity provider.")
	}
	return nil
}

func allExpired(certs []*x509.Certificate, now time.Time) bool {
	for _, c := range certs {
		if now.Before(c.NotAfter) {
			return false
		}
	}
	return true
}

// sentence makes an error message read as a sentence on the page.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
