// Package webauthntest is a software authenticator for tests: it answers a
// relying party's WebAuthn options as a browser with a security key would,
// with ECDSA P-256 keys it makes, so HTTP tests can register passkeys and
// sign in with them without a browser.
package webauthntest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

// Key is one credential the authenticator holds.
type Key struct {
	ID         []byte
	UserHandle []byte
	RPID       string
	Private    *ecdsa.PrivateKey
	// Count is the signature counter: each assertion adds one first. A
	// test sets it back to play a copied key.
	Count uint32
}

// Authenticator answers in the browser of one origin.
type Authenticator struct {
	Origin string
}

// New returns an authenticator whose answers say they come from origin
// (scheme://host:port).
func New(origin string) *Authenticator { return &Authenticator{Origin: origin} }

var b64 = base64.RawURLEncoding

// options is the part of the relying party's options the authenticator
// reads; the page carries them as {"publicKey": {...}}.
type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func parse(optionsJSON string) (*options, error) {
	var o options
	if err := json.Unmarshal([]byte(optionsJSON), &o); err != nil {
		return nil, fmt.Errorf("webauthntest: options: %w", err)
	}
	return &o, nil
}

// Create makes a new key for the registration options and returns the
// browser's answer as the JSON a page posts, with the key.
func (a *Authenticator) Create(optionsJSON string) (string, *Key, error) {
	o, err := parse(optionsJSON)
	if err != nil {
		return "", nil, err
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", nil, err
	}
	handle, _ := b64.DecodeString(o.PublicKey.User.ID)
	k := &Key{ID: make([]byte, 32), UserHandle: handle, RPID: o.PublicKey.RP.ID, Private: priv}
	rand.Read(k.ID)
	pub, _ := priv.PublicKey.ECDH()
	raw := pub.Bytes() // 0x04 | X | Y
	cose, err := webauthncbor.Marshal(webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1, XCoord: raw[1:33], YCoord: raw[33:65]})
	if err != nil {
		return "", nil, err
	}
	auth := authData(k.RPID, 0x01|0x04|0x40, 0)
	auth = append(auth, make([]byte, 16)...) // AAGUID: none
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(k.ID)))
	auth = append(auth, k.ID...)
	auth = append(auth, cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return "", nil, err
	}
	resp := map[string]any{
		"id": b64.EncodeToString(k.ID), "rawId": b64.EncodeToString(k.ID), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"usb"},
		},
	}
	out, err := json.Marshal(resp)
	return string(out), k, err
}

// Get answers sign-in options with k, advancing its counter first.
func (a *Authenticator) Get(optionsJSON string, k *Key) (string, error) {
	o, err := parse(optionsJSON)
	if err != nil {
		return "", err
	}
	k.Count++
	rpID := o.PublicKey.RPID
	if rpID == "" {
		rpID = k.RPID
	}
	auth := authData(rpID, 0x01|0x04, k.Count)
	client := a.clientData("webauthn.get", o.PublicKey.Challenge)
	sum := sha256.Sum256(client)
	digest := sha256.Sum256(append(append([]byte{}, auth...), sum[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, k.Private, digest[:])
	if err != nil {
		return "", err
	}
	resp := map[string]any{
		"id": b64.EncodeToString(k.ID), "rawId": b64.EncodeToString(k.ID), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(client),
			"authenticatorData": b64.EncodeToString(auth),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(k.UserHandle),
		},
	}
	out, err := json.Marshal(resp)
	return string(out), err
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// authData is the authenticator data's fixed part: the RP ID's hash, the
// flags and the counter.
func authData(rpID string, flags byte, count uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append(h[:], flags)
	return binary.BigEndian.AppendUint32(out, count)
}
