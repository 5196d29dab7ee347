package auth_test

import (
	"strings"
	"testing"

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
		"not an address":                 "not an address",
		strings.Repeat("x", 200):         strings.Repeat("x", 64),
	} {
		if got := auth.SignInClient(address); got != want {
			t.Errorf("%q: client %q, want %q", address, got, want)
		}
	}
}
