package web

import (
	"net/http"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The client's own administrator, on the portal's pages under /portal/users:
// the portal's users with their padlocks, invitations, and each user's
// deactivate, reactivate, resend and Reset MFA. The portal is always the
// signed-in user's own, never one named by the request; the admin services
// check again that the target belongs to it.

type clientUsersPage struct {
	Page
	userList
	Emails string
	Role   string
	User   *padlock.User
	Chase  chase
	// MayAct tells whether the caller may act on User: not on themselves,
	// nor on another portal administrator.
	MayAct bool
}

// clientList is the users list of the caller's own portal, as its
// administrator sees it: no reminders, which stay with the MSP.
func clientList(p *padlock.Portal) userListOf {
	return userListOf{AccountID: p.AccountID, PortalID: p.ID, Requirement: p.Requirement(),
		ListURL: "/portal/users", CSVURL: "/portal/users.csv", UserURL: "/portal/users/"}
}

func clientUserURL(u *padlock.User) string { return "/portal/users/" + strconv.FormatInt(u.ID, 10) }

// clientUsers is the portal's Users page with the invitation form.
func (s *Server) clientUsers(w http.ResponseWriter, r *http.Request) {
	p := clientUsersPage{Page: s.page(w, r, "Users", navClientUsers), Role: string(padlock.RoleLite)}
	if f := (inviteFields{}); p.restore("", &f) {
		p.Emails, p.Role = f.Emails, f.Role
	}
	s.renderClientUsers(w, r, &p, http.StatusOK)
}

func (s *Server) renderClientUsers(w http.ResponseWriter, r *http.Request, p *clientUsersPage, status int) {
	var err error
	if p.userList, err = s.listUsers(r, clientList(p.Current.Portal)); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, status, "client_users", p)
}

func (s *Server) clientUsersCSV(w http.ResponseWriter, r *http.Request) {
	s.writeUsersCSV(w, r, "padlock-portal-users.csv", clientList(currentFrom(r.Context()).Portal))
}

// clientInvite invites people to the caller's portal as Editor, Creator or
// Lite; Portal administrator is refused beside the field.
func (s *Server) clientInvite(w http.ResponseWriter, r *http.Request) {
	f := inviteFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	invited, err := s.invite(r, f, currentFrom(r.Context()).Portal.ID, "Choose Editor, Creator or Lite.")
	if err != nil {
		p := clientUsersPage{Page: s.page(w, r, "Users", navClientUsers), Emails: f.Emails, Role: f.Role}
		s.renderClientUsers(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, padlock.Count(invited, "invitation", "invitations")+" sent.")
	redirect(w, r, "/portal/users")
}

// clientUserOf loads the {id} user of the caller's portal; anyone else is
// "not found".
func (s *Server) clientUserOf(r *http.Request) (*padlock.User, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	p := currentFrom(r.Context()).Portal
	return s.db.Conn().PortalUser(r.Context(), p.AccountID, p.ID, id)
}

func (s *Server) clientUser(w http.ResponseWriter, r *http.Request) {
	s.renderClientUser(w, r, "client_user")
}

func (s *Server) clientUserResetConfirm(w http.ResponseWriter, r *http.Request) {
	s.renderClientUser(w, r, "client_user_reset")
}

func (s *Server) renderClientUser(w http.ResponseWriter, r *http.Request, page string) {
	u, err := s.clientUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := clientUsersPage{Page: s.page(w, r, u.DisplayName(), navClientUsers), User: u}
	p.MayAct = admin.PortalAdminMayActOn(s.actor(r), u) == nil
	if p.Chase, err = s.chaseOf(r, u, clientList(p.Current.Portal), false); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, page, p)
}

// clientUserAction runs a change on the {id} user of the caller's portal
// and returns to their page with a notice, or shows the error.
func (s *Server) clientUserAction(w http.ResponseWriter, r *http.Request, done func(*padlock.User) string, fn func(portalID, userID int64) error) {
	u, err := s.clientUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	if err := fn(u.PortalID, u.ID); err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, done(u))
	redirect(w, r, clientUserURL(u))
}

func said(msg string) func(*padlock.User) string { return func(*padlock.User) string { return msg } }

func (s *Server) clientUserDeactivate(w http.ResponseWriter, r *http.Request) {
	s.clientUserAction(w, r, said("User deactivated; their sessions have ended."), func(portalID, id int64) error {
		return s.admin.DeactivatePortalUser(r.Context(), s.actor(r), portalID, id)
	})
}

func (s *Server) clientUserReactivate(w http.ResponseWriter, r *http.Request) {
	s.clientUserAction(w, r, said("User reactivated."), func(portalID, id int64) error {
		return s.admin.ReactivatePortalUser(r.Context(), s.actor(r), portalID, id)
	})
}

func (s *Server) clientUserResend(w http.ResponseWriter, r *http.Request) {
	s.clientUserAction(w, r, said("A new invitation has been sent."), func(portalID, id int64) error {
		return s.admin.ResendPortalInvitation(r.Context(), s.actor(r), portalID, id)
	})
}

func (s *Server) clientUserReset(w http.ResponseWriter, r *http.Request) {
	done := func(u *padlock.User) string {
		return "MFA reset. " + u.Email + " was signed out everywhere and will set MFA up again at their next sign-in if MFA is required of them."
	}
	s.clientUserAction(w, r, done, func(portalID, id int64) error {
		return s.admin.ResetPortalUserMFA(r.Context(), s.actor(r), portalID, id)
	})
}
