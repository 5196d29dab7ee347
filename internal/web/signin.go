package web

import (
	"errors"
	"net/http"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

type signInPage struct {
	Page
	Email string
	Next  string
	// SSO offers "Sign in with SSO": on the account's sign-in page, while
	// some account has SSO on for an email domain.
	SSO bool
	// SSOURL offers "Sign in with SSO" on a portal's own sign-in page
	// (/portal/login?sso=…), while that portal's SSO is on; PortalSSO is
	// the portal's SSO address, kept by the page's forms.
	SSOURL    string
	PortalSSO string
	// FocusPassword puts the cursor in Password, after a refused sign-in
	// that kept the email.
	FocusPassword bool
	// Passkeys offers "Sign in with a passkey" (shown by the script only).
	Passkeys bool
}

// signInPage is the sign-in page with what was typed and where to go next.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request, email, next string) signInPage {
	p := signInPage{Page: s.page(w, r, "Sign in", navNone), Email: email, Next: next, Passkeys: s.auth.PasskeysAvailable()}
	if surfaceOf(r) != padlock.SurfaceAccount {
		s.portalSSO(r, &p)
		return p
	}
	offered, err := s.db.Conn().SSOByEmailOffered(r.Context())
	if err != nil {
		s.logger.Warn("sso offered", "err", err)
	}
	p.SSO = offered
	return p
}

// portalSSO offers "Sign in with SSO" on the sign-in page of the portal
// whose SSO address the page was opened with, and only while that portal's
// SSO is on. An address of no such portal shows the password form alone.
func (s *Server) portalSSO(r *http.Request, p *signInPage) {
	id := r.FormValue("sso")
	if !publicIDPattern.MatchString(id) {
		return
	}
	to, err := s.opts.SSO.PortalSignIn(r.Context(), id)
	if err != nil {
		s.logger.Warn("portal sso offered", "err", err)
	}
	if to == "" {
		return
	}
	p.SSOURL, p.PortalSSO = to+"?next="+urlQueryEscape(p.Next), id
}

// signInFields is the sign-in form as submitted.
type signInFields struct {
	Email    string `form:"email"`
	Password string `form:"password"`
	Next     string `form:"next"`
}

// sessionEnded is what the sign-in page says to a browser whose session
// has ended without its signing out. It names no cause: the cookie only
// tells that there was a session, never why it ended.
const sessionEnded = "You were signed out: your session ended, after a time without activity or because your password or MFA changed. Sign in again to continue."

func (s *Server) signInForm(w http.ResponseWriter, r *http.Request) {
	token := s.sessionToken(r)
	c, err := s.auth.Authenticate(r.Context(), token)
	if err == nil && c != nil {
		redirect(w, r, safeNext(r, r.URL.Query().Get("next")))
		return
	}
	p := s.signInPage(w, r, "", safeNext(r, r.URL.Query().Get("next")))
	if token != "" && errors.Is(err, auth.ErrNoSession) {
		// The access check leaves a dead session's cookie for this page,
		// which says what happened and drops it.
		s.clearSessionCookie(w, r)
		p.Notice = sessionEnded
	}
	s.render(w, r, http.StatusOK, "signin", p)
}

// signInSubmit checks the password and starts a session with a new token.
// Every refusal renders the same message with the same status.
func (s *Server) signInSubmit(w http.ResponseWriter, r *http.Request) {
	f := signInFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	next := safeNext(r, f.Next)
	res, err := s.auth.SignInTo(r.Context(), surfaceOf(r), f.Email, f.Password, s.clientAddress(r))
	if padlock.ErrorCode(err) == padlock.EUNAVAILABLE {
		// A refusal under overload (the hash queue is full) costs next to
		// nothing: the short static page, no sign-in page to build.
		s.error(w, r, err)
		return
	}
	if err != nil {
		p := s.signInPage(w, r, f.Email, next)
		p.FocusPassword = f.Email != ""
		s.render(w, r, s.formError(r, &p.Page, err), "signin", p)
		return
	}
	s.setSessionCookie(w, r, res.Token)
	redirect(w, r, nextStepURL(r, res, next))
}

