package web

import (
	"net/http"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	redirect(w, r, at(r, "/organizations"))
}

type mySettingsPage struct {
	Page
	Name string
}

// profileFields is My Settings' profile form as submitted.
type profileFields struct {
	Name string `form:"name"`
}

// passwordChangeFields is My Settings' password form as submitted.
type passwordChangeFields struct {
	Current  string `form:"current"`
	Password string `form:"password"`
}

func (s *Server) mySettings(w http.ResponseWriter, r *http.Request) {
	p := mySettingsPage{Page: s.page(w, r, "My Settings", navSettings)}
	p.Name = p.Current.User.Name
	if f := (profileFields{}); p.restore("/settings/profile", &f) {
		p.Name = f.Name
	}
	s.render(w, r, http.StatusOK, "my_settings", p)
}

func (s *Server) myProfileSubmit(w http.ResponseWriter, r *http.Request) {
	f := profileFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	if err := s.auth.ChangeName(r.Context(), c, f.Name, s.clientAddress(r)); err != nil {
		p := mySettingsPage{Page: s.page(w, r, "My Settings", navSettings), Name: f.Name}
		s.render(w, r, s.formError(r, &p.Page, err), "my_settings", p)
		return
	}
	s.setFlash(w, "Your name has been saved.")
	redirect(w, r, at(r, "/settings"))
}

// myPasswordSubmit changes the password and ends every other session.
func (s *Server) myPasswordSubmit(w http.ResponseWriter, r *http.Request) {
	f := passwordChangeFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	err := s.auth.ChangePassword(r.Context(), c, f.Current, f.Password, s.clientAddress(r))
	if err != nil {
		p := mySettingsPage{Page: s.page(w, r, "My Settings", navSettings), Name: c.User.Name}
		s.render(w, r, s.formError(r, &p.Page, err), "my_settings", p)
		return
	}
	s.setFlash(w, "Your password has been changed. Your other sessions have been signed out.")
	redirect(w, r, at(r, "/settings"))
}
