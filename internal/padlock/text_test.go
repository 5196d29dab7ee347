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
