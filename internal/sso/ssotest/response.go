package ssotest

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/xmlenc"
	dsig "github.com/russellhaering/goxmldsig"
)

// SP names the service provider a crafted response is for.
type SP struct {
	EntityID string
	ACSURL   string
	// Certificate is the SP's, from its metadata: Response.Encrypt
	// encrypts the assertion to it.
	Certificate *x509.Certificate
}

// Response describes a response to craft. The zero value (with an email
// and, for an SP-initiated sign-in, InResponseTo) is what an honest IdP
// sends: the assertion and the response signed with the IdP's key.
type Response struct {
	Email        string
	AuthnContext string
	InResponseTo string
	// At is the IdP's clock for this response (zero: now).
	At time.Time
	// Audience replaces the SP's entity ID in the AudienceRestriction.
	Audience string
	// Issuer replaces the IdP's entity ID as the Issuer of the response
	// and of the assertion, which the IdP's key still signs.
	Issuer string
	// Unsigned sends neither the assertion nor the response signed.
	Unsigned bool
	// AssertionOnly signs the assertion and leaves the response unsigned,
	// as many IdPs do.
	AssertionOnly bool
	// Encrypt encrypts the assertion, once signed, to the SP's certificate
	// (RSA-OAEP, AES-256-GCM), in an EncryptedAssertion.
	Encrypt bool
	// SignWith signs with another test key (by TestKey name).
	SignWith string
	// ExtraAssertion adds a second, validly signed assertion.
	ExtraAssertion bool
	// Wrap applies a signature-wrapping attack; see the Wrap constants.
	Wrap Wrap
}

// Wrap is a way to tamper with a signed response while keeping a valid
// signature somewhere in it.
type Wrap int

const (
	NoWrap Wrap = iota
	// WrapEvilFirst puts a forged, unsigned assertion before the signed one.
	WrapEvilFirst
	// WrapSignedInExtensions hides the signed assertion in Extensions and
	// puts a forged copy (same ID) where it was.
	WrapSignedInExtensions
	// WrapTampered changes the signed assertion's NameID after signing.
	WrapTampered
	// WrapSignatureMoved moves the assertion's signature onto the Response
	// and forges the assertion.
	WrapSignatureMoved
	// WrapResponseInResponse puts the signed Response inside a forged one.
	WrapResponseInResponse
)

// ForgedEmail is the victim a wrapping attack tries to sign in as.
const ForgedEmail = "victim@forged.test"

// Craft builds a response for sp and returns it base64-encoded, as the
// SAMLResponse form field.
func (i *IDP) Craft(t testing.TB, sp SP, r Response) string {
	t.Helper()
	key, cert := i.Key, i.Cert
	if r.SignWith != "" {
		key, cert = TestKey(t, r.SignWith)
	}
	at := r.At
	if at.IsZero() {
		at = i.now()
	}
	sign := func(el *etree.Element) *etree.Element {
		if r.Unsigned {
			return el
		}
		return signElement(t, el, key, cert)
	}
	a := i.assertion(sp, r, at)
	assertionEl := placeSignature(a, sign(a.Element()))
	if r.Encrypt {
		assertionEl = encryptAssertion(t, assertionEl, sp.Certificate)
	}
	signResponse := sign
	if r.AssertionOnly {
		signResponse = func(el *etree.Element) *etree.Element { return el }
	}
	resp := &saml.Response{
		ID: "id-" + randomHex(16), InResponseTo: r.InResponseTo, Version: "2.0", IssueInstant: at, Destination: sp.ACSURL,
		Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: i.issuer(r)},
		Status: saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
	}
	children := []*etree.Element{assertionEl}
	if r.ExtraAssertion {
		b := i.assertion(sp, r, at)
		children = append(children, placeSignature(b, sign(b.Element())))
	}
	var respEl *etree.Element
	if r.Wrap == NoWrap {
		respEl = signedResponse(resp, children, signResponse)
	} else {
		respEl = i.wrap(t, sp, r, at, resp, assertionEl, sign)
	}
	doc := etree.NewDocument()
	doc.SetRoot(respEl)
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// issuer is who the response says it comes from.
func (i *IDP) issuer(r Response) string {
	if r.Issuer != "" {
		return r.Issuer
	}
	return i.EntityID()
}

func (i *IDP) assertion(sp SP, r Response, at time.Time) *saml.Assertion {
	audience := sp.EntityID
	if r.Audience != "" {
		audience = r.Audience
	}
	ctx := r.AuthnContext
	if ctx == "" {
		ctx = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
	}
	return &saml.Assertion{
		ID: "id-" + randomHex(16), IssueInstant: at, Version: "2.0",
		Issuer: saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: i.issuer(r)},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: string(saml.EmailAddressNameIDFormat), Value: r.Email},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method: "urn:oasis:names:tc:SAML:2.0:cm:bearer",
				SubjectConfirmationData: &saml.SubjectConfirmationData{
					InResponseTo: r.InResponseTo, NotOnOrAfter: at.Add(90 * time.Second), Recipient: sp.ACSURL,
				},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore: at.Add(-30 * time.Second), NotOnOrAfter: at.Add(90 * time.Second),
			AudienceRestrictions: []saml.AudienceRestriction{{Audience: saml.Audience{Value: audience}}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant: at, SessionIndex: randomHex(8),
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: ctx}},
		}},
	}
}

