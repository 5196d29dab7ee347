package web

import (
	"net/http"
	"regexp"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso"
)

// The SSO ways in: "Sign in with SSO" by email domain on the account's
// sign-in page, and on each surface a tenant's sign-in link, its SP
// metadata and its assertion consumer service (ACS): the account's under
// /sso/, each portal's under /portal/sso/, ending on that surface with its
// own session cookie.

// acsPatterns are the ACS routes. The identity provider's page posts the
// response there from the IdP's own site, so the ACS is exempt from the
// cross-origin check on purpose; the response is bound to the request
// this browser started instead (RelayState and the tracking cookie).
var acsPatterns = []string{"POST /sso/{id}/acs", "POST /portal/sso/{id}/acs"}

// allowSSOPosts exempts the ACS routes, and only them, from the
// cross-origin check.
func allowSSOPosts(cop *http.CrossOriginProtection) {
	for _, p := range acsPatterns {
		cop.AddInsecureBypassPattern(p)
	}
}

// ssoRoutes are the SSO ways in of a tenant, the same on both surfaces
// (sso.Service.configAt keeps each tenant to its own): public, since the
// IdP's responses come without a session.
func (s *Server) ssoRoutes() []route {
	return []route{
		{method: "GET", path: "/sso/{id}/login", access: Public, handler: s.ssoLogin},
		{method: "GET", path: "/sso/{id}/metadata", access: Public, handler: s.ssoMetadata},
		{method: "POST", path: "/sso/{id}/acs", access: Public, handler: s.ssoACS},
	}
}

// trackingCookieName is the request-tracking cookie. When cookies are
// Secure it is SameSite=None, so the IdP's cross-site POST carries it;
// over plain HTTP (development) browsers refuse SameSite=None, and it is
// Lax, which works with an IdP on the same site.
func (s *Server) trackingCookieName() string {
	if s.opts.SecureCookies {
		return "__Host-padlock_sso"
	}
	return "padlock_sso"
}

var (
	bindingPattern  = regexp.MustCompile(`^[a-z2-7]{40,60}$`)
	publicIDPattern = regexp.MustCompile(`^[a-z2-7]{16}$`)
)

// ssoBinding returns the browser's tracking value, "" without one.
func (s *Server) ssoBinding(r *http.Request) string {
	c, err := r.Cookie(s.trackingCookieName())
	if err != nil || !bindingPattern.MatchString(c.Value) {
		return ""
	}
	return c.Value
}

// ssoBindingOrNew keeps the browser's tracking value, so sign-ins started
// in two tabs both work, or gives it one; either way for ten minutes.
func (s *Server) ssoBindingOrNew(w http.ResponseWriter, r *http.Request) string {
	v := s.ssoBinding(r)
	if v == "" {
		v = sso.NewBrowserBinding()
	}
	sameSite := http.SameSiteLaxMode
	if s.opts.SecureCookies {
		sameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, &http.Cookie{Name: s.trackingCookieName(), Value: v, Path: "/", MaxAge: 600,
		HttpOnly: true, Secure: s.opts.SecureCookies, SameSite: sameSite})
	return v
}

type ssoContinuePage struct {
	Page
	URL string
}

// ssoContinue sends the browser on with a page rather than a redirect: a
// form answered by a redirect to another site would break the page's
// form-action 'self' policy, which browsers apply to redirects too.
func (s *Server) ssoContinue(w http.ResponseWriter, r *http.Request, to string) {
	s.render(w, r, http.StatusOK, "sso_continue", ssoContinuePage{Page: s.page(w, r, "Continue to sign in", navNone), URL: to})
}

// ssoEmailFields is "Sign in with SSO" on the sign-in page, as submitted.
type ssoEmailFields struct {
	Email string `form:"sso_email"`
	Next  string `form:"next"`
}

// samlResponseFields is what the IdP posts to the ACS.
type samlResponseFields struct {
	SAMLResponse string `form:"SAMLResponse"`
	RelayState   string `form:"RelayState"`
}

