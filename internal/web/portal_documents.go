package web

import (
	"net/http"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The client portal's pages: its users see the documents of their
// organization that are shared with the portal; Creators and Editors may add
// and edit them. Everything is scoped by the portal of the signed-in user,
// so another organization's document is "not found".

type portalDocumentsPage struct {
	Page
	Organization *padlock.Organization
	Documents    []*padlock.Document
	Pages        listPages
	Document     *padlock.Document
}

// portalDocumentFields is a portal user's New and Edit document form as
// submitted: what they write is always shared with their portal.
type portalDocumentFields struct {
	Title string `form:"title"`
	Body  string `form:"body"`
}

func (s *Server) portalPageData(w http.ResponseWriter, r *http.Request, title string) (portalDocumentsPage, error) {
	p := portalDocumentsPage{Page: s.page(w, r, title, navDocuments)}
	c := p.Current
	org, err := s.db.Conn().Organization(r.Context(), c.Portal.AccountID, c.Portal.OrganizationID)
	p.Organization = org
	return p, err
}

// sharedDocument loads the {doc} of the path if it is shared with the
// caller's portal.
func (s *Server) sharedDocument(r *http.Request) (*padlock.Document, error) {
	id, err := pathID(r, "doc")
	if err != nil {
		return nil, err
	}
	c := currentFrom(r.Context())
	d, err := s.db.Conn().Document(r.Context(), c.Portal.AccountID, c.Portal.OrganizationID, id)
	if err == nil && !d.SharedWithPortal {
		return nil, padlock.ErrNotFound
	}
	return d, err
}

func (s *Server) portalDocuments(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalPageData(w, r, "Documents")
	if err == nil {
		p.Documents, p.Pages, err = s.documentsAfter(r, p.Organization, true)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "portal_documents", p)
}

func (s *Server) portalDocument(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalPageData(w, r, "Document")
	if err == nil {
		p.Document, err = s.sharedDocument(r)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.Title = p.Document.Title
	s.render(w, r, http.StatusOK, "portal_document", p)
}

func (s *Server) portalDocumentNew(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalPageData(w, r, "New document")
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.Document = &padlock.Document{}
	p.restoreDocument()
	s.render(w, r, http.StatusOK, "portal_document_edit", p)
}

func (s *Server) portalDocumentEdit(w http.ResponseWriter, r *http.Request) {
	p, err := s.portalPageData(w, r, "Edit document")
	if err == nil {
		p.Document, err = s.sharedDocument(r)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.restoreDocument()
	s.render(w, r, http.StatusOK, "portal_document_edit", p)
}

// restoreDocument fills the form in with what was typed before MFA held it.
func (p *portalDocumentsPage) restoreDocument() {
	if f := (portalDocumentFields{}); p.restore("", &f) {
		p.Document.Title, p.Document.Body = f.Title, f.Body
	}
}

// portalDocumentCreate adds a document to the portal's organization, shared
// with the portal.
func (s *Server) portalDocumentCreate(w http.ResponseWriter, r *http.Request) {
	f := portalDocumentFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	d := &padlock.Document{OrganizationID: c.Portal.OrganizationID, Title: f.Title, Body: f.Body, SharedWithPortal: true}
	s.savedPortalDocument(w, r, d, "New document", s.docs.CreateDocument(r.Context(), s.actor(r), d))
}

func (s *Server) portalDocumentUpdate(w http.ResponseWriter, r *http.Request) {
	d, err := s.sharedDocument(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := portalDocumentFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	d.Title, d.Body = f.Title, f.Body
	s.savedPortalDocument(w, r, d, "Edit document", s.docs.UpdateDocument(r.Context(), s.actor(r), d))
}

// savedPortalDocument answers the save of d: its page, or the form again
// with what was wrong.
func (s *Server) savedPortalDocument(w http.ResponseWriter, r *http.Request, d *padlock.Document, title string, err error) {
	if err != nil {
		p, perr := s.portalPageData(w, r, title)
		if perr != nil {
			s.error(w, r, perr)
			return
		}
		p.Document = d
		s.render(w, r, s.formError(r, &p.Page, err), "portal_document_edit", p)
		return
	}
	s.setFlash(w, "Document saved.")
	redirect(w, r, at(r, "/documents/"+strconv.FormatInt(d.ID, 10)))
}
