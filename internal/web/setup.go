package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/auth"
)

type setupPage struct {
	Page
	Token   string
	Account string
	Name    string
	Email   string
}

// setupFields is the first-run form as submitted.
type setupFields struct {
	Account  string `form:"account"`
	Name     string `form:"name"`
	Email    string `form:"email"`
	Password string `form:"password"`
}

// setupForm shows the first-run form while no account exists and the link
// is live; afterwards the page is gone.
func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	if !s.setupAvailable(w, r) {
		return
	}
	p := setupPage{Page: s.page(w, r, "Set up Padlock", navNone), Token: r.PathValue("token")}
	s.render(w, r, http.StatusOK, "setup", p)
}

func (s *Server) setupAvailable(w http.ResponseWriter, r *http.Request) bool {
	pending, err := s.auth.SetupPending(r.Context())
	if err != nil {
		s.error(w, r, err)
		return false
	}
	if !pending {
		s.notFound(w, r)
		return false
	}
	return true
}

func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request) {
	f := setupFields{}
	if !s.setupAvailable(w, r) || !s.readForm(w, r, &f) {
		return
	}
	in := auth.SetupInput{AccountName: f.Account, Name: f.Name, Email: f.Email, Password: f.Password}
	_, err := s.auth.SetupWithToken(r.Context(), r.PathValue("token"), in, s.clientAddress(r))
	if err != nil {
		p := setupPage{Page: s.page(w, r, "Set up Padlock", navNone), Token: r.PathValue("token"),
			Account: f.Account, Name: f.Name, Email: f.Email}
		s.render(w, r, s.formError(r, &p.Page, err), "setup", p)
		return
	}
	s.setFlash(w, "Your account is ready. Sign in with the email and password you chose.")
	redirect(w, r, "/login")
}
