package web

import (
	"net/http"
	"strings"

	"github.com/padlock-mfa/padlock/internal/admin"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// apiUsers lists the account's staff a page at a time, filtered like the
// users list (mfa, role, status, factor), by email or by deadline.
func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request) {
	c := currentFrom(r.Context())
	s.apiUserList(w, r, c.Account.ID, 0, padlock.Roles, c.Account.Requirement())
}

// apiUserList writes a page of the users of the account's staff (portalID
// 0) or of a portal, under the list's requirement, with roles the filter
// may name.
func (s *Server) apiUserList(w http.ResponseWriter, r *http.Request, accountID, portalID int64, roles []padlock.Role, req padlock.Requirement) {
	f, err := userListQuery(r, roles)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.PortalID, f.Requirement, f.Now = portalID, req, s.now()
	users, err := s.db.Conn().Users(r.Context(), accountID, f)
	if err != nil {
		s.error(w, r, err)
		return
	}
	users, next := pageOfUsers(f, users)
	out := make([]apiUser, 0, len(users))
	for _, u := range users {
		out = append(out, toAPIUserWith(u, f.Requirement, f.Now))
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

// apiUserChange is what PATCH /api/v1/users/{id} may send: a new role,
// or a status (active to reactivate, deactivated to deactivate).
type apiUserChange struct {
	Role   *string `json:"role"`
	Status *string `json:"status"`
}

// apiUserUpdate changes a user's role or status through the same services
// as the Edit user page, with their checks (a Manager changes only users
// below them; the account keeps an active Administrator).
func (s *Server) apiUserUpdate(w http.ResponseWriter, r *http.Request) {
	// The user first: another account's id is not found, whatever the body.
	u, err := s.apiUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var in apiUserChange
	if !s.readJSON(w, r, &in) {
		return
	}
	err = s.changeUser(r, u.ID, in)
	if err == nil {
		u, err = s.apiUserOf(r)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiUser{"user": s.toAPIUser(currentFrom(r.Context()), u)})
}

func (s *Server) changeUser(r *http.Request, id int64, in apiUserChange) error {
	ctx, actor := r.Context(), s.actor(r)
	if in.Role == nil && in.Status == nil {
		return padlock.Errorf(padlock.EINVALID, "Send a role, a status or both.")
	}
	if in.Role != nil {
		role, err := parseRole(*in.Role)
		if err != nil {
			return err
		}
		if err := s.admin.SetRole(ctx, actor, id, role); err != nil {
			return err
		}
	}
	if in.Status == nil {
		return nil
	}
	switch padlock.UserStatus(*in.Status) {
	case padlock.StatusActive:
		return s.admin.Reactivate(ctx, actor, id)
	case padlock.StatusDeactivated:
		return s.admin.Deactivate(ctx, actor, id)
	}
	return padlock.FieldError("status", "Must be active or deactivated.")
}

// apiInvitation is what POST /api/v1/users sends.
type apiInvitation struct {
	Emails []string `json:"emails"`
	Role   string   `json:"role"`
}

// apiUsersInvite invites staff through the same service as Invite users:
// each address gets its single-use link by email, and an address that
// already has a Padlock sign-in in the account refuses the whole list on
// the field "emails" (admin.Service.Invite).
func (s *Server) apiUsersInvite(w http.ResponseWriter, r *http.Request) {
	s.apiInvite(w, r, 0, parseRole)
}

// apiInvite reads an apiInvitation and invites its addresses to the
// account's staff (portalID 0) or to a portal, with the role parse reads.
func (s *Server) apiInvite(w http.ResponseWriter, r *http.Request, portalID int64, parse func(string) (padlock.Role, error)) {
	var in apiInvitation
	if !s.readJSON(w, r, &in) {
		return
	}
	// One rule for the list, the form's: at most 50, each a valid address.
	emails, err := admin.ParseEmails("emails", strings.Join(in.Emails, "\n"))
	var role padlock.Role
	if err == nil {
		role, err = parse(in.Role)
	}
	var n int
	if err == nil {
		n, err = s.admin.Invite(r.Context(), s.actor(r), portalID, emails, role)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"invited": n})
}

// parseRole reads a role sent to the API, as an error on the field "role".
func parseRole(v string) (padlock.Role, error) {
	r, err := padlock.ParseRole(v)
	if err != nil {
		return "", padlock.FieldError("role", "Must be one of: administrator, manager, editor, creator, read_only, lite.")
	}
	return r, nil
}
