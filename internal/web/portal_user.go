package web

import (
	"net/http"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// A portal user's lifecycle on their page under Account > Client portals:
// change the role, resend the invitation, deactivate, reactivate, delete.
// The staff's equivalents are in users.go.

func portalUserURL(p *padlock.Portal, u *padlock.User) string {
	return portalURL(p) + "/users/" + strconv.FormatInt(u.ID, 10)
}

// portalUserAction runs a change on the {id} user of the {portal} and
// returns to their page with a notice, or shows the error.
func (s *Server) portalUserAction(w http.ResponseWriter, r *http.Request, done string, fn func(*padlock.Portal, *padlock.User) error) {
	portal, u, err := s.portalUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	if err := fn(portal, u); err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, done)
	redirect(w, r, portalUserURL(portal, u))
}

// portalUserRoleSubmit gives the portal user another portal role; a role
// that is not one is shown beside the field.
func (s *Server) portalUserRoleSubmit(w http.ResponseWriter, r *http.Request) {
	portal, u, err := s.portalUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := roleFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	role, err := padlock.ParsePortalRole(f.Role)
	if err != nil {
		err = padlock.FieldError("role", "Choose Portal administrator, Editor, Creator or Lite.")
	} else {
		err = s.admin.SetPortalUserRole(r.Context(), s.actor(r), portal.ID, u.ID, role)
	}
	if err != nil {
		p := portalsPage{Page: s.page(w, r, u.DisplayName(), navPortals), Portal: portal, User: u, Role: f.Role}
		status := s.formError(r, &p.Page, err)
		if p.Chase, err = s.chaseOf(r, u, portalList(portal), true); err != nil {
			s.error(w, r, err)
			return
		}
		s.render(w, r, status, "portal_user", p)
		return
	}
	s.setFlash(w, "Portal role saved.")
	redirect(w, r, portalUserURL(portal, u))
}

func (s *Server) portalUserDeactivate(w http.ResponseWriter, r *http.Request) {
	s.portalUserAction(w, r, "Portal user deactivated; their sessions have ended.", func(p *padlock.Portal, u *padlock.User) error {
		return s.admin.DeactivatePortalUser(r.Context(), s.actor(r), p.ID, u.ID)
	})
}

func (s *Server) portalUserReactivate(w http.ResponseWriter, r *http.Request) {
	s.portalUserAction(w, r, "Portal user reactivated.", func(p *padlock.Portal, u *padlock.User) error {
		return s.admin.ReactivatePortalUser(r.Context(), s.actor(r), p.ID, u.ID)
	})
}

func (s *Server) portalUserResend(w http.ResponseWriter, r *http.Request) {
	s.portalUserAction(w, r, "A new invitation has been sent.", func(p *padlock.Portal, u *padlock.User) error {
		return s.admin.ResendPortalInvitation(r.Context(), s.actor(r), p.ID, u.ID)
	})
}

func (s *Server) portalUserDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	s.renderPortalUser(w, r, "portal_user_delete")
}

func (s *Server) portalUserDelete(w http.ResponseWriter, r *http.Request) {
	portal, u, err := s.portalUserOf(r)
	if err == nil {
		err = s.admin.DeletePortalUser(r.Context(), s.actor(r), portal.ID, u.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "Portal user "+u.Email+" deleted; they can no longer sign in.")
	redirect(w, r, portalURL(portal))
}
