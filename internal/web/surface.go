package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Each route belongs to a surface: the account's pages for its staff, or
// the client portal's under /portal. Sign-in, MFA and My Settings exist on
// both, served by the same handlers; each surface has its own session
// cookie, and a session of one never opens the other.

type surfaceKey struct{}

// withSurface tells the handlers which surface a route belongs to.
func withSurface(sf padlock.Surface, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), surfaceKey{}, sf)))
	})
}

// surfaceOf is the surface of the request's route (the account's when none).
func surfaceOf(r *http.Request) padlock.Surface {
	if sf, ok := r.Context().Value(surfaceKey{}).(padlock.Surface); ok {
		return sf
	}
	if strings.HasPrefix(r.URL.Path, "/portal/") || r.URL.Path == "/portal" {
		return padlock.SurfacePortal
	}
	return padlock.SurfaceAccount
}

// at is path on the request's surface: "/login" is /portal/login there.
func at(r *http.Request, path string) string {
	return surfaceOf(r).Prefix() + path
}

// safeNext keeps a post-sign-in redirect on this site and on the request's
// surface; anything else goes to the surface's start page. A browser drops
// tabs and line breaks from a URL and reads a backslash as a slash, so
// "/\t/evil.example" would leave the site: only a path of printable ASCII,
// without backslashes, that names no host before or after decoding passes.
func safeNext(r *http.Request, next string) string {
	home := at(r, "/")
	if !isLocalPath(next) {
		return home
	}
	if decoded, err := url.PathUnescape(next); err != nil || namesAHost(decoded) {
		return home
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return home
	}
	onPortal := next == "/portal" || strings.HasPrefix(next, "/portal/")
	if onPortal != (surfaceOf(r) == padlock.SurfacePortal) {
		return home
	}
	return next
}

// isLocalPath reports whether p is an absolute path of printable ASCII
// without backslashes that a browser cannot read as another host ("//").
func isLocalPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// namesAHost reports whether a decoded path could reach another host: a
// control character anywhere, or a start a browser reads as "//".
func namesAHost(p string) bool {
	if strings.ContainsFunc(p, func(c rune) bool { return c < ' ' || c == 0x7f }) {
		return true
	}
	return strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\")
}
