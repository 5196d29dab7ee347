package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The enrollment screen offers an otpauth: link for the phone that shows
// it: the same secret as the page, in a link that leaves Padlock.
func TestEnrollmentOffersALinkToTheAuthenticatorApp(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		postedTo(t, c, "/settings/mfa/enroll", nil)
		_, _, body := c.Get(t, "/settings/mfa/enroll")
		m := regexp.MustCompile(`<a href="([^"]+)" id="otpauth-link">Open in authenticator app</a>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no link to the authenticator app")
		}
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Query().Get("secret") != secretOnPage(body) {
			t.Fatalf("the link %q is not the page's otpauth URI", m[1])
		}
		if strings.Contains(a.Log.String(), secretOnPage(body)) {
			t.Fatal("the secret reached the log")
		}
	})
}
