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

// documentFields is the New and Edit document form as submitted.
type documentFields struct {
	Title            string `form:"title"`
	Body             string `form:"body"`
	SharedWithPortal bool   `form:"shared_with_portal"`
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
	s.render(w, r, http.StatusOK, "document", documentPage{Page: s.page(w, r, d.Title, navOrganizations), Organization: o, Document: d})
}

func (s *Server) documentNew(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := documentPage{Page: s.page(w, r, "New document", navOrganizations), Organization: o, Document: &padlock.Document{}}
	p.restoreDocument()
	s.render(w, r, http.StatusOK, "document_edit", p)
}

func (s *Server) documentCreate(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := documentFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	d := &padlock.Document{OrganizationID: o.ID, Title: f.Title, Body: f.Body, SharedWithPortal: f.SharedWithPortal}
	if err := s.docs.CreateDocument(r.Context(), s.actor(r), d); err != nil {
		p := documentPage{Page: s.page(w, r, "New document", navOrganizations), Organization: o, Document: d}
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
	p := documentPage{Page: s.page(w, r, "Edit "+d.Title, navOrganizations), Organization: o, Document: d}
	p.restoreDocument()
	s.render(w, r, http.StatusOK, "document_edit", p)
}

// restoreDocument fills the form in with what was typed before MFA held it.
func (p *documentPage) restoreDocument() {
	if f := (documentFields{}); p.restore("", &f) {
		p.Document.Title, p.Document.Body, p.Document.SharedWithPortal = f.Title, f.Body, f.SharedWithPortal
	}
}

func (s *Server) documentUpdate(w http.ResponseWriter, r *http.Request) {
	o, d, err := s.documentOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := documentFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	d.Title, d.Body, d.SharedWithPortal = f.Title, f.Body, f.SharedWithPortal
	if err := s.docs.UpdateDocument(r.Context(), s.actor(r), d); err != nil {
		p := documentPage{Page: s.page(w, r, "Edit document", navOrganizations), Organization: o, Document: d}
		s.render(w, r, s.formError(r, &p.Page, err), "document_edit", p)
		return
	}
	s.setFlash(w, "Document saved.")
	redirect(w, r, documentURL(d))
}

func (s *Server) documentDelete(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	id, err := pathID(r, "doc")
	if err != nil {
		s.error(w, r, err)
		return
	}
	d, err := s.docs.DeleteDocument(r.Context(), s.actor(r), o.ID, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "Document “"+d.Title+"” deleted.")
	redirect(w, r, "/organizations/"+strconv.FormatInt(o.ID, 10))
}
