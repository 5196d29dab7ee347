// Package ssotest runs a real SAML 2.0 identity provider for tests:
// crewjam/saml's IdentityProvider on a loopback server, speaking the
// HTTP-Redirect binding in and the HTTP-POST binding out, signing in
// whoever the test names. It also crafts responses (forged, tampered,
// wrapped) that no honest IdP would send.
package ssotest

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
)

// IDP is an identity provider on a loopback port.
type IDP struct {
	URL  string
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
	idp  *saml.IdentityProvider
	now  func() time.Time

	mu   sync.Mutex
	user User
	sps  map[string]*saml.EntityDescriptor
}

// User is who the IdP signs in next, and how it says they authenticated.
type User struct {
	Email        string
	AuthnContext string // AuthnContextClassRef; PasswordProtectedTransport if empty
}

// Start runs an IdP whose clock is now (share the app's clock so times
// agree) and whose signing key is the named test key: two IdPs started
// with different names sign with different keys.
func Start(t testing.TB, keyName string, now func() time.Time) *IDP {
	t.Helper()
	key, cert := TestKey(t, keyName)
	i := &IDP{Key: key, Cert: cert, now: now, sps: map[string]*saml.EntityDescriptor{}}
	srv := httptest.NewServer(nil)
	t.Cleanup(srv.Close)
	i.URL = srv.URL
	base, _ := url.Parse(srv.URL)
	i.idp = &saml.IdentityProvider{
		Key: key, Certificate: cert,
		MetadataURL:             *base.JoinPath("metadata"),
		SSOURL:                  *base.JoinPath("sso"),
		ServiceProviderProvider: i,
		SessionProvider:         i,
		Clock:                   Clock(now),
		Logger:                  log.New(io.Discard, "", 0),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metadata", i.idp.ServeMetadata)
	mux.HandleFunc("/sso", i.idp.ServeSSO)
	mux.HandleFunc("/initiate", func(w http.ResponseWriter, r *http.Request) {
		i.idp.ServeIDPInitiated(w, r, r.URL.Query().Get("sp"), r.URL.Query().Get("relay"))
	})
	srv.Config.Handler = mux
	return i
}

// Clock adapts a test clock for crewjam/saml and goxmldsig.
func Clock(now func() time.Time) *dsig.Clock {
	return dsig.NewFakeClock(funcClock{Clock: clockwork.NewRealClock(), now: now})
}

type funcClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c funcClock) Now() time.Time { return c.now() }

// EntityID is the IdP's entity ID (its metadata URL).
func (i *IDP) EntityID() string { return i.idp.MetadataURL.String() }

// SSOURL is where AuthnRequests go.
func (i *IDP) SSOURL() string { return i.idp.SSOURL.String() }

// CertificatePEM is the IdP's signing certificate.
func (i *IDP) CertificatePEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.Cert.Raw}))
}

// MetadataXML is the IdP's metadata, as an administrator would paste it.
func (i *IDP) MetadataXML(t testing.TB) string {
	t.Helper()
	b, err := xml.MarshalIndent(i.idp.Metadata(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return xml.Header + string(b)
}

// Trust registers a service provider from its metadata.
func (i *IDP) Trust(t testing.TB, spMetadata []byte) *saml.EntityDescriptor {
	t.Helper()
	var e saml.EntityDescriptor
	if err := xml.Unmarshal(spMetadata, &e); err != nil {
		t.Fatalf("SP metadata: %v\n%s", err, spMetadata)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.sps[e.EntityID] = &e
	return &e
}

// SignInAs makes the IdP sign in this user from now on.
func (i *IDP) SignInAs(email, authnContext string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.user = User{Email: email, AuthnContext: authnContext}
}

// GetServiceProvider implements saml.ServiceProviderProvider.
func (i *IDP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if e, ok := i.sps[id]; ok {
		return e, nil
	}
	return nil, os.ErrNotExist
}

// GetSession implements saml.SessionProvider: the user is signed in
// already, as happens with an IdP session.
func (i *IDP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	i.mu.Lock()
	u := i.user
	i.mu.Unlock()
	if u.Email == "" {
		http.Error(w, "no user to sign in", http.StatusForbidden)
		return nil
	}
	now := i.now()
	return &saml.Session{
		ID: randomHex(8), Index: randomHex(8), CreateTime: now, ExpireTime: now.Add(time.Hour),
		NameID: u.Email, NameIDFormat: string(saml.EmailAddressNameIDFormat),
		UserEmail: u.Email, UserCommonName: "Test " + u.Email, AuthnContextClassRef: u.AuthnContext,
	}
}

// InitiateURL starts an IdP-initiated sign-in to the SP.
func (i *IDP) InitiateURL(spEntityID, relayState string) string {
	return i.URL + "/initiate?" + url.Values{"sp": {spEntityID}, "relay": {relayState}}.Encode()
}

// PostForm is the auto-submitting form an IdP answers with (HTTP-POST).
type PostForm struct {
	Action       string
	SAMLResponse string
	RelayState   string
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	formField  = regexp.MustCompile(`<input type="hidden" name="(SAMLResponse|RelayState)" value="([^"]*)"`)
)

// ParsePostForm reads the form a browser would submit with JavaScript.
func ParsePostForm(t testing.TB, page string) PostForm {
	t.Helper()
	m := formAction.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no POST form in the IdP's page:\n%s", page)
	}
	f := PostForm{Action: html.UnescapeString(m[1])}
	for _, m := range formField.FindAllStringSubmatch(page, -1) {
		v := html.UnescapeString(m[2])
		if m[1] == "SAMLResponse" {
			f.SAMLResponse = v
		} else {
			f.RelayState = v
		}
	}
	if f.SAMLResponse == "" {
		t.Fatalf("no SAMLResponse in the IdP's form:\n%s", page)
	}
	return f
}

// AuthnRequest reads the request of an HTTP-Redirect address: its ID and
// RelayState, which a crafted response answers.
func AuthnRequest(t testing.TB, location string) (id, relayState string) {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		t.Fatal(err)
	}
	deflated, err := base64.StdEncoding.DecodeString(u.Query().Get("SAMLRequest"))
	if err != nil {
		t.Fatalf("SAMLRequest: %v", err)
	}
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		t.Fatalf("SAMLRequest: %v", err)
	}
	var req saml.AuthnRequest
	if err := xml.Unmarshal(raw, &req); err != nil {
		t.Fatalf("SAMLRequest: %v\n%s", err, raw)
	}
	return req.ID, u.Query().Get("RelayState")
}

var (
	keysMu sync.Mutex
	keys   = map[string]keyPair{}
)

type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// TestKey returns a signing key and certificate by name, made once per
// test binary: RSA key generation is slow under the race detector.
func TestKey(t testing.TB, name string) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	if k, ok := keys[name]; ok {
		return k.key, k.cert
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "Test IdP " + name},
		NotBefore:    time.Now().Add(-24 * time.Hour),
		NotAfter:     time.Now().Add(10 * 365 * 24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	keys[name] = keyPair{key, cert}
	return key, cert
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return fmt.Sprintf("%x", b)
}
