package sso

import (
	"bytes"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/crewjam/saml"
)

// maxMetadataSize bounds IdP metadata, pasted or fetched. Real metadata of
// one IdP is a few kilobytes; federation aggregates, which are megabytes,
// are not what an account connects to.
const maxMetadataSize = 512 << 10

// idpConnection is what Padlock keeps of an IdP's metadata.
type idpConnection struct {
	EntityID string
	SSOURL   string
	Certs    []*x509.Certificate
}

// parseIDPMetadata reads the IdP's entity ID, HTTP-Redirect sign-in URL and
// signing certificates from its metadata: an EntityDescriptor, or an
// EntitiesDescriptor holding exactly one IdP. encoding/xml expands no
// external entities, so a hostile document cannot reach files or the
// network.
func parseIDPMetadata(data []byte) (*idpConnection, error) {
	if len(data) > maxMetadataSize {
		return nil, errors.New("the metadata is too large")
	}
	if bytes.Contains(data, []byte("<!DOCTYPE")) {
		return nil, errors.New("the metadata has a DOCTYPE, which metadata never needs")
	}
	entity, err := idpEntity(data)
	if err != nil {
		return nil, err
	}
	if len(entity.IDPSSODescriptors) != 1 {
		return nil, errors.New("the metadata describes no identity provider (no IDPSSODescriptor)")
	}
	idp := entity.IDPSSODescriptors[0]
	conn := &idpConnection{EntityID: strings.TrimSpace(entity.EntityID)}
	for _, e := range idp.SingleSignOnServices {
		if e.Binding == saml.HTTPRedirectBinding {
			conn.SSOURL = strings.TrimSpace(e.Location)
			break
		}
	}
	if conn.SSOURL == "" {
		return nil, errors.New("the metadata has no sign-in URL for the HTTP-Redirect binding")
	}
	for _, k := range idp.KeyDescriptors {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, c := range k.KeyInfo.X509Data.X509Certificates {
			certs, err := parseCertificates(c.Data)
			if err != nil {
				return nil, fmt.Errorf("a signing certificate in the metadata is unreadable: %w", err)
			}
			conn.Certs = append(conn.Certs, certs...)
		}
	}
	if len(conn.Certs) == 0 {
		return nil, errors.New("the metadata has no signing certificate")
	}
	return conn, nil
}

func idpEntity(data []byte) (*saml.EntityDescriptor, error) {
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(data, &root); err != nil {
		return nil, errors.New("this is not XML metadata")
	}
	switch root.XMLName.Local {
	case "EntityDescriptor":
		var e saml.EntityDescriptor
		if err := xml.Unmarshal(data, &e); err != nil {
			return nil, errors.New("the metadata could not be read")
		}
		return &e, nil
	case "EntitiesDescriptor":
		var es saml.EntitiesDescriptor
		if err := xml.Unmarshal(data, &es); err != nil {
			return nil, errors.New("the metadata could not be read")
		}
		var found []saml.EntityDescriptor
		for _, e := range es.EntityDescriptors {
			if len(e.IDPSSODescriptors) > 0 {
				found = append(found, e)
			}
		}
		if len(found) != 1 {
			return nil, fmt.Errorf("the metadata describes %d identity providers; paste the metadata of yours alone", len(found))
		}
		return &found[0], nil
	}
	return nil, errors.New("this is not SAML metadata (no EntityDescriptor)")
}

// metadataXML writes the SP's metadata as a document.
func metadataXML(sp *saml.ServiceProvider) ([]byte, error) {
	b, err := xml.MarshalIndent(sp.Metadata(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}
