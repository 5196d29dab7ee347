package sso

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// A metadata URL gets one bounded try: an error status or an oversized
// answer is reported, never read further.
func TestFetchingMetadataIsBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write([]byte(strings.Repeat("x", maxMetadataSize+1)))
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/ok":
			w.Write([]byte("<EntityDescriptor/>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	s := &Service{AllowPrivateMetadataHosts: true}
	for path, want := range map[string]string{"/big": "too large", "/missing": "404", "/loop": "could not be reached"} {
		u, _ := url.Parse(srv.URL + path)
		if _, err := s.fetchMetadata(context.Background(), u); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", path, err, want)
		}
	}
	u, _ := url.Parse(srv.URL + "/ok")
	if b, err := s.fetchMetadata(context.Background(), u); err != nil || string(b) != "<EntityDescriptor/>" {
		t.Errorf("/ok: %q %v", b, err)
	}
	s.AllowPrivateMetadataHosts = false
	if _, err := s.fetchMetadata(context.Background(), u); err == nil || !strings.Contains(err.Error(), "inside the server's network") {
		t.Errorf("a loopback address: %v", err)
	}
}