// encryptAssertion encrypts a (signed) assertion to the SP's certificate
// as crewjam/saml's IdP does, and wraps it in an EncryptedAssertion.
func encryptAssertion(t testing.TB, assertion *etree.Element, cert *x509.Certificate) *etree.Element {
	t.Helper()
	if cert == nil {
		t.Fatal("encrypting needs the SP's certificate")
	}
	doc := etree.NewDocument()
	doc.SetRoot(assertion.Copy())
	plaintext, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	enc := xmlenc.OAEP()
	enc.BlockCipher = xmlenc.AES256GCM
	data, err := enc.Encrypt(cert, plaintext, nil)
	if err != nil {
		t.Fatal(err)
	}
	data.CreateAttr("Type", "http://www.w3.org/2001/04/xmlenc#Element")
	el := etree.NewElement("saml:EncryptedAssertion")
	el.AddChild(data)
	return el
}

// signElement makes an enveloped signature as IdPs do: exclusive C14N,
// RSA-SHA256.
func signElement(t testing.TB, el *etree.Element, key *rsa.PrivateKey, cert *x509.Certificate) *etree.Element {
	t.Helper()
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// placeSignature rebuilds a signed assertion with its Signature after the
// Issuer, where the schema puts it (SignEnveloped appends it last).
func placeSignature(a *saml.Assertion, signed *etree.Element) *etree.Element {
	sig := signed.SelectElement("Signature")
	if sig == nil {
		return signed
	}
	a.Signature = sig
	return a.Element()
}

// signedResponse signs the response with its assertions inside, then
// rebuilds it with the Signature after the Issuer.
func signedResponse(resp *saml.Response, children []*etree.Element, sign func(*etree.Element) *etree.Element) *etree.Element {
	el := resp.Element()
	for _, c := range children {
		el.AddChild(c.Copy())
	}
	signed := sign(el)
	if sig := signed.SelectElement("Signature"); sig != nil {
		resp.Signature = sig
		el = resp.Element()
		for _, c := range children {
			el.AddChild(c)
		}
	}
	return el
}

// forged is a copy of the signed assertion naming the victim, without its
// signature.
func forged(signed *etree.Element) *etree.Element {
	evil := signed.Copy()
	if sig := evil.SelectElement("Signature"); sig != nil {
		evil.RemoveChild(sig)
	}
	setNameID(evil, ForgedEmail)
	return evil
}

func setNameID(assertion *etree.Element, email string) {
	if n := assertion.FindElement("./Subject/NameID"); n != nil {
		n.SetText(email)
	}
}

// wrap builds the tampered responses. The honest parts carry valid
// signatures by the IdP's key; only the response wrapper is unsigned,
// which many IdPs legitimately send.
func (i *IDP) wrap(t testing.TB, sp SP, r Response, at time.Time, resp *saml.Response, signedAssertion *etree.Element, sign func(*etree.Element) *etree.Element) *etree.Element {
	el := resp.Element()
	switch r.Wrap {
	case WrapEvilFirst:
		el.AddChild(forged(signedAssertion))
		el.AddChild(signedAssertion)
	case WrapSignedInExtensions:
		ext := etree.NewElement("samlp:Extensions")
		ext.AddChild(signedAssertion)
		el.InsertChildAt(1, ext) // after the Issuer
		el.AddChild(forged(signedAssertion))
	case WrapTampered:
		setNameID(signedAssertion, ForgedEmail)
		el.AddChild(signedAssertion)
	case WrapSignatureMoved:
		sig := signedAssertion.SelectElement("Signature")
		evil := forged(signedAssertion)
		el.InsertChildAt(1, sig)
		el.AddChild(evil)
	case WrapResponseInResponse:
		inner := signedResponse(resp, []*etree.Element{signedAssertion}, sign)
		outer := (&saml.Response{ID: "id-" + randomHex(16), InResponseTo: resp.InResponseTo, Version: "2.0", IssueInstant: at,
			Destination: sp.ACSURL, Issuer: resp.Issuer, Status: resp.Status}).Element()
		ext := etree.NewElement("samlp:Extensions")
		ext.AddChild(inner)
		outer.InsertChildAt(1, ext)
		outer.AddChild(forged(signedAssertion))
		return outer
	default:
		t.Fatalf("unknown wrap %d", r.Wrap)
	}
	return el
}
