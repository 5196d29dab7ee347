package web

import (
	"net/http"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// An organization's documents, as its page and the document pages have
// them: listed by title a page at a time (without their text), read,
// added and edited through the documents service, which audits each change
// under the caller (the key's name for a key) and keeps the screens' rules.

// apiDocumentSummary is a document as lists show it, without its text.
type apiDocumentSummary struct {
	ID               int64     `json:"id"`
	OrganizationID   int64     `json:"organization_id"`
	Title            string    `json:"title"`
	SharedWithPortal bool      `json:"shared_with_portal"`
	UpdatedAt        time.Time `json:"updated_at"`
	// UpdatedBy is who saved it last as the document page shows it: a
	// user's current name, "API key: name", or "".
	UpdatedBy string `json:"updated_by"`
}

// apiDocument is one document with its text.
type apiDocument struct {
	apiDocumentSummary
	Body string `json:"body"`
}

func toAPIDocumentSummary(d *padlock.Document) apiDocumentSummary {
	return apiDocumentSummary{ID: d.ID, OrganizationID: d.OrganizationID, Title: d.Title, SharedWithPortal: d.SharedWithPortal,
		UpdatedAt: d.UpdatedAt.UTC(), UpdatedBy: d.UpdatedBy}
}

// docCursor is what a documents list's cursor holds: the last title and id.
type docCursor struct {
	Title string `json:"t"`
	ID    int64  `json:"i"`
}

// apiDocuments lists an organization's documents by title, a page at a
// time.
func (s *Server) apiDocuments(w http.ResponseWriter, r *http.Request) {
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var c docCursor
	n, err := pageQuery(r, &c)
	if err == nil && c != (docCursor{}) && c.ID <= 0 {
		err = errBadCursor
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	docs, err := s.db.Conn().Documents(r.Context(), o.AccountID, o.ID, false, store.DocumentKey{Title: c.Title, ID: c.ID}, n+1)
	if err != nil {
		s.error(w, r, err)
		return
	}
	next := ""
	if len(docs) > n {
		docs = docs[:n]
		next = encodeCursor(docCursor{Title: docs[n-1].Title, ID: docs[n-1].ID})
	}
	out := make([]apiDocumentSummary, 0, len(docs))
	for _, d := range docs {
		out = append(out, toAPIDocumentSummary(d))
	}
	writeJSON(w, http.StatusOK, apiList("documents", out, next))
}

func (s *Server) apiDocument(w http.ResponseWriter, r *http.Request) {
	_, d, err := s.documentOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiDocument{"document": {toAPIDocumentSummary(d), d.Body}})
}

// writeAPIDocument answers with the document as saved, read again so that
// it shows its saver as the document page does.
func (s *Server) writeAPIDocument(w http.ResponseWriter, r *http.Request, status int, saved *padlock.Document) {
	d, err := s.db.Conn().Document(r.Context(), saved.AccountID, saved.OrganizationID, saved.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, status, map[string]apiDocument{"document": {toAPIDocumentSummary(d), d.Body}})
}

// apiNewDocument is what POST …/documents sends.
type apiNewDocument struct {
	Title            string `json:"title"`
	Body             string `json:"body"`
	SharedWithPortal bool   `json:"shared_with_portal"`
}

// apiDocumentCreate adds a document to an organization, as New document.
func (s *Server) apiDocumentCreate(w http.ResponseWriter, r *http.Request) {
	// The organization first: another account's is not found, whatever
	// the body.
	o, err := s.organizationOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var in apiNewDocument
	if !s.readJSON(w, r, &in) {
		return
	}
	d := &padlock.Document{OrganizationID: o.ID, Title: in.Title, Body: in.Body, SharedWithPortal: in.SharedWithPortal}
	if err := s.docs.CreateDocument(r.Context(), s.actor(r), d); err != nil {
		s.error(w, r, err)
		return
	}
	s.writeAPIDocument(w, r, http.StatusCreated, d)
}

// apiDocumentChange is what PATCH …/documents/{doc} may send; a field left
// out keeps its value.
type apiDocumentChange struct {
	Title            *string `json:"title"`
	Body             *string `json:"body"`
	SharedWithPortal *bool   `json:"shared_with_portal"`
}

// apiDocumentUpdate edits a document, as its Edit page.
func (s *Server) apiDocumentUpdate(w http.ResponseWriter, r *http.Request) {
	_, d, err := s.documentOf(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	var in apiDocumentChange
	if !s.readJSON(w, r, &in) {
		return
	}
	if in.Title == nil && in.Body == nil && in.SharedWithPortal == nil {
		s.error(w, r, padlock.Errorf(padlock.EINVALID, "Send a title, a body, shared_with_portal, or several."))
		return
	}
	if in.Title != nil {
		d.Title = *in.Title
	}
	if in.Body != nil {
		d.Body = *in.Body
	}
	if in.SharedWithPortal != nil {
		d.SharedWithPortal = *in.SharedWithPortal
	}
	if err := s.docs.UpdateDocument(r.Context(), s.actor(r), d); err != nil {
		s.error(w, r, err)
		return
	}
	s.writeAPIDocument(w, r, http.StatusOK, d)
}
