package sso

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/padlock-mfa/padlock/internal/sso/ssotest"
)

var testSP = ssotest.SP{EntityID: "https://padlock.test/sso/x/metadata", ACSURL: "https://padlock.test/sso/x/acs"}

func crafted(t *testing.T, r ssotest.Response) []byte {
	t.Helper()
	idp := ssotest.Start(t, "idp-a", time.Now)
	r.Email = "someone@acme.test"
	raw, err := base64.StdEncoding.DecodeString(idp.Craft(t, testSP, r))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The raw shape check refuses what signature wrapping needs before any
// signature is looked at, and names an unsigned response as such.
func TestTheShapeCheckRefusesCopiesAndUnsignedResponses(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		want reason
	}{
		{"a second assertion", crafted(t, ssotest.Response{ExtraAssertion: true}), reasonManyAssertions},
		{"a forged assertion first", crafted(t, ssotest.Response{Wrap: ssotest.WrapEvilFirst}), reasonManyAssertions},
		{"the signed assertion in Extensions", crafted(t, ssotest.Response{Wrap: ssotest.WrapSignedInExtensions}), reasonManyAssertions},
		{"a response in a response", crafted(t, ssotest.Response{Wrap: ssotest.WrapResponseInResponse}), reasonWrapping},
		{"nothing signed", crafted(t, ssotest.Response{Unsigned: true}), reasonUnsigned},
		{"a DOCTYPE", []byte(`<!DOCTYPE r [<!ENTITY x "y">]><Response><Assertion/></Response>`), reasonMalformed},
		{"not a response", []byte(`<Assertion><Signature/></Assertion>`), reasonMalformed},
		{"no assertion", []byte(`<Response><Signature/></Response>`), reasonMalformed},
		{"an assertion under another prefix", []byte(`<p:Response xmlns:p="p" xmlns:q="q"><q:Assertion/><Assertion/><Signature/></p:Response>`), reasonManyAssertions},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rj := checkShape(tc.raw)
			if rj == nil || rj.reason != tc.want {
				t.Fatalf("got %v, want %s", rj, tc.want.name)
			}
		})
	}
	if rj := checkShape(crafted(t, ssotest.Response{})); rj != nil {
		t.Fatalf("an honest response: %v", rj)
	}
}

func TestDecodeResponseRefusesWhatIsNotBase64OrTooLarge(t *testing.T) {
	for _, form := range []string{"", "%%%", base64.StdEncoding.EncodeToString(make([]byte, maxResponseSize+1))} {
		if _, rj := decodeResponse(form); rj == nil || rj.reason != reasonMalformed {
			t.Errorf("%.20q: %v", form, rj)
		}
	}
	if raw, rj := decodeResponse("PFJlc3BvbnNlLz4=\n"); rj != nil || string(raw) != "<Response/>" {
		t.Errorf("line-wrapped base64: %q %v", raw, rj)
	}
}

