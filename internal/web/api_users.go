package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// apiUsers lists the account's staff a page at a time, filtered like the
// users list (mfa, role, status, factor), by email or by deadline.
func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	f, err := userListQuery(r, padlock.Roles)
	if err != nil {
		s.error(w, r, err)
		return
	}
	c := currentFrom(r.Context())
	f.Now = s.now()
	users, err := s.db.Conn().Users(r.Context(), c.Account.ID, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	users, next := pageOfUsers(f, users)
	out := make([]apiUser, 0, len(users))
	for _, u := range users {
		out = append(out, toAPIUserWith(u, c.Account.RequiresMFA(), f.Now))
	}
	writeJSON(w, http.StatusOK, apiList("users", out, next))
}

// apiUserOf reads the {id} of the path: one of the account's staff
// (portal users are under their portal).
func (s *Server) apiUserOf(r *http.Request) (*padlock.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.db.Conn().User(r.Context(), currentFrom(r.Context()).Account.ID, id)
}

func (s *Server) apiUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.apiUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiUser{"user": s.toAPIUser(currentFrom(r.Context()), u)})
}

// apiUserResetMFA is Reset MFA, through the same service as the screen:
// the same permission rules, sessions ended, mail and audit event (naming
// the API key when a key asked).
func (s *Server) apiUserResetMFA(w http.ResponseWriter, r *http.Request) {
	u, err := s.apiUserOf(r)
	if err == nil {
		err = s.admin.ResetMFA(r.Context(), s.actor(r), u.ID)
	}
	if err == nil {
		u, err = s.apiUserOf(r)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiUser{"user": s.toAPIUser(currentFrom(r.Context()), u)})
}
