package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// apiRequirement is an account's or a portal's MFA requirement.
type apiRequirement struct {
	Required   bool       `json:"required"`
	RequiredAt *time.Time `json:"required_at"`
	// Level is "any" (any MFA) or "phishing_resistant" (passkeys and
	// security keys only).
	Level     string `json:"level"`
	GraceDays int    `json:"grace_days"`
	// GraceEnds is when the grace ends for the users who were there when
	// it was turned on; later users get grace_days from when they joined.
	GraceEnds *time.Time `json:"grace_ends"`
}

func requirementOf(r padlock.Requirement) apiRequirement {
	level := padlock.MFALevelAny
	if r.Strict() {
		level = padlock.MFALevelPhishingResistant
	}
	return apiRequirement{Required: !r.RequiredAt.IsZero(), RequiredAt: timeOrNull(r.RequiredAt), Level: level, GraceDays: r.GraceDays,
		GraceEnds: timeOrNull(padlock.GraceEnds(r.RequiredAt, r.GraceDays))}
}

// apiLevel reads an optional level sent to the API into strict, which keeps
// its value when none is sent.
func apiLevel(level *string, strict *bool) error {
	switch {
	case level == nil:
	case *level == padlock.MFALevelAny:
		*strict = false
	case *level == padlock.MFALevelPhishingResistant:
		*strict = true
	default:
		return padlock.FieldError("mfa_level", `Choose "any" or "phishing_resistant".`)
	}
	return nil
}

type apiPortal struct {
	ID             int64          `json:"id"`
	Name           string         `json:"name"`
	OrganizationID int64          `json:"organization_id"`
	Organization   string         `json:"organization"`
	MFA            apiRequirement `json:"mfa"`
	Users          int            `json:"users"`
	UsersWithMFA   int            `json:"users_with_mfa"`
	CreatedAt      time.Time      `json:"created_at"`
}

