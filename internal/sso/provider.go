package sso

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	dsig "github.com/russellhaering/goxmldsig"
)

// provider builds the tenant's service provider from its stored settings:
// its own entity ID, ACS, key and IdP. idpInitiated accepts a response that
// answers no request; it is set only when the tenant allows it and the
// response came without one of ours.
func (s *Service) provider(ctx context.Context, rec *store.SSORecord, idpInitiated bool) (*saml.ServiceProvider, error) {
	key, cert, err := s.spKeyPair(rec)
	if err != nil {
		return nil, err
	}
	entity, err := url.Parse(s.entityID(&rec.SSOConfig))
	if err != nil {
		return nil, err
	}
	acs, err := url.Parse(s.acsURL(&rec.SSOConfig))
	if err != nil {
		return nil, err
	}
	sp := &saml.ServiceProvider{
		EntityID:          entity.String(),
		Key:               key,
		Certificate:       cert,
		MetadataURL:       *entity,
		AcsURL:            *acs,
		AuthnNameIDFormat: saml.EmailAddressNameIDFormat,
		// Signed AuthnRequests let an IdP that checks them refuse forged ones.
		SignatureMethod:                  dsig.RSASHA256SignatureMethod,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		AllowIDPInitiated:                idpInitiated,
		// The IdPs we document all sign with SHA-256 by default.
		RejectSHA1Signatures: true,
		// The metadata is downloaded into IdP consoles; a validUntil two
		// days ahead would make it stale there.
		MetadataOmitValidUntil: true,
		Clock:                  dsig.NewFakeClock(serviceClock{Clock: clockwork.NewRealClock(), now: s.Now}),
		ReplayCache:            &replayCache{ctx: ctx, db: s.DB, accountID: rec.AccountID, now: s.now},
	}
	if rec.Configured() {
		if sp.IDPMetadata, err = idpDescriptor(rec); err != nil {
			return nil, err
		}
	}
	return sp, nil
}

// idpDescriptor is the IdP as stored: its entity ID, its HTTP-Redirect
// sign-in URL and the certificates it signs with. Building it from these
// fields, whether they came from metadata or were typed in, leaves one path.
func idpDescriptor(rec *store.SSORecord) (*saml.EntityDescriptor, error) {
	certs, err := parseCertificates(rec.IDPCertificates)
	if err != nil {
		return nil, err
	}
	keys := make([]saml.KeyDescriptor, len(certs))
	for i, c := range certs {
		keys[i] = saml.KeyDescriptor{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
			X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(c.Raw)}},
		}}}
	}
	return &saml.EntityDescriptor{
		EntityID: rec.IDPEntityID,
		IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
				ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
				KeyDescriptors:             keys,
			}},
			SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: rec.IDPSSOURL}},
		}},
	}, nil
}

// serviceClock is the service's clock (a test's, in tests) as crewjam/saml
// reads it, for assertion times and certificate validity alike.
type serviceClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c serviceClock) Now() time.Time { return c.now() }

// replayCache records accepted assertion IDs in the database, per account,
// so a second node refuses an assertion the first accepted.
type replayCache struct {
	ctx       context.Context
	db        *store.DB
	accountID int64
	now       func() time.Time
}

func (c *replayCache) Consume(assertionID string, expiresAt time.Time) error {
	err := c.db.Conn().ConsumeSSOAssertion(c.ctx, c.accountID, assertionID, expiresAt, c.now())
	if errors.Is(err, store.ErrAssertionUsed) {
		return saml.ErrAssertionReplayed
	}
	return err
}

// Metadata returns the SP's metadata for the tenant named in an SSO
// address on a surface: what the IdP needs to know about Padlock.
func (s *Service) Metadata(ctx context.Context, sf padlock.Surface, publicID string) ([]byte, error) {
	rec, err := s.configAt(ctx, sf, publicID)
	if err != nil {
		return nil, err
	}
	sp, err := s.provider(ctx, rec, false)
	if err != nil {
		return nil, err
	}
	return metadataXML(sp)
}
