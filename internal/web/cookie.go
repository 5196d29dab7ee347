package web

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// sessionCookieName is the cookie of the request's surface; the portal's is
// its own. It carries the __Host- prefix when cookies are Secure: the
// browser then refuses it from subdomains and over plain HTTP.
func (s *Server) sessionCookieName(r *http.Request) string {
	name := "padlock_session"
	if surfaceOf(r) == padlock.SurfacePortal {
		name = "padlock_portal_session"
	}
	if s.opts.SecureCookies {
		return "__Host-" + name
	}
	return name
}

func (s *Server) sessionToken(r *http.Request) string {
	c, err := r.Cookie(s.sessionCookieName(r))
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookieName(r), Value: token, Path: "/",
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: s.sessionCookieName(r), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// flash carries a one-line notice across a redirect.
const flashCookie = "padlock_flash"

func (s *Server) setFlash(w http.ResponseWriter, msg string) { s.setFlashKind(w, flashOK, msg) }

// setFlashError is a flash that reports a failure: it is shown as an
// error, not as a success.
func (s *Server) setFlashError(w http.ResponseWriter, msg string) { s.setFlashKind(w, flashError, msg) }

// Flash kinds, the first character of the cookie's value.
const (
	flashOK    = "o"
	flashError = "e"
)

func (s *Server) setFlashKind(w http.ResponseWriter, kind, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: kind + url.QueryEscape(msg), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// takeFlash returns the flash of the previous answer, if any, and whether
// it reports a failure.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) (msg string, failed bool) {
	c, err := r.Cookie(flashCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0)})
	msg, _ = url.QueryUnescape(c.Value[1:])
	if len(msg) > 300 {
		msg = strings.ToValidUTF8(msg[:300], "")
	}
	return msg, c.Value[:1] == flashError
}

// clientAddress is the caller's IP: the connection's, or the last hop of
// X-Forwarded-For when the server runs behind a trusted proxy.
func (s *Server) clientAddress(r *http.Request) string {
	if s.opts.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
