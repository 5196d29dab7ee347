package mfa

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"net/url"
	"strconv"

	"github.com/pquerna/otp"
)

// KeyURI is the otpauth:// URI an authenticator app scans: issuer is the
// account's name, label the user's email.
func KeyURI(issuer, email string, secret []byte) string {
	v := url.Values{}
	v.Set("secret", EncodeSecret(secret))
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", strconv.Itoa(Digits))
	v.Set("period", strconv.Itoa(Period))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + email, RawQuery: v.Encode()}
	return u.String()
}

// QRDataURI renders the key URI as a PNG QR code in a data: URI, drawn by
// the server: no third-party service sees the secret.
func QRDataURI(uri string) (string, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
