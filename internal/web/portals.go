package web

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Account > Client portals: Administrators and Managers create a portal per
// organization, require MFA for it, invite its users and reset their MFA.

type portalsPage struct {
	Page
	Portals []store.PortalSummary
	// PortalPages link the page of portals to the pages before and after.
	PortalPages pageLinks
	Portal      *padlock.Portal
	// Organizations are the New form's choices, a page at a time: the
	// organizations without a portal.
	Organizations     []*padlock.Organization
	OrganizationPages listPages
	Organization      int64 // chosen organization id, on the New form
	Name              string
	RequireMFA        bool
	MFALevel          string // "any" or "phishing_resistant"
	GraceDays         string // as typed, so a mistyped number is shown again
	userList
	Emails string
	Role   string
	User   *padlock.User
	Chase  chase
}

// newPortalFields is the New client portal form as submitted.
type newPortalFields struct {
	Organization int64  `form:"organization" invalid:"Choose an organization."`
	Name         string `form:"name"`
	RequireMFA   bool   `form:"require_mfa"`
	MFALevel     string `form:"mfa_level"`
	GraceDays    string `form:"grace_days"`
}

// portalFields is the Edit client portal form as submitted.
type portalFields struct {
	Name       string `form:"name"`
	RequireMFA bool   `form:"require_mfa"`
	MFALevel   string `form:"mfa_level"`
	GraceDays  string `form:"grace_days"`
}

// portalGraceDays reads the grace period of a portal form: empty is none,
// anything but a whole number of days is a field error.
func portalGraceDays(v string) (int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1_000_000 {
		return 0, padlock.FieldError("grace_days", "Enter a whole number of days.")
	}
	return n, nil
}

// portalOf loads the {portal} of the path within the caller's account.
func (s *Server) portalOf(r *http.Request) (*padlock.Portal, error) {
	id, err := pathID(r, "portal")
	if err != nil {
		return nil, err
	}
	return s.db.Conn().Portal(r.Context(), currentFrom(r.Context()).User.AccountID, id)
}

func portalURL(p *padlock.Portal) string { return "/account/portals/" + strconv.FormatInt(p.ID, 10) }

func (s *Server) portals(w http.ResponseWriter, r *http.Request) {
	p := portalsPage{Page: s.page(w, r, "Client portals", navPortals)}
	var err error
	if p.Portals, p.PortalPages, err = s.portalsAt(r, p.Current.User.AccountID); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "portals", p)
}

func (s *Server) portalNew(w http.ResponseWriter, r *http.Request) {
	p := portalsPage{Page: s.page(w, r, "New client portal", navPortals)}
	if f := (newPortalFields{}); p.restore("", &f) {
		p.Name, p.RequireMFA = f.Name, f.RequireMFA
		p.Organization = f.Organization
	}
	s.renderPortalForm(w, r, &p, http.StatusOK)
}

func (s *Server) renderPortalForm(w http.ResponseWriter, r *http.Request, p *portalsPage, status int) {
	var err error
	if p.Organizations, p.OrganizationPages, err = s.portalChoices(r, p.Current.User.AccountID); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, status, "portal_form", p)
}