// apiPortals lists the account's client portals, by organization.
func (s *Server) apiPortals(w http.ResponseWriter, r *http.Request) {
	if _, err := apiQuery(r); err != nil {
		s.error(w, r, err)
		return
	}
	list, err := s.db.Conn().Portals(r.Context(), currentFrom(r.Context()).Account.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]apiPortal, 0, len(list))
	for _, p := range list {
		out = append(out, apiPortal{ID: p.ID, Name: p.Name, OrganizationID: p.OrganizationID, Organization: p.Organization,
			MFA: requirementOf(p.Requirement()), Users: p.Users, UsersWithMFA: p.WithMFA, CreatedAt: p.CreatedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, apiList("portals", out, ""))
}

// apiPortalUsers lists one portal's users, filtered and paged like the
// staff.
func (s *Server) apiPortalUsers(w http.ResponseWriter, r *http.Request) {
	portal, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f, err := userListQuery(r, padlock.PortalRoles)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f.PortalID, f.Requirement, f.Now = portal.ID, portal.Requirement(), s.now()
	users, err := s.db.Conn().Users(r.Context(), portal.AccountID, f)
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

// apiCoverageList is the MFA coverage of one list: the staff, or a portal.
type apiCoverageList struct {
	Kind       string         `json:"kind"` // "account" or "portal"
	PortalID   *int64         `json:"portal_id"`
	Name       string         `json:"name"`
	MFA        apiRequirement `json:"mfa"`
	Users      int            `json:"users"`
	WithMFA    int            `json:"with_mfa"`
	WithoutMFA int            `json:"without_mfa"`
	// ByFactor counts the users with each kind of factor (a user with both
	// counts in both).
	ByFactor apiFactorCounts `json:"by_factor"`
	Overdue  int             `json:"overdue"`
}

type apiFactorCounts struct {
	TOTP    int `json:"totp"`
	Passkey int `json:"passkey"`
}

func coverageOf(kind string, portalID *int64, name string, req padlock.Requirement, c store.UserCounts, f store.FactorCounts) apiCoverageList {
	return apiCoverageList{Kind: kind, PortalID: portalID, Name: name, MFA: requirementOf(req),
		Users: c.Current, WithMFA: c.CurrentWithMFA, WithoutMFA: c.Current - c.CurrentWithMFA, ByFactor: apiFactorCounts{f.TOTP, f.Passkey},
		Overdue: c.Overdue}
}

// apiCoverage is Account > MFA coverage: the staff, then each portal by
// organization, deactivated users not counted.
func (s *Server) apiCoverage(w http.ResponseWriter, r *http.Request) {
	if _, err := apiQuery(r); err != nil {
		s.error(w, r, err)
		return
	}
	acct, conn := currentFrom(r.Context()).Account, s.db.Conn()
	counts, err := conn.Coverage(r.Context(), acct.ID, s.now())
	var (
		factors map[int64]store.FactorCounts
		portals []store.PortalSummary
	)
	if err == nil {
		factors, err = conn.FactorCoverage(r.Context(), acct.ID)
	}
	if err == nil {
		portals, err = conn.Portals(r.Context(), acct.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	lists := []apiCoverageList{coverageOf("account", nil, acct.Name, acct.Requirement(), counts[0], factors[0])}
	for _, p := range portals {
		id := p.ID
		lists = append(lists, coverageOf("portal", &id, p.Name, p.Requirement(), counts[p.ID], factors[p.ID]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"lists": lists})
}

// apiPortalByID reads the {portal} of the path as the list shows it, with
// its organization and counts.
func (s *Server) apiPortalByID(r *http.Request) (apiPortal, error) {
	p, err := s.portalOf(r)
	if err != nil {
		return apiPortal{}, err
	}
	list, err := s.db.Conn().Portals(r.Context(), p.AccountID)
	if err != nil {
		return apiPortal{}, err
	}
	for _, x := range list {
		if x.ID == p.ID {
			return apiPortal{ID: x.ID, Name: x.Name, OrganizationID: x.OrganizationID, Organization: x.Organization,
				MFA: requirementOf(x.Requirement()), Users: x.Users, UsersWithMFA: x.WithMFA, CreatedAt: x.CreatedAt.UTC()}, nil
		}
	}
	return apiPortal{}, padlock.ErrNotFound
}

func (s *Server) apiPortal(w http.ResponseWriter, r *http.Request) {
	p, err := s.apiPortalByID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiPortal{"portal": p})
}

// apiPortalChange is what PATCH /api/v1/portals/{portal} may send; a field
// left out keeps its value.
type apiPortalChange struct {
	Name       *string `json:"name"`
	RequireMFA *bool   `json:"require_mfa"`
	MFALevel   *string `json:"mfa_level"`
	GraceDays  *int    `json:"grace_days"`
}

// apiPortalUpdate renames a portal or changes its requirement through the
// same service as Edit: turning it on gives the portal's users without MFA
// their deadline and emails them; a Manager only tightens it. A portal's
// requirement asks nothing of the caller's own MFA, so a key may turn it
// on.
func (s *Server) apiPortalUpdate(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var in apiPortalChange
	if !s.readJSON(w, r, &in) {
		return
	}
	out := admin.PortalInput{Name: p.Name, RequireMFA: p.RequiresMFA(), PhishingResistant: p.RequiresPhishingResistant(), GraceDays: p.MFAGraceDays}
	if err := apiLevel(in.MFALevel, &out.PhishingResistant); err != nil {
		s.error(w, r, err)
		return
	}
	if in.Name != nil {
		out.Name = *in.Name
	}
	if in.RequireMFA != nil {
		out.RequireMFA = *in.RequireMFA
	}
	if in.GraceDays != nil {
		out.GraceDays = *in.GraceDays
	}
	if err := s.admin.UpdatePortal(r.Context(), s.actor(r), p.ID, out); err != nil {
		s.error(w, r, err)
		return
	}
	s.apiPortal(w, r)
}

// apiPortalInvite invites people at the client to one portal, through the
// same service as the portal's page.
func (s *Server) apiPortalInvite(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var in apiInvitation
	if !s.readJSON(w, r, &in) {
		return
	}
	emails, err := admin.ParseEmails("emails", strings.Join(in.Emails, "\n"))
	var role padlock.Role
	if err == nil {
		role, err = parseRole(in.Role)
	}
	var n int
	if err == nil {
		n, err = s.admin.Invite(r.Context(), s.actor(r), p.ID, emails, role)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"invited": n})
}

// apiPortalUserOf reads the {portal} and {id} of the path: a user of one of
// the account's portals.
func (s *Server) apiPortalUserOf(r *http.Request) (*padlock.Portal, *padlock.User, error) {
	p, err := s.portalOf(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	u, err := s.db.Conn().PortalUser(r.Context(), p.AccountID, p.ID, id)
	return p, u, err
}

func (s *Server) apiPortalUser(w http.ResponseWriter, r *http.Request) {
	p, u, err := s.apiPortalUserOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiUser{"user": toAPIUserWith(u, p.Requirement(), s.now())})
}

// apiPortalUserUpdate changes a portal user's portal role or status
// through the same services as the portal user's page (each tells the user
// by email where it changes their access).
func (s *Server) apiPortalUserUpdate(w http.ResponseWriter, r *http.Request) {
	p, u, err := s.apiPortalUserOf(r)
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
		role, err := padlock.ParseRole(*in.Role)
		if err != nil || !role.IsPortalRole() {
			return padlock.FieldError("role", "Must be one of: editor, creator, lite.")
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
