package web

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

//go:embed templates
var templateFiles embed.FS

// pages holds every page template, each parsed together with the layout.
type pages struct {
	byName map[string]*template.Template
	// menus holds the layout's menu written for each menuKey met so far
	// (a few dozen at most: the keys are made of the code's own values);
	// menuTemplate writes one.
	menus        sync.Map // menuKey → template.HTML
	menuTemplate *template.Template
}

// menu is the layout's menu for the page data, written once per menuKey.
func (p *pages) menu(data any) (template.HTML, error) {
	page, ok := data.(interface{ menuKey() menuKey })
	if !ok {
		return "", fmt.Errorf("web: page data %T does not embed Page", data)
	}
	key := page.menuKey()
	if m, ok := p.menus.Load(key); ok {
		return m.(template.HTML), nil
	}
	var buf bytes.Buffer
	if err := p.menuTemplate.Execute(&buf, key); err != nil {
		return "", err
	}
	m, _ := p.menus.LoadOrStore(key, template.HTML(buf.String()))
	return m.(template.HTML), nil
}

// The embedded pages are parsed once per process, for the embedded assets:
// parsing is most of what starting a server costs, and the parsed pages
// are safe to execute from any number of servers at once.
func parsePages(a *Assets) (*pages, error) {
	embeddedPages.once.Do(func() {
		embeddedPages.assets = a
		embeddedPages.pages, embeddedPages.err = parseTemplates(templateFiles, a)
	})
	if embeddedPages.assets != a {
		return parseTemplates(templateFiles, a) // other assets: pages of their own
	}
	return embeddedPages.pages, embeddedPages.err
}

var embeddedPages struct {
	once   sync.Once
	pages  *pages
	assets *Assets
	err    error
}

// parseTemplates parses each page of fsys's templates/ with its layout.html
// and the shared fragments of templates/parts/.
// Besides syntax, a page fails to load when it names a permission padlock
// does not have.
func parseTemplates(fsys fs.FS, a *Assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset": a.URL,
		"icon":  a.Icon,
		"date":  formatDate,
		"can": func(c *auth.Current, p string) bool {
			return c != nil && c.User.Role.Can(padlock.Permission(p))
		},
		"roles": func() []padlock.Role { return padlock.Roles },
		"fields": func(prefix string, errs padlock.FieldErrors) formFields {
			return formFields{Prefix: prefix, errs: errs}
		},
	}
	p := &pages{byName: map[string]*template.Template{}}
	funcs["menu"] = p.menu
	maps.Copy(funcs, navFuncs())
	maps.Copy(funcs, textFuncs())
	maps.Copy(funcs, rowFuncs(a))
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	// Fragments that several pages share, beside the layout's own.
	shared := []string{"templates/layout.html"}
	parts, _ := fs.Glob(fsys, "templates/parts/*.html")
	shared = append(shared, parts...)
	sources := map[string]string{}
	for _, n := range append(names, parts...) {
		if sources[n], err = readTemplate(fsys, n, a); err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := parsePage(funcs, sources, append(shared, n))
		if err == nil {
			err = checkPermissionNames(t)
		}
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		p.byName[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
		if p.menuTemplate == nil {
			p.menuTemplate = t.Lookup("menu")
		}
	}
	if p.menuTemplate == nil {
		return nil, errors.New("web: the layout defines no menu")
	}
	return p, nil
}

