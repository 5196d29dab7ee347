package padlock

import (
	"strings"
	"testing"
)

func TestCheckTextAcceptsPrintableTextAndRefusesBadBytes(t *testing.T) {
	cases := []struct {
		name, s string
		kind    TextKind
		ok      bool
	}{
		{"a plain name is accepted", "Ada Lovelace", SingleLine, true},
		{"accents, scripts and emoji are accepted", "Zoë 北京 ✓👩‍💻", SingleLine, true},
		{"invalid UTF-8 is refused", "Ada \xff", SingleLine, false},
		{"an encoded surrogate is refused", "Ada \xed\xa0\x80", MultiLine, false},
		{"a NUL is refused even in a body", "Ada\x00", MultiLine, false},
		{"an escape is refused even in a body", "Ada\x1b[0m", MultiLine, false},
		{"DEL is refused", "Ada\x7f", SingleLine, false},
		{"a C1 control is refused", "Ada\u0085", MultiLine, false},
		{"CR LF is refused on one line", "Ada\r\nEve", SingleLine, false},
		{"a tab is refused on one line", "Ada\tEve", SingleLine, false},
		{"a line separator is refused on one line", "Ada\u2028Eve", SingleLine, false},
		{"CR LF and tabs are accepted in a body", "Ada\r\n\tEve\n", MultiLine, true},
		{"text at the limit is accepted", strings.Repeat("é", 20), SingleLine, true},
		{"text over the limit is refused", strings.Repeat("é", 21), SingleLine, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckText("f", tc.s, tc.kind, 20)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckText(%q) = %v", tc.s, err)
			}
			if err != nil {
				if e, ok := err.(*Error); !ok || e.Fields.Message("f") == "" || e.Code != EINVALID {
					t.Fatalf("not a field error: %#v", err)
				}
			}
		})
	}
}

func TestCountsAgreeWithTheirNumber(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{Count(0, "invitation", "invitations"), "0 invitations"},
		{Count(1, "invitation", "invitations"), "1 invitation"},
		{Count(2, "invitation", "invitations"), "2 invitations"},
		{OfCount(1, 3, "user", "users", "has", "have"), "1 of 3 users has"},
		{OfCount(2, 3, "user", "users", "has", "have"), "2 of 3 users have"},
		{OfCount(0, 3, "user", "users", "has", "have"), "0 of 3 users have"},
		{OfCount(0, 1, "user", "users", "has", "have"), "0 of 1 user has"},
		{OfCount(1, 1, "user", "users", "has", "have"), "1 of 1 user has"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
