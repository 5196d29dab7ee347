package sso

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// purposeSPKey binds a sealed SP key to its use; the sealer also binds it
// to the account, so a key copied onto another account's row does not open.
const purposeSPKey = "sso service provider key"

// spKeyPurpose is the purpose of a tenant's key: a portal's names the
// portal, so a key copied onto another portal's row does not open either.
func spKeyPurpose(t padlock.SSOTenant) string {
	if t.IsPortal() {
		return purposeSPKey + " of portal " + strconv.FormatInt(t.PortalID, 10)
	}
	return purposeSPKey
}

// spKeyValidity is how long the SP's self-signed certificate lasts. IdPs
// treat it as a container for the public key; a long life spares
// administrators a rotation nobody asked for.
const spKeyValidity = 10 * 365 * 24 * time.Hour

// newKeyPair makes a tenant's SP key pair: RSA, because IdPs encrypt
// assertions to it, and its certificate in PEM. The private key is returned
// sealed only; it is never logged or shown.
func (s *Service) newKeyPair(t padlock.SSOTenant) (certPEM string, sealed []byte, err error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Padlock SSO", Organization: []string{"Padlock"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(spKeyValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", nil, err
	}
	certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return certPEM, s.Auth.Sealer.Seal(t.AccountID, spKeyPurpose(t), x509.MarshalPKCS1PrivateKey(key)), nil
}

// spKeyPair opens a tenant's SP key pair.
func (s *Service) spKeyPair(rec *store.SSORecord) (*rsa.PrivateKey, *x509.Certificate, error) {
	der, err := s.Auth.Sealer.Open(rec.AccountID, spKeyPurpose(rec.Tenant()), rec.SPKeySealed)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, nil, err
	}
	certs, err := parseCertificates(rec.SPCertificate)
	if err != nil || len(certs) != 1 {
		return nil, nil, fmt.Errorf("sso: the stored SP certificate of account %d (portal %d) is unreadable", rec.AccountID, rec.PortalID)
	}
	return key, certs[0], nil
}

// parseCertificates reads one or more certificates, in PEM or as the bare
// base64 that metadata and IdP consoles show.
func parseCertificates(text string) ([]*x509.Certificate, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errors.New("no certificate")
	}
	if !strings.Contains(text, "-----BEGIN") {
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		if err != nil {
			return nil, err
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	rest := []byte(text)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("a %s is not a certificate", strings.ToLower(block.Type))
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 || strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("not a PEM certificate")
	}
	return out, nil
}

// certificatesPEM writes certificates as PEM, the form they are stored in.
func certificatesPEM(certs []*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}

// CertificateInfo describes a trusted IdP certificate on the settings page.
type CertificateInfo struct {
	Subject  string
	NotAfter time.Time
}

// DescribeCertificates lists stored certificates; unreadable text lists
// nothing.
func DescribeCertificates(text string) []CertificateInfo {
	certs, _ := parseCertificates(text)
	out := make([]CertificateInfo, len(certs))
	for i, c := range certs {
		out[i] = CertificateInfo{Subject: c.Subject.String(), NotAfter: c.NotAfter}
	}
	return out
}
