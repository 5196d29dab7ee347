package sso

import (
	"crypto/rsa"
	"errors"

	"github.com/beevik/etree"
	"github.com/crewjam/saml/xmlenc"
)

// maxEncryptedKeys bounds the private-key operations one response may ask
// for: it is not authenticated yet.
const maxEncryptedKeys = 4

// checkEncrypted decrypts the response's EncryptedAssertion, if it has one,
// with the SP's key, and checks the assertion inside as checkShape checks
// the raw response: a single assertion with nothing wrapped in it, and a
// signature on it or on the response. An IdP that signs only the assertion
// and then encrypts it is thus accepted. crewjam/saml decrypts again and
// verifies the signature itself; this check names why a response is
// refused, and refuses a copy that only decryption would show.
func checkEncrypted(raw []byte, key *rsa.PrivateKey) *rejection {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return reject(reasonMalformed, "SAMLResponse is not XML")
	}
	enc := doc.Root().FindElement(".//EncryptedAssertion")
	if enc == nil {
		return nil
	}
	assertion, err := decryptAssertion(enc, key)
	if err != nil {
		// One answer for every failure, whether of the key, the padding or
		// the XML: the differences are what decryption oracles feed on.
		return reject(reasonMalformed, "the encrypted assertion could not be decrypted")
	}
	if assertion.Tag != "Assertion" {
		return reject(reasonMalformed, "the encrypted element is not an assertion")
	}
	counts := map[string]int{}
	countElements(assertion, counts)
	switch {
	case counts["Response"] > 0:
		return reject(reasonWrapping, "a Response inside the encrypted assertion")
	case counts["Assertion"]+counts["EncryptedAssertion"] > 1:
		return reject(reasonManyAssertions, "inside the encrypted assertion")
	case doc.Root().SelectElement("Signature") == nil && assertion.SelectElement("Signature") == nil:
		return reject(reasonUnsigned, "neither the response nor the encrypted assertion is signed")
	}
	return nil
}

// decryptAssertion opens an EncryptedAssertion whose content key is wrapped
// to key, in an EncryptedKey beside the EncryptedData or in its KeyInfo.
func decryptAssertion(enc *etree.Element, key *rsa.PrivateKey) (*etree.Element, error) {
	data := enc.SelectElement("EncryptedData")
	if data == nil {
		return nil, errors.New("no EncryptedData")
	}
	wrapped := append(enc.SelectElements("EncryptedKey"), data.FindElements("./KeyInfo/EncryptedKey")...)
	if len(wrapped) > maxEncryptedKeys {
		wrapped = wrapped[:maxEncryptedKeys]
	}
	// The block ciphers would unwrap a KeyInfo EncryptedKey themselves,
	// with the content key; hand them the data without it.
	bare := data.Copy()
	if info := bare.SelectElement("KeyInfo"); info != nil {
		for _, k := range info.SelectElements("EncryptedKey") {
			info.RemoveChild(k)
		}
	}
	for _, k := range wrapped {
		contentKey, err := xmlenc.Decrypt(key, k)
		if err != nil {
			continue
		}
		plaintext, err := xmlenc.Decrypt(contentKey, bare)
		if err != nil {
			return nil, err
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(plaintext); err != nil || doc.Root() == nil {
			return nil, errors.New("the plaintext is not XML")
		}
		for _, tok := range doc.Child {
			if _, ok := tok.(*etree.Directive); ok {
				return nil, errors.New("the plaintext has a DOCTYPE")
			}
		}
		return doc.Root(), nil
	}
	return nil, errors.New("no content key opens with the SP's key")
}
