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

func (s *Server) mySettings(w http.ResponseWriter, r *http.Request) {
	p := mySettingsPage{Page: s.page(w, r, "My Settings", navSettings)}
	p.Name = p.Current.User.Name
	s.render(w, r, http.StatusOK, "my_settings", p)
}

func (s *Server) myProfileSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	c := currentFrom(r.Context())
	if err := s.auth.ChangeName(r.Context(), c, r.PostFormValue("name"), s.clientAddress(r)); err != nil {
		p := mySettingsPage{Page: s.page(w, r, "My Settings", navSettings), Name: r.PostFormValue("name")}
		s.render(w, r, s.formError(r, &p.Page, err), "my_settings", p)
		return
	}
	s.setFlash(w, "Your name has been saved.")
	redirect(w, r, at(r, "/settings"))
}

// myPasswordSubmit changes the password and ends every other session.
func (s *Server) myPasswordSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	c := currentFrom(r.Context())
	err := s.auth.ChangePassword(r.Context(), c, r.PostFormValue("current"), r.PostFormValue("password"), s.clientAddress(r))
	if err != nil {
		p := mySettingsPage{Page: s.page(w, r, "My Settings", navSettings), Name: c.User.Name}
		s.render(w, r, s.formError(r, &p.Page, err), "my_settings", p)
		return
	}
	s.setFlash(w, "Your password has been changed. Your other sessions have been signed out.")
	redirect(w, r, at(r, "/settings"))
}
