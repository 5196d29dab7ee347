package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// passkeySignInCookie binds a sign-in with a passkey alone to the browser
// that asked for its challenge: it holds the token whose hash names the
// challenge in the database, for this surface's sign-in pages only.
const passkeySignInCookie = "padlock_passkey_signin"

type passkeySignInFields struct {
	Credential string `form:"credential"`
	Next       string `form:"next"`
}

// passkeySignInBegin answers the sign-in page's script with the options of
// a new challenge (JSON), and gives the browser the cookie that names it,
// in place of the one it held. A client holding too many challenges is
// answered 429 with Retry-After, and a message the script shows.
func (s *Server) passkeySignInBegin(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	previous := ""
	if c, err := r.Cookie(passkeySignInCookie); err == nil {
		previous = c.Value
	}
	token, options, err := s.auth.BeginPasskeySignIn(r.Context(), surfaceOf(r), previous, s.clientAddress(r))
	if err != nil {
		s.setRetryAfter(w, err)
		s.jsonError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: passkeySignInCookie, Value: token, Path: at(r, "/login"), MaxAge: 300,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(options))
}

// passkeySignInSubmit signs in with the browser's answer to its own
// challenge. Every refusal shows the sign-in page with one message.
func (s *Server) passkeySignInSubmit(w http.ResponseWriter, r *http.Request) {
	f := passkeySignInFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	next := safeNext(r, f.Next)
	token := ""
	if c, err := r.Cookie(passkeySignInCookie); err == nil {
		token = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: passkeySignInCookie, Value: "", Path: at(r, "/login"), MaxAge: -1,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: http.SameSiteStrictMode})
	res, err := s.auth.SignInWithPasskey(r.Context(), surfaceOf(r), token, f.Credential, s.clientAddress(r))
	if err != nil {
		p := s.signInPage(w, r, "", next)
		s.render(w, r, s.formError(r, &p.Page, err), "signin", p)
		return
	}
	s.setSessionCookie(w, r, res.Token)
	redirect(w, r, nextStepURL(r, res, next))
}

// setRetryAfter tells when to ask again, in whole seconds, if err is an
// *auth.RetryLater: a client that started too many sign-ins.
func (s *Server) setRetryAfter(w http.ResponseWriter, err error) {
	if retry := (*auth.RetryLater)(nil); errors.As(err, &retry) {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(retry.At.Sub(s.now()).Seconds())))))
	}
}

// jsonError answers a script's request with a JSON error code and message;
// internal errors are logged and said as "Internal error.".
func (s *Server) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	code := padlock.ErrorCode(err)
	status, msg := statusOf(code), padlock.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		s.logger.Error("internal error", "route", r.Pattern, "err", err)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
