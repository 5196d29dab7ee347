package mfa

import (
	"strings"
	"testing"
	"time"
)

// RFC 4226 appendix D: HOTP values for the ASCII secret "12345678901234567890".
func TestRFC4226AppendixDVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, code := range want {
		if got := Code(secret, int64(counter), 6); got != code {
			t.Errorf("counter %d: %s, want %s", counter, got, code)
		}
	}
}

// RFC 6238 appendix B: the SHA-1 rows, 8 digits, T0 = 0, X = 30.
func TestRFC6238AppendixBVectors(t *testing.T) {
	secret := []byte("12345678901234567890")
	cases := []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	}
	for _, c := range cases {
		if got := Code(secret, Step(time.Unix(c.unix, 0)), 8); got != c.code {
			t.Errorf("T=%d: %s, want %s", c.unix, got, c.code)
		}
	}
}

func TestTheStepBeforeAndAfterAreAcceptedAndNoOthers(t *testing.T) {
	secret := NewSecret()
	now := time.Unix(1_800_000_000, 0)
	current := Step(now)
	for offset := int64(-3); offset <= 3; offset++ {
		step, ok := MatchStep(secret, Code(secret, current+offset, Digits), now)
		want := offset >= -1 && offset <= 1
		if ok != want || (ok && step != current+offset) {
			t.Errorf("offset %d: matched %v at step %d", offset, ok, step)
		}
	}
}

func TestCodesAreNormalized(t *testing.T) {
	cases := []struct {
		in   string
		want string
		kind CodeKind
	}{
		{"123456", "123456", TOTPCode},
		{" 123 456 ", "123456", TOTPCode},
		{"123-456", "123456", TOTPCode},
		{"12345", "12345", NotACode},
		{"1234567", "1234567", NotACode},
		{"12a456", "12a456", NotACode},
		{"ABCDE-FGHJK", "abcdefghjk", RecoveryCode},
		{"abcde fghjk", "abcdefghjk", RecoveryCode},
		{"abcde-fghj1", "abcdefghj1", NotACode}, // 1 is not in the alphabet
		{"", "", NotACode},
	}
	for _, c := range cases {
		got, kind := NormalizeCode(c.in)
		if got != c.want || kind != c.kind {
			t.Errorf("%q: %q %v, want %q %v", c.in, got, kind, c.want, c.kind)
		}
	}
}

func TestSecretsAreFreshAndTheRightSize(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if len(a) != 20 || string(a) == string(b) {
		t.Fatal("secrets must be 160 random bits, new each time")
	}
	if len(EncodeSecret(a)) != 32 {
		t.Fatalf("base32 of 160 bits is 32 characters, got %q", EncodeSecret(a))
	}
}

func TestRecoveryCodesAreDistinctAndNormalizeToTheirHash(t *testing.T) {
	codes := NewRecoveryCodes()
	key := make([]byte, 32)
	seen := map[string]bool{}
	for _, c := range codes {
		n, kind := NormalizeCode(strings.ToUpper(c))
		if kind != RecoveryCode || seen[n] {
			t.Fatalf("code %q: kind %v, duplicate %v", c, kind, seen[n])
		}
		seen[n] = true
		if string(HashRecoveryCode(key, n)) == string(HashRecoveryCode([]byte("another key, 32 bytes long......"), n)) {
			t.Fatal("the hash does not depend on the server key")
		}
	}
	if len(codes) != 10 {
		t.Fatalf("%d codes", len(codes))
	}
}

func TestSealedSecretsOpenOnlyForTheirUser(t *testing.T) {
	s, err := NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	secret := NewSecret()
	sealed := s.Seal(7, "totp", secret)
	if strings.Contains(string(sealed), string(secret)) {
		t.Fatal("the secret is visible in the sealed form")
	}
	if got, err := s.Open(7, "totp", sealed); err != nil || string(got) != string(secret) {
		t.Fatalf("open: %v", err)
	}
	if _, err := s.Open(8, "totp", sealed); err == nil {
		t.Fatal("a secret opened for another user")
	}
	other, _ := NewSealer([]byte("another server key of 32 bytes!!"))
	if _, err := other.Open(7, "totp", sealed); err == nil {
		t.Fatal("a secret opened under another server key")
	}
}

func TestTheQRCodeIsRenderedLocally(t *testing.T) {
	uri := KeyURI("Acme IT", "ada@acme.test", NewSecret())
	if !strings.HasPrefix(uri, "otpauth://totp/Acme%20IT:ada@acme.test?") || !strings.Contains(uri, "issuer=Acme+IT") {
		t.Fatalf("uri %q", uri)
	}
	img, err := QRDataURI(uri)
	if err != nil || !strings.HasPrefix(img, "data:image/png;base64,") {
		t.Fatalf("qr: %v", err)
	}
}
