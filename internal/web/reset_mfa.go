package web

import (
	"net/http"
	"strconv"
)

// userResetMFAConfirm asks before Reset MFA: it signs the user out
// everywhere and they must set MFA up again.
func (s *Server) userResetMFAConfirm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	u, err := s.db.Conn().User(r.Context(), currentFrom(r.Context()).User.AccountID, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := userEditPage{Page: s.page(w, r, "Reset MFA", navAccount), User: u}
	p.CanResetMFA = u.ID != p.Current.User.ID && p.Current.User.Role.CanResetMFA(u.Role)
	s.render(w, r, http.StatusOK, "user_reset_mfa", p)
}

func (s *Server) userResetMFA(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.admin.ResetMFA(r.Context(), s.actor(r), id)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "MFA reset. The user was signed out everywhere and will set MFA up again at their next sign-in if MFA is required of them.")
	redirect(w, r, "/account/users/"+strconv.FormatInt(id, 10))
}
