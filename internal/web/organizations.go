package web

import (
	"net/http"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// pathID reads a numeric path value; anything else is "not found".
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, padlock.ErrNotFound
	}
	return id, nil
}

// organizationOf loads the {org} of the path within the caller's account.
func (s *Server) organizationOf(r *http.Request) (*padlock.Organization, error) {
	id, err := pathID(r, "org")
	if err != nil {
		return nil, err
	}
	return s.db.Conn().Organization(r.Context(), currentFrom(r.Context()).User.AccountID, id)
}

type organizationsPage struct {
	Page
	Organizations []*padlock.Organization
	Pages         listPages
}

func (s *Server) organizations(w http.ResponseWriter, r *http.Request) {
	p := organizationsPage{Page: s.page(w, r, "Organizations", navOrganizations)}
	var err error
	if p.Organizations, p.Pages, err = s.organizationsAfter(r, p.Current.User.AccountID); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "organizations", p)
}

type organizationPage struct {
	Page
	Organization *padlock.Organization
	Documents    []*padlock.Document
	Pages        listPages
	Name         string
}

// organizationFields is the New organization form as submitted.
type organizationFields struct {
	Name string `form:"name"`
}

func (s *Server) organizationNew(w http.ResponseWriter, r *http.Request) {
	p := organizationPage{Page: s.page(w, r, "New organization", navOrganizations)}
	if f := (organizationFields{}); p.restore("", &f) {
		p.Name = f.Name
	}
	s.render(w, r, http.StatusOK, "organization_new", p)
}

func (s *Server) organizationCreate(w http.ResponseWriter, r *http.Request) {
	f := organizationFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	o, err := s.docs.CreateOrganization(r.Context(), s.actor(r), f.Name)
	if err != nil {
		p := organizationPage{Page: s.page(w, r, "New organization", navOrganizations), Name: f.Name}
		s.render(w, r, s.formError(r, &p.Page, err), "organization_new", p)
		return
	}
	s.setFlash(w, "Organization “"+o.Name+"” created.")
	redirect(w, r, "/organizations/"+strconv.FormatInt(o.ID, 10))
}

func (s *Server) organization(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := organizationPage{Page: s.page(w, r, o.Name, navOrganizations), Organization: o}
	if p.Documents, p.Pages, err = s.documentsAfter(r, o, false); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "organization", p)
}
