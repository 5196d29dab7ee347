package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

type apiOrganization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func toAPIOrganization(o *padlock.Organization) apiOrganization {
	return apiOrganization{ID: o.ID, Name: o.Name, CreatedAt: o.CreatedAt.UTC()}
}

// orgCursor is what the organizations list's cursor holds: the last name
// (names are unique in an account).
type orgCursor struct {
	After string `json:"n"`
}

// apiOrganizations lists the account's client organizations by name, a
// page at a time.
func (s *Server) apiOrganizations(w http.ResponseWriter, r *http.Request) {
	var c orgCursor
	n, err := pageQuery(r, &c)
	if err != nil {
		s.error(w, r, err)
		return
	}
	orgs, err := s.db.Conn().OrganizationsAfter(r.Context(), currentFrom(r.Context()).Account.ID, c.After, n+1)
	if err != nil {
		s.error(w, r, err)
		return
	}
	next := ""
	if len(orgs) > n {
		orgs = orgs[:n]
		next = encodeCursor(orgCursor{After: orgs[n-1].Name})
	}
	out := make([]apiOrganization, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, toAPIOrganization(o))
	}
	writeJSON(w, http.StatusOK, apiList("organizations", out, next))
}

func (s *Server) apiOrganization(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiOrganization{"organization": toAPIOrganization(o)})
}

type apiNewOrganization struct {
	Name string `json:"name"`
}

// apiOrganizationCreate adds a client organization through the same
// service as New organization.
func (s *Server) apiOrganizationCreate(w http.ResponseWriter, r *http.Request) {
	var in apiNewOrganization
	if !s.readJSON(w, r, &in) {
		return
	}
	o, err := s.docs.CreateOrganization(r.Context(), s.actor(r), in.Name)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]apiOrganization{"organization": toAPIOrganization(o)})
}

type apiNewPortal struct {
	OrganizationID int64  `json:"organization_id"`
	Name           string `json:"name"`
	RequireMFA     bool   `json:"require_mfa"`
	GraceDays      int    `json:"grace_days"`
}

// apiPortalCreate opens a client portal for one of the account's
// organizations, through the same service as New client portal.
func (s *Server) apiPortalCreate(w http.ResponseWriter, r *http.Request) {
	var in apiNewPortal
	if !s.readJSON(w, r, &in) {
		return
	}
	p, err := s.admin.CreatePortal(r.Context(), s.actor(r), admin.PortalInput{OrganizationID: in.OrganizationID, Name: in.Name, RequireMFA: in.RequireMFA, GraceDays: in.GraceDays})
	if err != nil {
		s.error(w, r, renameFields(err, map[string]string{"organization": "organization_id"}))
		return
	}
	r.SetPathValue("portal", strconv.FormatInt(p.ID, 10))
	out, err := s.apiPortalByID(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]apiPortal{"portal": out})
}
