package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

type challengePage struct {
	Page
	Next string
	// PasskeyOptions are the options of this session's passkey challenge,
	// for the script; empty for a user without passkeys.
	PasskeyOptions string
	// PasskeyOnly is set when the session proved an app or a recovery code
	// already and a phishing-resistant requirement asks for the passkey:
	// another code would change nothing.
	PasskeyOnly bool
}

// challengeFields is the MFA code form of a pending sign-in as submitted.
type challengeFields struct {
	Code string `form:"code"`
	Next string `form:"next"`
}

// challengeForm is the only screen a pending sign-in reaches.
func (s *Server) challengeForm(w http.ResponseWriter, r *http.Request) {
	p := challengePage{Page: s.page(w, r, "MFA code", navNone), Next: safeNext(r, r.URL.Query().Get("next"))}
	p.Notice = s.heldNotice(r, p.Current, heldNoticeChallenge)
	s.renderChallenge(w, r, &p, http.StatusOK)
}

// renderChallenge shows the challenge with a fresh passkey challenge for a
// user who has passkeys (each showing replaces the last one).
func (s *Server) renderChallenge(w http.ResponseWriter, r *http.Request, p *challengePage, status int) {
	opts, err := s.auth.BeginPasskeyChallenge(r.Context(), currentFrom(r.Context()))
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.PasskeyOptions = opts
	p.PasskeyOnly = p.Current != nil && p.Current.Session.Proved != padlock.ProofNone
	s.render(w, r, status, "mfa_challenge", p)
}

// challengeSubmit checks the code; on success the pending session is
// replaced by a full one under a new token.
func (s *Server) challengeSubmit(w http.ResponseWriter, r *http.Request) {
	f := challengeFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	res, err := s.auth.CompleteMFA(r.Context(), c, f.Code, s.clientAddress(r))
	s.challengeOutcome(w, r, res, err, safeNext(r, f.Next))
}

// challengeOutcome answers a second step, by code or by passkey.
func (s *Server) challengeOutcome(w http.ResponseWriter, r *http.Request, res *auth.SignedIn, err error, next string) {
	if err == auth.ErrChallengeOver {
		s.clearSessionCookie(w, r)
		s.setFlashError(w, padlock.ErrorMessage(err))
		redirect(w, r, at(r, "/login"))
		return
	}
	if err != nil {
		p := challengePage{Page: s.page(w, r, "MFA code", navNone), Next: next}
		s.renderChallenge(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	s.setSessionCookie(w, r, res.Token)
	redirect(w, r, s.afterMFA(r, &auth.Current{Session: res.Session, User: res.User}, next))
}
