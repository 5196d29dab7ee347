package web

import (
	"context"
	"net/http"
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
// surface; anything else goes to the surface's start page.
func safeNext(r *http.Request, next string) string {
	home := at(r, "/")
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return home
	}
	onPortal := next == "/portal" || strings.HasPrefix(next, "/portal/")
	if onPortal != (surfaceOf(r) == padlock.SurfacePortal) {
		return home
	}
	return next
}
