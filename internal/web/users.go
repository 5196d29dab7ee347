package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

type usersPage struct {
	Page
	userList
	Emails     string
	Role       string
	Assignable []padlock.Role
}

// inviteFields is an invitation form, of the account or of a portal, as
// submitted.
type inviteFields struct {
	Emails string `form:"emails"`
	Role   string `form:"role"`
}

// roleFields is the role form on a user's page.
type roleFields struct {
	Role string `form:"role"`
}

// users is Account > Users: the padlock column shows who has MFA.
func (s *Server) users(w http.ResponseWriter, r *http.Request) {
	p := usersPage{Page: s.page(w, r, "Users", navAccount)}
	var err error
	p.userList, err = s.listUsers(r, staffList(p.Current.Account))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "users", p)
}

// usersCSV exports the (filtered) users list with each user's MFA status
// and the date it was set up.
func (s *Server) usersCSV(w http.ResponseWriter, r *http.Request) {
	s.writeUsersCSV(w, r, "padlock-users.csv", staffList(currentFrom(r.Context()).Account))
}

func (s *Server) userNew(w http.ResponseWriter, r *http.Request) {
	p := usersPage{Page: s.page(w, r, "Invite users", navAccount), Role: string(padlock.RoleEditor)}
	if f := (inviteFields{}); p.restore("", &f) {
		p.Emails, p.Role = f.Emails, f.Role
	}
	p.Assignable = p.Current.User.Role.AssignableRoles()
	s.render(w, r, http.StatusOK, "user_new", p)
}

// userInvite invites every address of the form or, on any problem, none.
func (s *Server) userInvite(w http.ResponseWriter, r *http.Request) {
	f := inviteFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	invited, err := s.invite(r, f, 0, "Choose a role.")
	if err != nil {
		p := usersPage{Page: s.page(w, r, "Invite users", navAccount), Emails: f.Emails, Role: f.Role}
		p.Assignable = currentFrom(r.Context()).User.Role.AssignableRoles()
		s.render(w, r, s.formError(r, &p.Page, err), "user_new", p)
		return
	}
	s.setFlash(w, padlock.Count(invited, "invitation", "invitations")+" sent.")
	redirect(w, r, "/account/users")
}

// invite invites the form's addresses with the form's role to the account
// or, when portalID is not 0, to that portal; badRole is the role field's
// message when the role is not one.
func (s *Server) invite(r *http.Request, f inviteFields, portalID int64, badRole string) (int, error) {
	emails, err := admin.ParseEmails("emails", f.Emails)
	if err != nil {
		return 0, err
	}
	parse := padlock.ParseRole
	if portalID != 0 {
		parse = padlock.ParsePortalRole
	}
	role, err := parse(f.Role)
	if err != nil {
		return 0, padlock.FieldError("role", badRole)
	}
	return s.admin.Invite(r.Context(), s.actor(r), portalID, emails, role)
}

func (s *Server) actor(r *http.Request) auth.Actor {
	c := currentFrom(r.Context())
	return auth.Actor{User: c.User, Address: s.clientAddress(r), Key: c.APIKey}
}

type userEditPage struct {
	Page
	User          *padlock.User
	Role          padlock.Role // chosen in the role form: the user's, or as typed
	Assignable    []padlock.Role
	CanManage     bool
	CanResetMFA   bool
	InviteExpires time.Time
	Chase         chase
}

func (s *Server) userEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var u *padlock.User
	if err == nil {
		u, err = s.db.Conn().User(r.Context(), currentFrom(r.Context()).User.AccountID, id)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := userEditPage{Page: s.page(w, r, u.DisplayName(), navAccount), User: u, Role: u.Role}
	if f := (roleFields{}); p.restore("/account/users/"+strconv.FormatInt(u.ID, 10)+"/role", &f) {
		p.Role = padlock.Role(f.Role)
	}
	p.CanManage = p.Current.User.Role.CanManage(u.Role)
	p.CanResetMFA = u.ID != p.Current.User.ID && p.Current.User.Role.CanResetMFA(u.Role)
	p.Assignable = p.Current.User.Role.AssignableRoles()
	if u.Status == padlock.StatusInvited {
		p.InviteExpires, _ = s.db.Conn().PendingInvitation(r.Context(), u.ID)
	}
	if p.Chase, err = s.chaseOf(r, u, staffList(p.Current.Account), p.CanManage); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "user_edit", p)
}

// userAction runs a change on the {id} user and returns to their page with a
// notice, or shows the error.
func (s *Server) userAction(w http.ResponseWriter, r *http.Request, done string, fn func(id int64) error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	if err := fn(id); err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, done)
	redirect(w, r, "/account/users/"+strconv.FormatInt(id, 10))
}

func (s *Server) userRoleSubmit(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "Role saved.", func(id int64) error {
		f := roleFields{}
		if err := decodeForm(r.PostForm, &f); err != nil {
			return err
		}
		role, err := padlock.ParseRole(f.Role)
		if err != nil {
			return err
		}
		return s.admin.SetRole(r.Context(), s.actor(r), id, role)
	})
}

func (s *Server) userDeactivate(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "User deactivated; their sessions have ended.", func(id int64) error {
		return s.admin.Deactivate(r.Context(), s.actor(r), id)
	})
}

func (s *Server) userReactivate(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "User reactivated.", func(id int64) error {
		return s.admin.Reactivate(r.Context(), s.actor(r), id)
	})
}

func (s *Server) userResend(w http.ResponseWriter, r *http.Request) {
	s.userAction(w, r, "A new invitation has been sent.", func(id int64) error {
		return s.admin.ResendInvitation(r.Context(), s.actor(r), id)
	})
}
