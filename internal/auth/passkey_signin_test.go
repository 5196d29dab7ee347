package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/padlock-mfa/padlock/internal/auth"
)

// The limit on passkey sign-in challenges counts an IPv4 address alone and
// an IPv6 address by its /64, which one subscriber usually holds whole.
func TestAPasskeySignInClientIsAnAddressOrAnIPv6Slash64(t *testing.T) {
	for address, want := range map[string]string{
		"203.0.113.7":                    "203.0.113.7",
		"::ffff:203.0.113.7":             "203.0.113.7",
		"2001:db8:1:2::1":                "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:ff": "2001:db8:1:2::/64",
		"fe80::1%eth0":                   "fe80::/64",
	} {
		if got := auth.SignInClient(address); got != want {
			t.Errorf("%q: client %q, want %q", address, got, want)
		}
	}
	// Anything else is one client per text, kept short, printable and
	// valid UTF-8 whatever it was (PostgreSQL refuses invalid UTF-8).
	seen := map[string]string{}
	for _, address := range []string{"not an address", strings.Repeat("é", 100), "\xff\xfe\x00", strings.Repeat("x", 200)} {
		got := auth.SignInClient(address)
		if len(got) > 64 || !utf8.ValidString(got) || strings.ContainsFunc(got, func(r rune) bool { return r < ' ' }) || got != auth.SignInClient(address) {
			t.Errorf("%q: client %q", address, got)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("%q and %q are one client %q", address, other, got)
		}
		seen[got] = address
	}
}
