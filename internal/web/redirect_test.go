package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Where sign-in sends the browser afterwards, for each next a link or a
// form may carry: a path on the surface, or else the surface's home page.
var nextCases = []struct {
	name, next, want string
}{
	{"a path on the surface is kept", "/organizations", "/organizations"},
	{"a path with an escaped query is kept", "/account/users?mfa=not_set_up&q=a%20b", "/account/users?mfa=not_set_up&q=a%20b"},
	{"a tab before a second slash goes home", "/\t/evil.example", "/"},
	{"a carriage return before a second slash goes home", "/\r/evil.example", "/"},
	{"a line feed before a second slash goes home", "/\n/evil.example", "/"},
	{"a control character anywhere goes home", "/organizations\x00", "/"},
	{"a delete character goes home", "/\x7f/evil.example", "/"},
	{"a space goes home", "/ /evil.example", "/"},
	{"a protocol-relative address goes home", "//evil.example", "/"},
	{"a backslash after the slash goes home", "/\\evil.example", "/"},
	{"a backslash anywhere goes home", "/organizations\\..\\evil", "/"},
	{"an escaped slash that decodes to two goes home", "/%2F/evil.example", "/"},
	{"an escaped backslash that decodes after the slash goes home", "/%5Cevil.example", "/"},
	{"an escaped tab goes home", "/%09/evil.example", "/"},
	{"an escaped line feed goes home", "/%0a/evil.example", "/"},
	{"a bad escape goes home", "/%zz", "/"},
	{"an absolute URL goes home", "https://evil.example/", "/"},
	{"a scheme without slashes goes home", "javascript:alert(1)", "/"},
	{"a relative path goes home", "evil.example", "/"},
	{"a non-ASCII character goes home", "/organizations/\u00e9", "/"},
	{"a path on the portal surface goes home", "/portal/documents", "/"},
	{"nothing goes home", "", "/"},
}

func TestASignedInVisitToSignInRedirectsOnlyToAPathOnTheSite(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		for _, tt := range nextCases {
			t.Run(tt.name, func(t *testing.T) {
				status, loc, _ := c.Get(t, "/login?next="+url.QueryEscape(tt.next))
				if status != http.StatusSeeOther || loc != tt.want {
					t.Fatalf("next %q: %d %q, want %q", tt.next, status, loc, tt.want)
				}
			})
		}
	})
}

func TestSigningInRedirectsOnlyToAPathOnTheSite(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		for _, tt := range nextCases {
			t.Run(tt.name, func(t *testing.T) {
				c := a.NewClient()
				status, loc, _ := c.PostForm(t, "/login", url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}, "next": {tt.next}})
				if status != http.StatusSeeOther || loc != tt.want {
					t.Fatalf("next %q: %d %q, want %q", tt.next, status, loc, tt.want)
				}
			})
		}
	})
}
