package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/auth"
)

type invitationPage struct {
	Page
	Token      string
	Invitation *auth.Invitation
	Name       string
}

// acceptanceFields is the form that accepts an invitation as submitted.
type acceptanceFields struct {
	Name     string `form:"name"`
	Password string `form:"password"`
}

func (s *Server) invitationForm(w http.ResponseWriter, r *http.Request) {
	p := invitationPage{Page: s.page(w, r, "Accept invitation", navNone), Token: r.PathValue("token")}
	inv, err := s.auth.PeekInvitation(r.Context(), p.Token)
	if err != nil {
		s.render(w, r, s.formError(r, &p.Page, err), "link_invalid", p)
		return
	}
	p.Invitation = inv
	s.render(w, r, http.StatusOK, "invitation", p)
}

// invitationSubmit activates the user but does not sign them in: they sign
// in like everyone else, so no sign-in step is skipped.
func (s *Server) invitationSubmit(w http.ResponseWriter, r *http.Request) {
	f := acceptanceFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p := invitationPage{Page: s.page(w, r, "Accept invitation", navNone), Token: r.PathValue("token"), Name: f.Name}
	inv, err := s.auth.PeekInvitation(r.Context(), p.Token)
	if err != nil {
		s.render(w, r, s.formError(r, &p.Page, err), "link_invalid", p)
		return
	}
	p.Invitation = inv
	if _, err := s.auth.AcceptInvitation(r.Context(), p.Token, p.Name, f.Password, s.clientAddress(r)); err != nil {
		if err == auth.ErrLinkInvalid {
			s.render(w, r, s.formError(r, &p.Page, err), "link_invalid", p)
			return
		}
		s.render(w, r, s.formError(r, &p.Page, err), "invitation", p)
		return
	}
	s.setFlash(w, "Welcome to "+inv.Joining()+". Sign in with your email and new password.")
	redirect(w, r, at(r, "/login"))
}
