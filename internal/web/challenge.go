package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

type challengePage struct {
	Page
	Next string
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
	s.render(w, r, http.StatusOK, "mfa_challenge", p)
}

// challengeSubmit checks the code; on success the pending session is
// replaced by a full one under a new token.
func (s *Server) challengeSubmit(w http.ResponseWriter, r *http.Request) {
	f := challengeFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	next := safeNext(r, f.Next)
	res, err := s.auth.CompleteMFA(r.Context(), c, f.Code, s.clientAddress(r))
	if err == auth.ErrChallengeOver {
		s.clearSessionCookie(w, r)
		s.setFlashError(w, padlock.ErrorMessage(err))
		redirect(w, r, at(r, "/login"))
		return
	}
	if err != nil {
		p := challengePage{Page: s.page(w, r, "MFA code", navNone), Next: next}
		s.render(w, r, s.formError(r, &p.Page, err), "mfa_challenge", p)
		return
	}
	s.setSessionCookie(w, r, res.Token)
	redirect(w, r, s.afterMFA(r, &auth.Current{Session: res.Session, User: res.User}, next))
}
