package web

import (
	"net/http"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

type documentPage struct {
	Page
	Organization *padlock.Organization
	Document     *padlock.Document
}

// documentOf loads the {org} and {doc} of the path within the caller's
// account; a document of another organization or account is "not found".
func (s *Server) documentOf(r *http.Request) (*padlock.Organization, *padlock.Document, error) {
	o, err := s.organizationOf(r)
	if err != nil {
		return nil, nil, err
	}
	id, err := pathID(r, "doc")
	if err != nil {
		return nil, nil, err
	}
	d, err := s.db.Conn().Document(r.Context(), o.AccountID, o.ID, id)
	return o, d, err
}

func documentURL(d *padlock.Document) string {
	return "/organizations/" + strconv.FormatInt(d.OrganizationID, 10) + "/documents/" + strconv.FormatInt(d.ID, 10)
}

func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	o, d, err := s.documentOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "document", documentPage{Page: s.page(w, r, d.Title, "organizations"), Organization: o, Document: d})
}

func (s *Server) documentNew(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := documentPage{Page: s.page(w, r, "New document", "organizations"), Organization: o, Document: &padlock.Document{}}
	s.render(w, r, http.StatusOK, "document_edit", p)
}

func (s *Server) documentCreate(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	c := currentFrom(r.Context())
	d := &padlock.Document{AccountID: o.AccountID, OrganizationID: o.ID, Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body"), UpdatedAt: s.auth.Now(), UpdatedBy: c.User.DisplayName(),
		SharedWithPortal: r.PostFormValue("shared_with_portal") == "on"}
	if err = d.Validate(); err == nil {
		err = s.db.Conn().CreateDocument(r.Context(), d)
	}
	if err != nil {
		p := documentPage{Page: s.page(w, r, "New document", "organizations"), Organization: o, Document: d}
		s.render(w, r, s.formError(r, &p.Page, err), "document_edit", p)
		return
	}
	s.setFlash(w, "Document saved.")
	redirect(w, r, documentURL(d))
}

func (s *Server) documentEdit(w http.ResponseWriter, r *http.Request) {
	o, d, err := s.documentOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "document_edit", documentPage{Page: s.page(w, r, "Edit "+d.Title, "organizations"), Organization: o, Document: d})
}

func (s *Server) documentUpdate(w http.ResponseWriter, r *http.Request) {
	o, d, err := s.documentOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	d.Title, d.Body = r.PostFormValue("title"), r.PostFormValue("body")
	d.SharedWithPortal = r.PostFormValue("shared_with_portal") == "on"
	d.UpdatedAt, d.UpdatedBy = s.auth.Now(), currentFrom(r.Context()).User.DisplayName()
	if err = d.Validate(); err == nil {
		err = s.db.Conn().UpdateDocument(r.Context(), d)
	}
	if err != nil {
		p := documentPage{Page: s.page(w, r, "Edit document", "organizations"), Organization: o, Document: d}
		s.render(w, r, s.formError(r, &p.Page, err), "document_edit", p)
		return
	}
	s.setFlash(w, "Document saved.")
	redirect(w, r, documentURL(d))
}

func (s *Server) documentDelete(w http.ResponseWriter, r *http.Request) {
	o, d, err := s.documentOf(r)
	if err == nil {
		err = s.db.Conn().DeleteDocument(r.Context(), o.AccountID, o.ID, d.ID)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "Document “"+d.Title+"” deleted.")
	redirect(w, r, "/organizations/"+strconv.FormatInt(o.ID, 10))
}
