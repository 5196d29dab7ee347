package web

import (
	"net/http"
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

// portalCursor is what the portals list's cursor holds: the last portal's
// organization name and id, the list's order.
type portalCursor struct {
	Organization string `json:"o"`
	ID           int64  `json:"i"`
}

// apiPortals lists the account's client portals by organization, a page
// at a time, as Account > Client portals does.
func (s *Server) apiPortals(w http.ResponseWriter, r *http.Request) {
	var c portalCursor
	n, err := pageQuery(r, &c)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := store.PortalPage{Limit: n + 1}
	if c.ID != 0 {
		page.After = store.PortalKey{Organization: c.Organization, ID: c.ID}
	}
	list, err := s.db.Conn().Portals(r.Context(), currentFrom(r.Context()).Account.ID, page)
	if err != nil {
		s.error(w, r, err)
		return
	}
	next := ""
	if len(list) > n {
		list = list[:n]
		last := list[n-1]
		next = encodeCursor(portalCursor{Organization: last.Organization, ID: last.ID})
	}
	out := make([]apiPortal, 0, len(list))
	for _, p := range list {
		out = append(out, apiPortal{ID: p.ID, Name: p.Name, OrganizationID: p.OrganizationID, Organization: p.Organization,
			MFA: requirementOf(p.Requirement()), Users: p.Users, UsersWithMFA: p.WithMFA, CreatedAt: p.CreatedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, apiList("portals", out, next))
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
	requiredAt := req.RequiredAt
	out := apiCoverageList{Kind: kind, PortalID: portalID, Name: name, MFA: requirementOf(req),
		Users: c.Current, WithMFA: c.CurrentWithMFA, WithoutMFA: c.Current - c.CurrentWithMFA, ByFactor: apiFactorCounts{f.TOTP, f.Passkey}}
	if !requiredAt.IsZero() {
		out.Overdue = c.Overdue
	}
	return out
}

// apiCoverage is Account > MFA coverage: the staff, then the portals in the
// order of the portals list, deactivated users not counted. It pages as
// that list does, limit portals a page, the first page led by the staff;
// each page counts only its own lists.
func (s *Server) apiCoverage(w http.ResponseWriter, r *http.Request) {
	var c portalCursor
	n, err := pageQuery(r, &c)
	if err != nil {
		s.error(w, r, err)
		return
	}
	page := store.PortalPage{Limit: n + 1}
	if c.ID != 0 {
		page.After = store.PortalKey{Organization: c.Organization, ID: c.ID}
	}
	acct, conn := currentFrom(r.Context()).Account, s.db.Conn()
	portals, err := conn.Portals(r.Context(), acct.ID, page)
	next := ""
	if len(portals) > n {
		portals = portals[:n]
		last := portals[n-1]
		next = encodeCursor(portalCursor{Organization: last.Organization, ID: last.ID})
	}
	lists := listsOf(portals)
	if c.ID != 0 {
		lists = lists[1:] // the staff lead the first page only
	}
	var (
		counts  map[int64]store.UserCounts
		factors map[int64]store.FactorCounts
	)
	if err == nil {
		counts, err = conn.CoverageOf(r.Context(), acct.ID, s.now(), lists)
	}
	if err == nil {
		factors, err = conn.FactorCoverageOf(r.Context(), acct.ID, lists)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]apiCoverageList, 0, len(lists))
	if c.ID == 0 {
		out = append(out, coverageOf("account", nil, acct.Name, acct.Requirement(), counts[0], factors[0]))
	}
	for _, p := range portals {
		id := p.ID
		out = append(out, coverageOf("portal", &id, p.Name, p.Requirement(), counts[p.ID], factors[p.ID]))
	}
	writeJSON(w, http.StatusOK, apiList("lists", out, next))
}

// apiPortalByID reads the {portal} of the path as the list shows it, with
// its organization and counts.
func (s *Server) apiPortalByID(r *http.Request) (apiPortal, error) {
	p, err := s.portalOf(r)
	if err != nil {
		return apiPortal{}, err
	}
	list, err := s.db.Conn().Portals(r.Context(), p.AccountID, store.PortalPage{ID: p.ID})
	if err != nil {
		return apiPortal{}, err
	}
	if len(list) == 0 {
		return apiPortal{}, padlock.ErrNotFound
	}
	x := list[0]
	return apiPortal{ID: x.ID, Name: x.Name, OrganizationID: x.OrganizationID, Organization: x.Organization,
		MFA: requirementOf(x.Requirement()), Users: x.Users, UsersWithMFA: x.WithMFA, CreatedAt: x.CreatedAt.UTC()}, nil
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

// apiPortalDelete deletes a client portal with its users, as Delete on the
// portal's page: their sessions end on every node at once; the
// organization and its documents stay.
func (s *Server) apiPortalDelete(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalOf(r)
	if err == nil {
		err = s.admin.DeletePortal(r.Context(), s.actor(r), p.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	noContent(w)
}
