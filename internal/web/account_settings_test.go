package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Refused for having no MFA, the Administrator sees the reason once, and
// the switch as it is stored: off.
func TestRequiringMFAWithoutYourOwnSaysSoOnceAndLeavesTheSwitchOff(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		status, body := requireMFA(t, c, true, "3")
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("require MFA without your own: %d", status)
		}
		if n := strings.Count(body, "before you require it of everyone"); n != 1 {
			t.Errorf("the refusal is said %d times, want once", n)
		}
		if sw := regexp.MustCompile(`<input type="checkbox" id="require_mfa"[^>]*>`).FindString(body); sw == "" || strings.Contains(sw, "checked") {
			t.Errorf("the switch shows on although nothing was saved: %s", sw)
		}
		if !strings.Contains(body, `href="/settings/mfa/enroll"`) {
			t.Error("the refusal has no link to set MFA up")
		}
	})
}