// nextStepURL is where a new session goes first: the step the decision
// gave it, remembering where the user was going.
func nextStepURL(r *http.Request, res *auth.SignedIn, next string) string {
	switch res.Step {
	case padlock.StepChallenge:
		return at(r, "/login/mfa?next=") + urlQueryEscape(next)
	case padlock.StepEnroll:
		return at(r, "/settings/mfa/enroll?next=") + urlQueryEscape(next)
	}
	return next
}

// signOut ends the session and leads to the sign-in page of the user's
// tenant: a portal user whose portal has SSO on gets its own page, with
// "Sign in with SSO".
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	c := currentFrom(r.Context())
	signIn, err := auth.SignInPath(r.Context(), s.db.Conn(), c.User.AccountID, c.User.PortalID)
	if err != nil {
		s.logger.Warn("sign-in page of a tenant", "err", err)
	}
	if err := s.auth.SignOut(r.Context(), c, s.clientAddress(r)); err != nil {
		s.error(w, r, err)
		return
	}
	s.clearSessionCookie(w, r)
	s.setFlash(w, "You have signed out.")
	redirect(w, r, at(r, signIn))
}

type forgotPage struct {
	Page
	Email string
	Sent  bool
}

// forgotFields is the forgotten-password form as submitted.
type forgotFields struct {
	Email string `form:"email"`
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", forgotPage{Page: s.page(w, r, "Forgot password", navNone)})
}

// forgotSubmit gives the same answer whether or not the email is known.
func (s *Server) forgotSubmit(w http.ResponseWriter, r *http.Request) {
	f := forgotFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p := forgotPage{Page: s.page(w, r, "Forgot password", navNone), Email: f.Email}
	if err := s.auth.RequestPasswordReset(r.Context(), p.Email, s.clientAddress(r)); err != nil {
		s.render(w, r, s.formError(r, &p.Page, err), "forgot", p)
		return
	}
	p.Sent = true
	s.render(w, r, http.StatusOK, "forgot", p)
}

type tokenPage struct {
	Page
	Token string
}

// newPasswordFields is the form that chooses a new password by a link.
type newPasswordFields struct {
	Password string `form:"password"`
}

func (s *Server) resetForm(w http.ResponseWriter, r *http.Request) {
	p := tokenPage{Page: s.page(w, r, "Choose a new password", navNone), Token: r.PathValue("token")}
	if err := s.auth.CheckResetLink(r.Context(), p.Token); err != nil {
		s.render(w, r, s.formError(r, &p.Page, err), "link_invalid", p)
		return
	}
	s.render(w, r, http.StatusOK, "reset", p)
}

func (s *Server) resetSubmit(w http.ResponseWriter, r *http.Request) {
	f := newPasswordFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p := tokenPage{Page: s.page(w, r, "Choose a new password", navNone), Token: r.PathValue("token")}
	err := s.auth.ResetPassword(r.Context(), p.Token, f.Password, s.clientAddress(r))
	switch {
	case err == auth.ErrLinkInvalid:
		s.render(w, r, s.formError(r, &p.Page, err), "link_invalid", p)
	case err != nil:
		s.render(w, r, s.formError(r, &p.Page, err), "reset", p)
	default:
		s.setFlash(w, "Your password has been changed. Sign in with your new password.")
		redirect(w, r, at(r, "/login"))
	}
}

// unlockForm asks for a click rather than unlocking on GET, so a mail
// scanner following the link does not use it up.
func (s *Server) unlockForm(w http.ResponseWriter, r *http.Request) {
	p := tokenPage{Page: s.page(w, r, "Unlock sign-in", navNone), Token: r.PathValue("token")}
	s.render(w, r, http.StatusOK, "unlock", p)
}

func (s *Server) unlockSubmit(w http.ResponseWriter, r *http.Request) {
	p := tokenPage{Page: s.page(w, r, "Unlock sign-in", navNone), Token: r.PathValue("token")}
	if err := s.auth.Unlock(r.Context(), p.Token, s.clientAddress(r)); err != nil {
		s.render(w, r, s.formError(r, &p.Page, err), "link_invalid", p)
		return
	}
	s.setFlash(w, "Sign-in is unlocked. If the failed attempts were not yours, change your password.")
	redirect(w, r, at(r, "/login"))
}
