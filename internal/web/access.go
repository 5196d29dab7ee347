package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Access is the class of caller a route admits. Every route in the table
// declares one; the zero value is invalid so a forgotten class fails the
// route-table test and start-up.
type Access struct {
	kind accessKind
	perm padlock.Permission
}

type accessKind int

const (
	accessUnset accessKind = iota
	accessPublic
	accessSignedIn
	accessPermission
	accessChallenge
	accessEnrollment
	accessAnySession
	accessAPI
)

// Public routes need no session: sign-in, single-use links, health, assets.
var Public = Access{kind: accessPublic}

// SignedIn routes need a full session of an active user.
var SignedIn = Access{kind: accessSignedIn}

// Challenge routes are the second step of sign-in: they need a session
// that has passed the password and waits for its second factor.
var Challenge = Access{kind: accessChallenge}

// Enrollment routes are the MFA setup screens: reachable by a full session
// and by one held until its user sets MFA up.
var Enrollment = Access{kind: accessEnrollment}

// AnySession routes accept a session in any state; only sign-out.
var AnySession = Access{kind: accessAnySession}

// Permitted routes need a full session whose role grants p.
func Permitted(p padlock.Permission) Access { return Access{kind: accessPermission, perm: p} }

// API routes (under /api/v1) admit an API key of the account, read-only
// keys only on GET, or a full session whose role grants p (any full
// session when p is ""), under the same MFA decision as pages.
func API(p padlock.Permission) Access { return Access{kind: accessAPI, perm: p} }

func (a Access) String() string {
	switch a.kind {
	case accessPublic:
		return "public"
	case accessSignedIn:
		return "signed-in"
	case accessPermission:
		return "permission:" + string(a.perm)
	case accessChallenge:
		return "challenge"
	case accessEnrollment:
		return "enrollment"
	case accessAnySession:
		return "any-session"
	case accessAPI:
		return "api:" + string(a.perm)
	}
	return "unset"
}

type currentKey struct{}

// currentFrom returns the signed-in caller that the access check stored.
func currentFrom(ctx context.Context) *auth.Current {
	c, _ := ctx.Value(currentKey{}).(*auth.Current)
	return c
}

// guard wraps a handler with its access check. The decision comes from the
// session in the database and the user's stored role, never from anything
// else the client sends.
func (s *Server) guard(rt route) http.Handler {
	sf, a, h := rt.surface, rt.access, rt.handler
	if a.kind == accessPublic {
		return withSurface(sf, h)
	}
	return withSurface(sf, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if key, ok := apiKeyOf(r); ok && a.kind == accessAPI {
			s.guardAPIKey(w, r, key, a, h)
			return
		}
		c, err := s.auth.Authenticate(r.Context(), s.sessionToken(r))
		if err == nil && c.User.Surface() != sf {
			err = auth.ErrNoSession // a session of the other surface opens nothing here
		}
		if errors.Is(err, auth.ErrNoSession) {
			if other, ok := s.signedInElsewhere(r, sf); ok {
				// A portal user probing the account's pages, or the other way
				// round: these pages do not exist for them. The page's links
				// lead back to their own surface.
				s.notFound(w, r.WithContext(context.WithValue(r.Context(), surfaceKey{}, other)))
				return
			}
			s.unauthenticated(w, r)
			return
		} else if err != nil {
			s.error(w, r, err)
			return
		}
		if !s.admits(w, r, rt, c) {
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), currentKey{}, c)))
	}))
}

// signedInElsewhere reports whether the request carries a live session of
// the other surface, and which surface that is.
func (s *Server) signedInElsewhere(r *http.Request, sf padlock.Surface) (padlock.Surface, bool) {
	other := padlock.SurfacePortal
	if sf == padlock.SurfacePortal {
		other = padlock.SurfaceAccount
	}
	probe := r.WithContext(context.WithValue(r.Context(), surfaceKey{}, other))
	token := s.sessionToken(probe)
	if token == "" {
		return other, false
	}
	c, err := s.auth.Authenticate(r.Context(), token)
	return other, err == nil && c.User.Surface() == other
}

// admits applies the MFA decision and the route's class. The decision
// (padlock.NextStep, made for this request from the session's proof and
// the user, account and portal just read) is the only thing that says
// where a session may go: a session that must prove a second factor
// reaches only the challenge, one whose user must set MFA up reaches only
// enrollment; sign-out is always allowed. A form sent meanwhile is held
// for after that step (held.go).
func (s *Server) admits(w http.ResponseWriter, r *http.Request, rt route, c *auth.Current) bool {
	a := rt.access
	switch {
	case a.kind == accessAnySession:
		return true
	case c.Step == padlock.StepChallenge:
		if a.kind != accessChallenge {
			s.redirectOrRefuse(w, r, at(r, "/login/mfa")+s.returnQuery(r, c, rt.form))
			return false
		}
		return true
	case a.kind == accessChallenge:
		redirect(w, r, at(r, "/"))
		return false
	case c.Step == padlock.StepEnroll && a.kind != accessEnrollment:
		s.redirectOrRefuse(w, r, at(r, "/settings/mfa/enroll")+s.returnQuery(r, c, rt.form))
		return false
	case a.perm != "":
		if err := c.User.Role.Permit(a.perm); err != nil {
			// The refusal is a page of the caller's own, with their menu.
			s.error(w, r.WithContext(context.WithValue(r.Context(), currentKey{}, c)), err)
			return false
		}
	}
	return true
}

// nextQuery remembers where a GET was going, so enrollment can land there.
func nextQuery(r *http.Request) string {
	if r.Method != http.MethodGet {
		return ""
	}
	return "?next=" + urlQueryEscape(r.URL.RequestURI())
}

// redirectOrRefuse sends a browser to the step it must complete; an API
// client gets 401.
func (s *Server) redirectOrRefuse(w http.ResponseWriter, r *http.Request, to string) {
	if isAPI(r) {
		s.error(w, r, &padlock.Error{Code: padlock.EUNAUTHORIZED, Message: "Complete sign-in first: " + strings.TrimPrefix(to, "/") + "."})
		return
	}
	redirect(w, r, to)
}

// unauthenticated sends a browser to sign in (and back here afterwards),
// where a session cookie that names no session any more is dropped with
// a word on why; API clients get 401, and lose such a cookie at once.
func (s *Server) unauthenticated(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		if s.sessionToken(r) != "" {
			s.clearSessionCookie(w, r)
		}
		s.error(w, r, auth.ErrNoSession)
		return
	}
	target := at(r, "/login")
	if r.Method == http.MethodGet && r.URL.Path != "/" && r.URL.Path != "/portal/" {
		target += "?next=" + urlQueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
