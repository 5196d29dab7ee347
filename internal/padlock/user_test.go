package padlock

import (
	"strings"
	"testing"
	"time"
)

func TestHasMFAOnlyWithAConfirmedFactor(t *testing.T) {
	if (&User{}).HasMFA() {
		t.Error("a user who never confirmed a factor has MFA")
	}
	if !(&User{MFASince: time.Unix(1_800_000_000, 0)}).HasMFA() {
		t.Error("a user with a confirmed factor has no MFA")
	}
}

func TestNormalizeEmail(t *testing.T) {
	const (
		enter   = "Enter an email address."
		invalid = "Enter a valid email address, like name@example.com."
		tooLong = "This email address is too long."
	)
	domain := "@example.com"
	longest := strings.Repeat("a", MaxEmailLen-len(domain)) + domain
	cases := []struct {
		name, in, want string
		message        string // the error shown beside the field, "" for none
	}{
		{"a plain address is kept", "ada@example.com", "ada@example.com", ""},
		{"upper case is lowered", "Ada.Lovelace@Example.COM", "ada.lovelace@example.com", ""},
		{"spaces around are trimmed", "  ada@example.com  ", "ada@example.com", ""},
		{"a pasted no-break space around is trimmed", "\u00a0ada@example.com\u00a0", "ada@example.com", ""},
		{"a subaddress is kept", "ada+padlock@example.com", "ada+padlock@example.com", ""},
		{"an address at the length limit is accepted", longest, longest, ""},
		{"an address over the length limit is refused", "a" + longest, "", tooLong},
		{"upper case at the length limit is accepted", strings.ToUpper(longest), longest, ""},
		{"an empty address is refused", "", "", enter},
		{"only spaces are refused", "   ", "", enter},
		{"a space inside is refused", "ada lovelace@example.com", "", invalid},
		{"a space before the at sign is refused", "ada @example.com", "", invalid},
		{"a display name form is refused", "Ada <ada@example.com>", "", invalid},
		{"a short display name form is refused", "A <a@b.c>", "", invalid},
		{"an address in angle brackets is refused", "<ada@example.com>", "", invalid},
		{"a comment after the address is refused", "ada@example.com (Ada)", "", invalid},
		{"a quoted local part is refused", `"ada lovelace"@example.com`, "", invalid},
		{"two addresses are refused", "ada@example.com, eve@example.com", "", invalid},
		{"a text without an at sign is refused", "ada.example.com", "", invalid},
		{"a NUL is refused", "ada@example.com\x00", "", "Remove the control character U+0000 from this text."},
		{"an escape is refused", "ada\x1b@example.com", "", "Remove the control character U+001B from this text."},
		{"a line break at the end is refused, not trimmed", "ada@example.com\n", "", "Use a single line, without line breaks or tabs."},
		{"a tab is refused", "ada@\texample.com", "", "Use a single line, without line breaks or tabs."},
		{"a zero-width space that would copy another address is refused", "ada\u200b@example.com", "", invalid},
		{"a direction mark is refused", "ada@example.com\u200e", "", invalid},
		{"invalid UTF-8 is refused", "ada\xff@example.com", "", "This text has bytes that are not valid UTF-8 characters. Retype it."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeEmail(tc.in)
			if got != tc.want {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
			}
			checkFieldError(t, err, "email", tc.message)
		})
	}
}

func TestNormalizeName(t *testing.T) {
	const enter = "Enter a name."
	longest := strings.Repeat("é", MaxNameLen)
	cases := []struct {
		name, in, want string
		message        string
	}{
		{"a name is kept", "Ada Lovelace", "Ada Lovelace", ""},
		{"spaces around are trimmed", "  Ada  ", "Ada", ""},
		{"spaces inside are kept", "Ada  Lovelace", "Ada  Lovelace", ""},
		{"accents, scripts and emoji are kept", "Zoë 北京 ✓", "Zoë 北京 ✓", ""},
		{"the limit counts characters, not bytes", longest, longest, ""},
		{"trimmed spaces do not count towards the limit", "  " + longest + "  ", longest, ""},
		{"a name over the limit is refused", longest + "e", "", "Use at most 100 characters."},
		{"an empty name is refused", "", "", enter},
		{"only spaces are refused", "   ", "", enter},
		{"a line break at the end is refused, not trimmed", "Ada\n", "", "Use a single line, without line breaks or tabs."},
		{"a tab at the start is refused", "\tAda", "", "Use a single line, without line breaks or tabs."},
		{"a line separator is refused", "Ada\u2028Eve", "", "Use a single line, without line breaks or tabs."},
		{"a NUL is refused", "Ada\x00", "", "Remove the control character U+0000 from this text."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizeName("org_name", tc.in)
			if tc.message == "" && got != tc.want {
				t.Errorf("NormalizeName(%q) = %q, want %q", tc.in, got, tc.want)
			}
			checkFieldError(t, err, "org_name", tc.message)
		})
	}
}

// checkFieldError checks that err is nil when message is "", and otherwise
// an EINVALID error showing message beside field.
func checkFieldError(t *testing.T, err error, field, message string) {
	t.Helper()
	if message == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error = %#v, want a field error", err)
	}
	if e.Code != EINVALID || e.Fields.Message(field) != message {
		t.Fatalf("error = %+v, want %q on %s", e, message, field)
	}
}

func TestAPasskeyIsNamedByTheTransportsItsAuthenticatorReported(t *testing.T) {
	for want, transports := range map[string][]string{
		"passkey":                 {"internal"},
		"security key":            {"usb", "nfc"},
		"passkey or security key": nil,
	} {
		if got := (&Passkey{Transports: transports}).Kind(); got != want {
			t.Errorf("%v: %q, want %q", transports, got, want)
		}
	}
	if got := (&Passkey{Transports: []string{"hybrid", "usb"}}).Kind(); got != "passkey" {
		t.Errorf("a phone over hybrid: %q", got)
	}
}