// ssoByEmail is "Sign in with SSO" on the sign-in page.
func (s *Server) ssoByEmail(w http.ResponseWriter, r *http.Request) {
	f := ssoEmailFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	next := safeNext(r, f.Next)
	id, err := s.opts.SSO.PublicIDForEmail(r.Context(), f.Email)
	if err != nil {
		p := s.signInPage(w, r, f.Email, next)
		p.SSO = true // the answer is beside the form that was used
		status := s.formError(r, &p.Page, err)
		if code := padlock.ErrorCode(err); code == padlock.EINVALID || code == padlock.ENOTFOUND {
			p.Error, p.Errors = "", padlock.FieldErrors{{Field: "sso_email", Message: padlock.ErrorMessage(err)}}
		}
		s.render(w, r, status, "signin", p)
		return
	}
	s.ssoContinue(w, r, "/sso/"+id+"/login?next="+urlQueryEscape(next))
}

// ssoLogin starts an SP-initiated sign-in: a tenant's sign-in link. A
// client holding too many unanswered requests is answered 429 with
// Retry-After, on the page of a failed sign-in.
func (s *Server) ssoLogin(w http.ResponseWriter, r *http.Request) {
	if !isNavigation(r) {
		s.renderError(w, r, http.StatusForbidden, "Single sign-on starts from a link you open, not from within another page.")
		return
	}
	binding := s.ssoBindingOrNew(w, r)
	to, err := s.opts.SSO.StartSignIn(r.Context(), surfaceOf(r), r.PathValue("id"), binding, s.clientAddress(r), safeNext(r, r.URL.Query().Get("next")))
	if err != nil {
		s.setRetryAfter(w, err)
		s.ssoFailed(w, r, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// isNavigation tells whether the browser is opening the address as a page
// (Sec-Fetch-Dest "document"), or says nothing of it (older browsers,
// scripts). An image, a script or a frame of another site's page starting
// sign-ins would otherwise fill the pending sign-ins of the visitor's
// address, which every person behind it shares.
func isNavigation(r *http.Request) bool {
	dest := r.Header.Get("Sec-Fetch-Dest")
	return dest == "" || dest == "document"
}

// ssoMetadata serves the SP's metadata, or downloads it as a file.
func (s *Server) ssoMetadata(w http.ResponseWriter, r *http.Request) {
	b, err := s.opts.SSO.Metadata(r.Context(), surfaceOf(r), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="padlock-sp-metadata.xml"`)
	}
	w.Write(b)
}

// ssoACS takes the IdP's response. An accepted sign-in goes on exactly as
// after a correct password: to the MFA challenge, to enrollment, or in.
func (s *Server) ssoACS(w http.ResponseWriter, r *http.Request) {
	f := samlResponseFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	out, err := s.opts.SSO.ConsumeResponse(r.Context(), sso.ACSInput{
		Surface: surfaceOf(r), PublicID: r.PathValue("id"), SAMLResponse: f.SAMLResponse, RelayState: f.RelayState,
		Binding: s.ssoBinding(r), Address: s.clientAddress(r),
	})
	if err != nil {
		s.ssoFailed(w, r, err)
		return
	}
	if out.Test != nil {
		s.render(w, r, http.StatusOK, "sso_test_result", ssoTestPage{Page: s.page(w, r, "SSO connection test", navNone), Result: out.Test,
			SettingsURL: ssoSettingsURL(out.Tenant)})
		return
	}
	s.setSessionCookie(w, r, out.SignedIn.Token)
	redirect(w, r, nextStepURL(r, out.SignedIn, safeNext(r, out.Next)))
}

type ssoErrorPage struct {
	Page
	RetryURL string
	// Busy is a client over its cap of unfinished sign-ins: nothing
	// reached the IdP or the activity log, and trying again at once is
	// refused too.
	Busy bool
}

// ssoFailed explains a refused SSO sign-in on a page of its own; internal
// errors go through the usual place.
func (s *Server) ssoFailed(w http.ResponseWriter, r *http.Request, err error) {
	if padlock.ErrorCode(err) == padlock.EINTERNAL {
		s.error(w, r, err)
		return
	}
	p := ssoErrorPage{Page: s.page(w, r, "Single sign-on failed", navNone), Busy: padlock.ErrorCode(err) == padlock.ERATELIMITED}
	if id := r.PathValue("id"); publicIDPattern.MatchString(id) && err != sso.ErrNoSSO {
		p.RetryURL = at(r, "/sso/"+id+"/login")
	}
	s.render(w, r, s.formError(r, &p.Page, err), "sso_error", p)
}

type ssoTestPage struct {
	Page
	Result *sso.TestResult
	// SettingsURL is the SSO settings page of the tested account or portal.
	SettingsURL string
}