// The email comes from the NameID when it is one, else from a known email
// attribute.
func TestTheEmailIsTheNameIDOrAnEmailAttribute(t *testing.T) {
	attr := func(name, value string) saml.AttributeStatement {
		return saml.AttributeStatement{Attributes: []saml.Attribute{{Name: name, Values: []saml.AttributeValue{{Value: value}}}}}
	}
	withNameID := func(id string, st ...saml.AttributeStatement) *saml.Assertion {
		return &saml.Assertion{Subject: &saml.Subject{NameID: &saml.NameID{Value: id}}, AttributeStatements: st}
	}
	cases := []struct {
		name string
		a    *saml.Assertion
		want string
	}{
		{"an email NameID", withNameID(" Ann@Acme.test ", attr("email", "other@acme.test")), "ann@acme.test"},
		{"an opaque NameID and Entra's claim", withNameID("x1y2", attr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "bo@acme.test")), "bo@acme.test"},
		{"an opaque NameID and an LDAP mail", withNameID("x1y2", attr("urn:oid:0.9.2342.19200300.100.1.3", "cy@acme.test")), "cy@acme.test"},
		{"no email anywhere", withNameID("x1y2", attr("displayName", "Dee")), ""},
	}
	for _, tc := range cases {
		if got := readAssertion(tc.a).Email; got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParsingIDPMetadata(t *testing.T) {
	idp := ssotest.Start(t, "idp-a", time.Now)
	conn, err := parseIDPMetadata([]byte(idp.MetadataXML(t)))
	if err != nil || conn.EntityID != idp.EntityID() || conn.SSOURL != idp.SSOURL() || len(conn.Certs) != 1 || !conn.Certs[0].Equal(idp.Cert) {
		t.Fatalf("parsed %+v, %v", conn, err)
	}
	entity := between(idp.MetadataXML(t), "<EntityDescriptor", "</EntityDescriptor>")
	two := `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><EntityDescriptor` + entity + `</EntityDescriptor><EntityDescriptor` + entity + `</EntityDescriptor></EntitiesDescriptor>`
	bad := map[string]string{
		"two identity providers": two,
		"no redirect binding":    strings.ReplaceAll(idp.MetadataXML(t), saml.HTTPRedirectBinding, "urn:other"),
		"no signing key":         strings.ReplaceAll(idp.MetadataXML(t), `use="signing"`, `use="encryption"`),
		"a service provider":     `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="sp"><SPSSODescriptor/></EntityDescriptor>`,
		"a DOCTYPE":              `<!DOCTYPE x><EntityDescriptor/>`,
	}
	for name, doc := range bad {
		if _, err := parseIDPMetadata([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	j := strings.LastIndex(s, end)
	if i < 0 || j < i {
		return ""
	}
	return s[i+len(start) : j]
}

func TestMetadataIsNotFetchedFromInsideTheServersNetwork(t *testing.T) {
	s := &Service{}
	for _, addr := range []string{"127.0.0.1:80", "[::1]:443", "10.1.2.3:80", "192.168.0.1:80", "169.254.169.254:80", "0.0.0.0:80", "[fe80::1]:80"} {
		if err := s.dialControl("tcp", addr, nil); err == nil {
			t.Errorf("%s allowed", addr)
		}
	}
	if err := s.dialControl("tcp", "203.0.113.10:443", nil); err != nil {
		t.Errorf("a public address refused: %v", err)
	}
	for _, raw := range []string{"file:///etc/passwd", "gopher://x", "https://user:pw@idp.test/m", "/relative"} {
		if _, err := checkMetadataURL(raw); err == nil {
			t.Errorf("%s accepted", raw)
		}
	}
}

// An assertion signed and then encrypted carries its signature inside the
// encryption: the raw check lets it through, and the check of the
// decrypted assertion accepts it, or names it unsigned when it is not.
func TestAnEncryptedAssertionIsCheckedOnceDecrypted(t *testing.T) {
	key, cert := ssotest.TestKey(t, "sp")
	sp := testSP
	sp.Certificate = cert
	idp := ssotest.Start(t, "idp-a", time.Now)
	craft := func(r ssotest.Response) []byte {
		r.Email = "someone@acme.test"
		raw, _ := base64.StdEncoding.DecodeString(idp.Craft(t, sp, r))
		return raw
	}
	signedOnly := craft(ssotest.Response{AssertionOnly: true, Encrypt: true})
	if rj := checkShape(signedOnly); rj != nil {
		t.Fatalf("the raw check: %v", rj)
	}
	if rj := checkEncrypted(signedOnly, key); rj != nil {
		t.Fatalf("a signed, then encrypted assertion: %v", rj)
	}
	if rj := checkEncrypted(craft(ssotest.Response{Unsigned: true, Encrypt: true}), key); rj == nil || rj.reason != reasonUnsigned {
		t.Fatalf("an unsigned encrypted assertion: %v", rj)
	}
	other, _ := ssotest.TestKey(t, "another sp")
	if rj := checkEncrypted(signedOnly, other); rj == nil || rj.reason != reasonMalformed {
		t.Fatalf("an assertion encrypted to another key: %v", rj)
	}
}
