package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// The organizations, documents and client portals lists show a page at a time, found by the
// key of the last row of the page before, so a page costs the same however
// many rows come before it.

const listPerPage = 50

// pageLinks link a page of a list to the pages just before and after it.
type pageLinks struct {
	PrevURL string // "" on the first page
	NextURL string // "" on the last page
}

// listPages links a page of a list to the first page and to the next.
type listPages struct {
	FirstURL string // "" on the first page
	NextURL  string // "" on the last page
}

// organizationsAfter reads the page of organizations the request's "after"
// key asks for. A malformed key gives the first page.
func (s *Server) organizationsAfter(r *http.Request, accountID int64) ([]*padlock.Organization, listPages, error) {
	after := r.URL.Query().Get("after")
	if after != "" && (len(after) > 4*padlock.MaxNameLen || !utf8.ValidString(after)) {
		after = ""
	}
	orgs, err := s.db.Conn().OrganizationsAfter(r.Context(), accountID, after, listPerPage+1)
	var pages listPages
	if after != "" {
		pages.FirstURL = r.URL.Path
	}
	if len(orgs) > listPerPage {
		orgs = orgs[:listPerPage]
		pages.NextURL = r.URL.Path + "?" + url.Values{"after": {orgs[listPerPage-1].Name}}.Encode()
	}
	return orgs, pages, err
}

// portalChoicesPerPage is how many organizations the New client portal
// form offers at once: a longer list than a page of rows, since it is one
// choice in a form.
const portalChoicesPerPage = 200

// portalChoices reads the organizations the New client portal form offers:
// those without a portal, a page at a time after the request's "after"
// key, with links that keep to the form.
func (s *Server) portalChoices(r *http.Request, accountID int64) ([]*padlock.Organization, listPages, error) {
	const form = "/account/portals/new"
	after := r.URL.Query().Get("after")
	if after != "" && (len(after) > 4*padlock.MaxNameLen || !utf8.ValidString(after)) {
		after = ""
	}
	orgs, err := s.db.Conn().OrganizationsWithoutPortalAfter(r.Context(), accountID, after, portalChoicesPerPage+1)
	var pages listPages
	if after != "" {
		pages.FirstURL = form
	}
	if len(orgs) > portalChoicesPerPage {
		orgs = orgs[:portalChoicesPerPage]
		pages.NextURL = form + "?" + url.Values{"after": {orgs[portalChoicesPerPage-1].Name}}.Encode()
	}
	return orgs, pages, err
}

// documentsAfter reads the page of an organization's documents the
// request's "after" key ("id:title") asks for; sharedOnly keeps those
// shared with its portal. A malformed key gives the first page.
func (s *Server) documentsAfter(r *http.Request, o *padlock.Organization, sharedOnly bool) ([]*padlock.Document, listPages, error) {
	key := documentKey(r.URL.Query().Get("after"))
	docs, err := s.db.Conn().Documents(r.Context(), o.AccountID, o.ID, sharedOnly, key, listPerPage+1)
	var pages listPages
	if key.ID != 0 {
		pages.FirstURL = r.URL.Path
	}
	if len(docs) > listPerPage {
		docs = docs[:listPerPage]
		last := docs[listPerPage-1]
		pages.NextURL = r.URL.Path + "?" + url.Values{"after": {strconv.FormatInt(last.ID, 10) + ":" + last.Title}}.Encode()
	}
	return docs, pages, err
}

func documentKey(v string) store.DocumentKey {
	id, title, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || len(title) > 4*padlock.MaxTitleLen || !utf8.ValidString(title) {
		return store.DocumentKey{}
	}
	return store.DocumentKey{ID: n, Title: title}
}

// portalsAt reads the page of the account's portals that the request's
// "after" or "before" key ("id:organization") asks for, 50 by organization
// name, with links to the pages beside it at the request's path. A key
// that is malformed, or leads off either end of the list, gives the first
// page.
func (s *Server) portalsAt(r *http.Request, accountID int64) ([]store.PortalSummary, pageLinks, error) {
	page := store.PortalPage{Limit: listPerPage + 1}
	if after, before := portalKey(r.URL.Query().Get("after")), portalKey(r.URL.Query().Get("before")); after.ID == 0 || before.ID == 0 {
		page.After, page.Before = after, before
	}
	conn := s.db.Conn()
	list, err := conn.Portals(r.Context(), accountID, page)
	if err == nil && (page.After.ID != 0 && len(list) == 0 || page.Before.ID != 0 && len(list) <= listPerPage) {
		page.After, page.Before = store.PortalKey{}, store.PortalKey{}
		list, err = conn.Portals(r.Context(), accountID, page)
	}
	if err != nil {
		return nil, pageLinks{}, err
	}
	hasPrev, hasNext := page.After.ID != 0, len(list) > listPerPage
	if page.Before.ID != 0 {
		list, hasPrev, hasNext = list[1:], true, true
	} else if hasNext {
		list = list[:listPerPage]
	}
	var links pageLinks
	if hasPrev {
		links.PrevURL = portalsPageURL(r.URL.Path, "before", list[0])
	}
	if hasNext {
		links.NextURL = portalsPageURL(r.URL.Path, "after", list[len(list)-1])
	}
	return list, links, nil
}

// portalsPageURL links to the page of portals at path just after or just
// before p.
func portalsPageURL(path, dir string, p store.PortalSummary) string {
	return path + "?" + url.Values{dir: {strconv.FormatInt(p.ID, 10) + ":" + p.Organization}}.Encode()
}

// portalKey reads a portals page link's key; anything malformed is no key.
func portalKey(v string) store.PortalKey {
	id, name, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || name == "" || len(name) > 4*padlock.MaxNameLen || !utf8.ValidString(name) {
		return store.PortalKey{}
	}
	return store.PortalKey{ID: n, Organization: name}
}
