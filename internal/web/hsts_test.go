package web_test

import (
	"net/http"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Strict-Transport-Security rides on every answer of a node whose public
// URL is https, whatever the answer, and never over plain http.
func TestStrictTransportSecurityIsSentOnlyWhenThePublicURLIsHTTPS(t *testing.T) {
	t.Parallel()
	pages := []struct {
		name, path string
		status     int
	}{
		{"a public page", "/login", http.StatusOK},
		{"a page that does not exist", "/no-such-page", http.StatusNotFound},
		{"a redirect to sign in", "/organizations", http.StatusSeeOther},
	}
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		for _, tt := range []struct {
			name, baseURL, want string
		}{
			{"https", "https://padlock.example", "max-age=31536000"},
			{"http", "", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				a := testenv.StartApp(t, d, testenv.Options{BaseURL: tt.baseURL})
				for _, pg := range pages {
					resp, err := http.DefaultTransport.RoundTrip(mustRequest(t, a.URL+pg.path))
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					if resp.StatusCode != pg.status {
						t.Errorf("%s: status %d, want %d", pg.name, resp.StatusCode, pg.status)
					}
					if got := resp.Header.Get("Strict-Transport-Security"); got != tt.want {
						t.Errorf("%s (%d): Strict-Transport-Security %q, want %q", pg.name, resp.StatusCode, got, tt.want)
					}
				}
			})
		}
	})
}

func mustRequest(t *testing.T, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
