package sso

import (
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
)

// maxResponseSize bounds a decoded SAMLResponse. Real ones are a few
// kilobytes, tens with many attributes or groups.
const maxResponseSize = 256 << 10

// decodeResponse reads the SAMLResponse form value of the HTTP-POST binding.
func decodeResponse(form string) ([]byte, *rejection) {
	if form == "" {
		return nil, reject(reasonMalformed, "no SAMLResponse in the form")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(form), ""))
	if err != nil {
		return nil, reject(reasonMalformed, "SAMLResponse is not base64")
	}
	if len(raw) > maxResponseSize {
		return nil, reject(reasonMalformed, "SAMLResponse is too large")
	}
	return raw, nil
}

// checkShape looks at the raw XML before any signature is checked: one
// Response holding exactly one assertion, and no DOCTYPE. An encrypted
// assertion may carry its own signature inside the encryption, so whether
// it is signed is checked once decrypted (checkEncrypted). Signature
// wrapping needs a second copy of something (an assertion hidden where the
// signature check finds it, beside the one the application reads, or a
// Response inside a Response); refusing every document with more than one
// closes those variants whatever the library would make of them. Elements
// are counted by local name in any namespace, so a copy cannot hide behind
// an unexpected prefix.
func checkShape(raw []byte) *rejection {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil || doc.Root() == nil {
		return reject(reasonMalformed, "SAMLResponse is not XML")
	}
	for _, tok := range doc.Child {
		if _, ok := tok.(*etree.Directive); ok {
			return reject(reasonMalformed, "the response has a DOCTYPE")
		}
	}
	if doc.Root().Tag != "Response" {
		return reject(reasonMalformed, "the document is not a SAML Response")
	}
	counts := map[string]int{}
	countElements(doc.Root(), counts)
	switch n := counts["Assertion"] + counts["EncryptedAssertion"]; {
	case counts["Response"] > 1:
		return reject(reasonWrapping, "a Response inside the Response")
	case n == 0:
		return reject(reasonMalformed, "no assertion")
	case n > 1:
		return reject(reasonManyAssertions, "")
	case counts["Signature"] == 0 && counts["EncryptedAssertion"] == 0:
		// crewjam/saml refuses it too, but without saying why.
		return reject(reasonUnsigned, "nothing is signed")
	}
	return nil
}

func countElements(el *etree.Element, counts map[string]int) {
	counts[el.Tag]++
	for _, c := range el.ChildElements() {
		countElements(c, counts)
	}
}
