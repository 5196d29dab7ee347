package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// A client portal's users through the API, as the portal's page and each
// portal user's page have them: listed and read, invited, given another
// portal role, deactivated and reactivated, sent a new invitation, reset
// and deleted, through the same services with the same rules, mail and
// audit events (naming the key when a key asks).

// apiPortalUsers lists one portal's users, filtered and paged like the
// staff.
func (s *Server) apiPortalUsers(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.apiUserList(w, r, portal.AccountID, portal.ID, padlock.PortalRoles, portal.Requirement())
}

func (s *Server) apiPortalUser(w http.ResponseWriter, r *http.Request) {
	p, u, err := s.portalUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiUser{"user": toAPIUserWith(u, p.Requirement(), s.now())})
}

// apiPortalInvite invites people at the client to one portal, through the
// same service as the portal's page.
func (s *Server) apiPortalInvite(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.apiInvite(w, r, p.ID, parsePortalRole)
}

// apiPortalUserUpdate changes a portal user's portal role or status
// through the same services as the portal user's page (each tells the user
// by email where it changes their access).
func (s *Server) apiPortalUserUpdate(w http.ResponseWriter, r *http.Request) {
	p, u, err := s.portalUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var in apiUserChange
	if !s.readJSON(w, r, &in) {
		return
	}
	if err := s.changePortalUser(r, p.ID, u.ID, in); err != nil {
		s.error(w, r, err)
		return
	}
	s.apiPortalUser(w, r)
}

func (s *Server) changePortalUser(r *http.Request, portalID, id int64, in apiUserChange) error {
	ctx, actor := r.Context(), s.actor(r)
	if in.Role == nil && in.Status == nil {
		return padlock.Errorf(padlock.EINVALID, "Send a role, a status or both.")
	}
	if in.Role != nil {
		role, err := parsePortalRole(*in.Role)
		if err != nil {
			return err
		}
		if err := s.admin.SetPortalUserRole(ctx, actor, portalID, id, role); err != nil {
			return err
		}
	}
	if in.Status == nil {
		return nil
	}
	switch padlock.UserStatus(*in.Status) {
	case padlock.StatusActive:
		return s.admin.ReactivatePortalUser(ctx, actor, portalID, id)
	case padlock.StatusDeactivated:
		return s.admin.DeactivatePortalUser(ctx, actor, portalID, id)
	}
	return padlock.FieldError("status", "Must be active or deactivated.")
}

// apiPortalUserResetMFA is Reset MFA of a portal user, through the same
// service as the portal user's page.
func (s *Server) apiPortalUserResetMFA(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	var id int64
	if err == nil {
		id, err = pathID(r, "id")
	}
	if err == nil {
		err = s.admin.ResetPortalUserMFA(r.Context(), s.actor(r), portal.ID, id)
	}
	var u *padlock.User
	if err == nil {
		u, err = s.db.Conn().PortalUser(r.Context(), portal.AccountID, portal.ID, id)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiUser{"user": toAPIUserWith(u, portal.Requirement(), s.now())})
}

// apiPortalUserResend voids an invited portal user's link and emails a new
// one, as Resend invitation on their page (409 once they have accepted).
func (s *Server) apiPortalUserResend(w http.ResponseWriter, r *http.Request) {
	p, u, err := s.portalUserOf(r)
	if err == nil {
		err = s.admin.ResendPortalInvitation(r.Context(), s.actor(r), p.ID, u.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.apiPortalUser(w, r)
}

// apiPortalUserDelete deletes a portal user, as Delete on their page: their
// sessions end on every node at once; the audit events about them stay.
func (s *Server) apiPortalUserDelete(w http.ResponseWriter, r *http.Request) {
	p, u, err := s.portalUserOf(r)
	if err == nil {
		err = s.admin.DeletePortalUser(r.Context(), s.actor(r), p.ID, u.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	noContent(w)
}

// parsePortalRole reads a portal role sent to the API, as the portal's
// forms offer them, as an error on the field "role".
func parsePortalRole(v string) (padlock.Role, error) {
	r, err := padlock.ParsePortalRole(v)
	if err != nil {
		return "", padlock.FieldError("role", "Must be one of: portal_administrator, editor, creator, lite.")
	}
	return r, nil
}