func (s *Server) portalCreate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := newPortalFields{}
	err := decodeForm(r.PostForm, &f)
	grace, graceErr := portalGraceDays(f.GraceDays)
	strict, levelErr := padlock.ParseMFALevel(f.MFALevel)
	err = cmp.Or(err, graceErr, levelErr)
	var portal *padlock.Portal
	if err == nil {
		in := admin.PortalInput{OrganizationID: f.Organization, Name: f.Name, RequireMFA: f.RequireMFA, PhishingResistant: strict, GraceDays: grace}
		portal, err = s.admin.CreatePortal(r.Context(), s.actor(r), in)
	}
	if err != nil {
		p := portalsPage{Page: s.page(w, r, "New client portal", navPortals), Name: f.Name, RequireMFA: f.RequireMFA, GraceDays: f.GraceDays, MFALevel: f.MFALevel}
		p.Organization = f.Organization
		s.renderPortalForm(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Client portal “"+portal.Name+"” created. Invite its users below.")
	redirect(w, r, portalURL(portal))
}

func (s *Server) portalEdit(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := portalsPage{Page: s.page(w, r, "Edit client portal", navPortals), Portal: portal, Name: portal.Name, RequireMFA: portal.RequiresMFA(),
		GraceDays: strconv.Itoa(portal.MFAGraceDays), MFALevel: levelOf(portal.RequiresPhishingResistant())}
	if f := (portalFields{}); p.restore("", &f) {
		p.Name, p.RequireMFA, p.GraceDays, p.MFALevel = f.Name, f.RequireMFA, f.GraceDays, f.MFALevel
	}
	s.renderPortalForm(w, r, &p, http.StatusOK)
}

func (s *Server) portalUpdate(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := portalFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	grace, err := portalGraceDays(f.GraceDays)
	strict, levelErr := padlock.ParseMFALevel(f.MFALevel)
	if err == nil {
		err = levelErr
	}
	if err == nil {
		err = s.admin.UpdatePortal(r.Context(), s.actor(r), portal.ID, admin.PortalInput{Name: f.Name, RequireMFA: f.RequireMFA, PhishingResistant: strict, GraceDays: grace})
	}
	if err != nil {
		p := portalsPage{Page: s.page(w, r, "Edit client portal", navPortals), Portal: portal, Name: f.Name, RequireMFA: f.RequireMFA, GraceDays: f.GraceDays, MFALevel: f.MFALevel}
		s.renderPortalForm(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Client portal saved.")
	redirect(w, r, "/account/portals")
}

func (s *Server) portalDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := portalsPage{Page: s.page(w, r, "Delete client portal", navPortals), Portal: portal}
	_, p.Counted, err = s.db.Conn().MFACoverage(r.Context(), portal.AccountID, portal.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "portal_delete", p)
}

func (s *Server) portalDelete(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err == nil {
		err = s.admin.DeletePortal(r.Context(), s.actor(r), portal.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "Client portal “"+portal.Name+"” deleted; its users can no longer sign in.")
	redirect(w, r, "/account/portals")
}

// portalPage lists the portal's users with the padlock column and the
// invitation form.
func (s *Server) portalPage(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := portalsPage{Page: s.page(w, r, portal.Name, navPortals), Portal: portal, Role: string(padlock.RoleLite)}
	if f := (inviteFields{}); p.restore("", &f) {
		p.Emails, p.Role = f.Emails, f.Role
	}
	s.renderPortalPage(w, r, &p, http.StatusOK)
}

func (s *Server) renderPortalPage(w http.ResponseWriter, r *http.Request, p *portalsPage, status int) {
	var err error
	p.userList, err = s.listUsers(r, portalList(p.Portal))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, status, "portal", p)
}

func (s *Server) portalInvite(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := inviteFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	invited, err := s.invite(r, f, portal.ID, "Choose Portal administrator, Editor, Creator or Lite.")
	if err != nil {
		p := portalsPage{Page: s.page(w, r, portal.Name, navPortals), Portal: portal, Emails: f.Emails, Role: f.Role}
		s.renderPortalPage(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, padlock.Count(invited, "invitation", "invitations")+" sent.")
	redirect(w, r, portalURL(portal))
}

func (s *Server) portalUsersCSV(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.writeUsersCSV(w, r, "padlock-portal-users.csv", portalList(portal))
}

// portalUserOf loads the {id} user of the {portal} of the path.
func (s *Server) portalUserOf(r *http.Request) (*padlock.Portal, *padlock.User, error) {
	portal, err := s.portalOf(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	u, err := s.db.Conn().PortalUser(r.Context(), portal.AccountID, portal.ID, id)
	return portal, u, err
}

func (s *Server) portalUser(w http.ResponseWriter, r *http.Request) {
	s.renderPortalUser(w, r, "portal_user")
}

func (s *Server) portalUserResetConfirm(w http.ResponseWriter, r *http.Request) {
	s.renderPortalUser(w, r, "portal_user_reset")
}

func (s *Server) renderPortalUser(w http.ResponseWriter, r *http.Request, page string) {
	portal, u, err := s.portalUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := portalsPage{Page: s.page(w, r, u.DisplayName(), navPortals), Portal: portal, User: u, Role: string(u.Role)}
	if f := (roleFields{}); p.restore(portalUserURL(portal, u)+"/role", &f) {
		p.Role = f.Role
	}
	if p.Chase, err = s.chaseOf(r, u, portalList(portal), true); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, page, p)
}

func (s *Server) portalUserReset(w http.ResponseWriter, r *http.Request) {
	portal, u, err := s.portalUserOf(r)
	if err == nil {
		err = s.admin.ResetPortalUserMFA(r.Context(), s.actor(r), portal.ID, u.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "MFA reset. "+u.Email+" was signed out everywhere and will set MFA up again at their next sign-in if MFA is required of them.")
	redirect(w, r, portalUserURL(portal, u))
}