// parsePage parses the named sources into one template, named after the
// first (the layout), as ParseFS would.
func parsePage(funcs template.FuncMap, sources map[string]string, names []string) (*template.Template, error) {
	t := template.New(path.Base(names[0])).Funcs(funcs)
	for _, n := range names {
		tn := t
		if n != names[0] {
			tn = t.New(path.Base(n))
		}
		if _, err := tn.Parse(sources[n]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// constantCall is an icon or asset call with a literal name, in the one
// spelling the templates use.
var constantCall = regexp.MustCompile(`\{\{(icon|asset) "([^"{}]+)"\}\}`)

// readTemplate reads a template and writes its constant calls out: an
// {{icon "name"}} becomes the icon's markup and an {{asset "name"}} the
// asset's URL, as template text. Executed, each call was a reflective call
// or two (the function, then its escaper) on every page; written out, an
// unknown name fails at start-up rather than on the page that draws it.
// Both write only trusted markup (the sprite's, and a hashed path under
// /static/), in text and URL attributes, the only places templates use them.
func readTemplate(fsys fs.FS, name string, a *Assets) (string, error) {
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return "", err
	}
	var unknown error
	text := constantCall.ReplaceAllStringFunc(string(src), func(call string) string {
		m := constantCall.FindStringSubmatch(call)
		if m[1] == "icon" {
			if icon, ok := a.icons[m[2]]; ok {
				return string(icon)
			}
		} else if url, ok := a.urls[m[2]]; ok {
			return url
		}
		unknown = fmt.Errorf("no %s %q", m[1], m[2])
		return call
	})
	return text, unknown
}

// formFields lets a shared template fragment show one of several forms on
// a page: its ids and error keys carry the form's prefix.
type formFields struct {
	Prefix string
	errs   padlock.FieldErrors
}

// Error is the message for the form's field name, "" without one.
func (f formFields) Error(name string) string { return f.errs.Message(f.Prefix + name) }

// Page is what the layout needs; every page's data embeds it.
type Page struct {
	Base    string // the surface's prefix for links: "" or "/portal"
	Title   string
	Nav     nav // the menu entry and tab marked as the current page
	Current *auth.Current
	Flash   string
	// FlashError shows Flash as a failure rather than a success.
	FlashError bool
	Errors     padlock.FieldErrors // messages beside form fields
	Error      string              // a message above the form
	// Restricted is set while the caller may reach only enrollment: the
	// layout then offers nothing but sign-out.
	Restricted bool
	// MFADeadline is set during a grace period, for the "Set up now" banner,
	// with MFARequiredBy naming whose requirement it is: the account's, or
	// a portal user's portal's.
	MFADeadline   time.Time
	MFARequiredBy string
	// PasskeyRequired tells that the requirement is phishing-resistant MFA
	// only: the banner asks for a passkey, and MFADeadline is the strict
	// level's deadline for a user who has an app.
	PasskeyRequired bool
	// Notice is a warning above the page that is neither a success nor an
	// error: a change that was not saved, a session that ended.
	Notice string
	// held is the form this page fills in again after MFA (held.go).
	held *auth.HeldForm
}

// message is the error shown above the form, for render.
func (p Page) message() string { return p.Error }

// page fills the common part of a page's data.
func (s *Server) page(w http.ResponseWriter, r *http.Request, title string, at nav) Page {
	p := Page{Base: surfaceOf(r).Prefix(), Title: title, Nav: at, Errors: padlock.FieldErrors{}}
	p.Flash, p.FlashError = s.takeFlash(w, r)
	p.signedIn(currentFrom(r.Context()))
	s.takeHeldForm(r, &p)
	return p
}

// signedIn sets what the layout shows of the caller: their menu, or only
// sign-out while MFA must come first, and the grace banner.
func (p *Page) signedIn(c *auth.Current) {
	if p.Current = c; c == nil {
		return
	}
	p.Restricted = c.Step == padlock.StepEnroll || c.Step == padlock.StepChallenge
	if c.Step == padlock.StepGrace {
		p.MFADeadline, p.MFARequiredBy = c.User.MFADeadline, c.Account.Name
		if c.Portal != nil {
			p.MFARequiredBy = c.Portal.Name
		}
		if r := c.Requirement(); r.Strict() {
			p.PasskeyRequired = true
			if d, ok := r.Deadline(c.User); ok && c.User.HasMFA() {
				p.MFADeadline = d // an app's grace at the strict level
			}
		}
	}
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	if status == http.StatusServiceUnavailable && name != "error" {
		// Whatever page a handler meant to show, a node that cannot serve
		// now shows the short page that asks to come back.
		msg := padlock.ErrUnavailable.Message
		if m, ok := data.(interface{ message() string }); ok && m.message() != "" {
			msg = m.message()
		}
		s.unavailable(w, r, msg)
		return
	}
	t, ok := s.pages.byName[name]
	if !ok {
		s.error(w, r, fmt.Errorf("web: no page %q", name))
		return
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	if err := t.Execute(buf, data); err != nil {
		s.logger.Error("render", "page", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = htmlValue, noStoreValue
	// The whole page is at hand: with its length, net/http sends it as it
	// is instead of in chunks.
	h["Content-Length"] = []string{strconv.Itoa(buf.Len())}
	retryLater(w, status)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pageBuffers keeps the buffers pages are executed into, so a page does
// not grow a new one from nothing each time.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putPageBuffer returns a buffer to the pool, unless an unusually large page
// grew it: the pool should not hold on to that.
func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() > 256<<10 {
		return
	}
	b.Reset()
	pageBuffers.Put(b)
}

// retryLater gives every 503 a Retry-After, whichever way it is answered
// (s.error, a form with formError, JSON): the refusal is temporary.
func retryLater(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", retryAfter)
	}
}

// formError puts err on the page: field errors beside their fields, anything
// else above the form. It returns the status to answer with (render adds
// Retry-After to a 503). Internal errors are logged and shown as "Internal
// error."
func (s *Server) formError(r *http.Request, p *Page, err error) int {
	switch padlock.ErrorCode(err) {
	case padlock.EINTERNAL:
		s.logger.Error("internal error", "route", r.Pattern, "err", err)
	case padlock.EUNAVAILABLE:
		if !errors.Is(err, auth.ErrBusy) {
			s.outages.note(s.logger, r.Pattern, err)
		}
	}
	return formError(p, err)
}

func formError(p *Page, err error) int {
	var e *padlock.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		for _, f := range e.Fields {
			p.Errors.Add(f.Field, f.Message)
		}
		return statusOf(e.Code)
	}
	p.Error = padlock.ErrorMessage(err)
	return statusOf(padlock.ErrorCode(err))
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// error is the one place that turns an error into a response: internal
// errors are logged and shown as "Internal error."
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := padlock.ErrorCode(err)
	status := statusOf(code)
	switch status {
	case http.StatusInternalServerError:
		s.logger.Error("internal error", "route", r.Pattern, "err", err)
	case http.StatusServiceUnavailable:
		if !errors.Is(err, auth.ErrBusy) {
			s.outages.note(s.logger, r.Pattern, err)
		}
		s.unavailable(w, r, padlock.ErrorMessage(err))
		return
	}
	if isAPI(r) {
		writeAPIError(w, status, err)
		return
	}
	s.renderError(w, r, status, padlock.ErrorMessage(err))
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, message string) {
	if isAPI(r) {
		writeAPIError(w, status, &padlock.Error{Code: codeOfStatus(status), Message: message})
		return
	}
	p := Page{Base: surfaceOf(r).Prefix(), Title: http.StatusText(status), Error: message}
	p.signedIn(currentFrom(r.Context()))
	s.render(w, r, status, "error", struct {
		Page
		Status int
	}{p, status})
}

// notFound is the 404 page. It keeps a signed-in caller's menu: where no
// route matched, no access check has read their session yet, so it does.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	if currentFrom(r.Context()) == nil {
		if c, err := s.auth.Authenticate(r.Context(), s.sessionToken(r)); err == nil && c.User.Surface() == surfaceOf(r) {
			r = r.WithContext(context.WithValue(r.Context(), currentKey{}, c))
		}
	}
	s.renderError(w, r, http.StatusNotFound, "There is no page at this address.")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	retryLater(w, status)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// noContent answers a change that has nothing to show (a deletion) with
// 204 No Content.
func noContent(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// redirect answers a successful form with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
