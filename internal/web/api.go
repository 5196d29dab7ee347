package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

type apiUser struct {
	ID         int64      `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Status     string     `json:"status"`
	LastSignIn *time.Time `json:"last_sign_in,omitempty"`
	MFASetUp   *time.Time `json:"mfa_set_up,omitempty"` // when MFA was set up; absent without MFA
}

func toAPIUser(u *padlock.User) apiUser {
	a := apiUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Status: string(u.Status)}
	if !u.LastSignIn.IsZero() {
		t := u.LastSignIn.UTC()
		a.LastSignIn = &t
	}
	if u.HasMFA() {
		t := u.MFASince.UTC()
		a.MFASetUp = &t
	}
	return a
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	c := currentFrom(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"user": toAPIUser(c.User), "account": map[string]any{"id": c.Account.ID, "name": c.Account.Name}})
}

// apiUsers lists the account's users a page at a time (?page=N, 100 each).
func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	n := 1
	if v := r.URL.Query().Get("page"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > 1_000_000 {
			s.error(w, r, padlock.Errorf(padlock.EINVALID, "page must be a whole number from 1"))
			return
		}
	}
	conn, account := s.db.Conn(), currentFrom(r.Context()).User.AccountID
	users, err := conn.Users(r.Context(), account, store.UserFilter{Offset: (n - 1) * 100, Limit: 100})
	var counts store.UserCounts
	if err == nil {
		counts, err = conn.CountUsers(r.Context(), account, 0, s.now())
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]apiUser, 0, len(users))
	for _, u := range users {
		out = append(out, toAPIUser(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out, "total": counts.All, "page": n})
}
