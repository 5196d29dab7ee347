package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Held forms (auth.HeldForm): when the access check turns a form away
// because MFA has to be set up or proved first, it holds the form for the
// session and sends the user back, after MFA, to the page the form is on
// (the route's form page). That page fills the form in again, once, and
// says the change was not saved; the user sends it again, through the
// same checks as any form.

// The notices of a held form: on the way to MFA, and back on its page.
const (
	heldNoticeEnroll    = "Your change was not saved. Once MFA is set up, you return to the form with what you typed (except passwords and codes), to check it and save it."
	heldNoticeChallenge = "Your change was not saved. Once you enter your MFA code, you return to the form with what you typed (except passwords and codes), to check it and save it."
	heldNoticeRestored  = "Your change was not saved. What you typed is filled in again below: check it, then save it."
	heldNoticeEmpty     = "Your change was not saved. Make it again to save it."
)

var pathValueRe = regexp.MustCompile(`\{(\w+)(\.\.\.)?\}`)

// formPages checks each route's form page: a GET route on the same surface
// whose path values the form's route has too. It returns the patterns
// ("GET /path") of those pages, for page() to recognise them.
func formPages(rs []route) (map[string]bool, error) {
	gets := map[string]bool{}
	for _, rt := range rs {
		if rt.method == http.MethodGet {
			gets[rt.path] = true
		}
	}
	pages := map[string]bool{}
	for _, rt := range rs {
		if rt.form == "" {
			continue
		}
		if rt.method != http.MethodPost || !gets[rt.form] {
			return nil, fmt.Errorf("web: the form of %s %s is on %s, which is not a page", rt.method, rt.path, rt.form)
		}
		names := map[string]bool{}
		for _, m := range pathValueRe.FindAllStringSubmatch(rt.path, -1) {
			names[m[1]] = true
		}
		for _, m := range pathValueRe.FindAllStringSubmatch(rt.form, -1) {
			if !names[m[1]] {
				return nil, fmt.Errorf("web: the form page %s of %s names {%s}, which the route lacks", rt.form, rt.path, m[1])
			}
		}
		pages["GET "+rt.form] = true
	}
	return pages, nil
}

// formPagePath is the path of the page a form is on, for this request:
// the route's form pattern with the request's path values.
func formPagePath(r *http.Request, pattern string) string {
	return pathValueRe.ReplaceAllStringFunc(pattern, func(v string) string {
		return url.PathEscape(r.PathValue(pathValueRe.FindStringSubmatch(v)[1]))
	})
}

// returnQuery is the "?next=" that brings a browser back after MFA: to the
// page a GET asked for, or to the page a POST's form is on, with the form
// held. It is "" when there is nowhere to come back to.
func (s *Server) returnQuery(r *http.Request, c *auth.Current, form string) string {
	switch {
	case isAPI(r):
		return ""
	case r.Method == http.MethodGet:
		return nextQuery(r)
	case r.Method != http.MethodPost || form == "":
		return ""
	}
	page := formPagePath(r, form)
	if safeNext(r, page) != page {
		return ""
	}
	if err := r.ParseForm(); err != nil {
		r.PostForm = nil // unreadable or too large: only the page is held
	}
	err := s.auth.HoldForm(r.Context(), c, auth.HeldForm{Page: page, Action: r.URL.Path, Values: r.PostForm})
	if err != nil {
		s.logger.Warn("hold form", "route", r.Pattern, "err", err)
	}
	return "?next=" + urlQueryEscape(page)
}

// afterMFA is where a session goes once MFA is done: to the page of the
// form it holds, wherever the user wandered meanwhile, or else to next.
func (s *Server) afterMFA(r *http.Request, c *auth.Current, next string) string {
	h, err := s.auth.HeldForm(r.Context(), c)
	if err != nil {
		if !errors.Is(err, padlock.ErrNotFound) {
			s.logger.Warn("held form", "route", r.Pattern, "err", err)
		}
		return next
	}
	return h.Page
}

// heldNotice is what the MFA screens say while the session holds a form.
func (s *Server) heldNotice(r *http.Request, c *auth.Current, notice string) string {
	if _, err := s.auth.HeldForm(r.Context(), c); err != nil {
		if !errors.Is(err, padlock.ErrNotFound) {
			s.logger.Warn("held form", "route", r.Pattern, "err", err)
		}
		return ""
	}
	return notice
}

// takeHeldForm gives a form page the form its session held for it, once,
// with the notice that says so. It never stops the page: a held form that
// cannot be read is as good as none.
func (s *Server) takeHeldForm(r *http.Request, p *Page) {
	if p.Current == nil || p.Restricted || r.Method != http.MethodGet || !s.formPages[r.Pattern] {
		return
	}
	h, err := s.auth.TakeHeldForm(r.Context(), p.Current, r.URL.EscapedPath())
	if err != nil {
		if !errors.Is(err, padlock.ErrNotFound) {
			s.logger.Warn("take held form", "route", r.Pattern, "err", err)
		}
		return
	}
	p.held, p.Notice = h, heldNoticeEmpty
	if len(h.Values) > 0 {
		p.Notice = heldNoticeRestored
	}
}

// restore fills dst, the struct of one of the page's forms, with what was
// typed into it before MFA held it, and tells whether it did. action is
// the path the form is sent to, without the surface's prefix; "" for a
// page with one form.
func (p *Page) restore(action string, dst any) bool {
	h := p.held
	if h == nil || len(h.Values) == 0 || (action != "" && h.Action != p.Base+action) {
		return false
	}
	// A number that is not one stays zero; the form shows it to correct.
	decodeForm(h.Values, dst)
	return true
}
