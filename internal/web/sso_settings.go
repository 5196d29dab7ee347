package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Account > SSO, and the SSO tab of a client portal's Edit screen: the
// Administrator connects the account, or the portal, to its identity
// provider, tests the connection, and chooses how SSO meets the MFA
// requirement. One set of handlers serves both; the route's {portal}, if
// any, names the tenant.

type ssoSettingsPage struct {
	Page
	// Portal is the portal whose SSO this is; nil for the account's.
	Portal *padlock.Portal
	// URL is the settings page's own address; the forms post under it.
	URL          string
	Config       *store.SSORecord
	SP           sso.SPInfo
	Certificates []sso.CertificateInfo
	IDP          sso.IDPInput
	Opt          ssoOptionsFields
	JITRoles     []padlock.Role
	// typed marks the form being corrected: it keeps what was typed.
	idpTyped, optTyped bool
}

// ssoTenant is the portal the route's {portal} names within the caller's
// account, or nil on the account's own SSO page.
func (s *Server) ssoTenant(r *http.Request) (*padlock.Portal, error) {
	if r.PathValue("portal") == "" {
		return nil, nil
	}
	return s.portalOf(r)
}

// ssoSettingsURL is the settings page of a tenant's SSO.
func ssoSettingsURL(t padlock.SSOTenant) string {
	if t.IsPortal() {
		return "/account/portals/" + strconv.FormatInt(t.PortalID, 10) + "/sso"
	}
	return "/account/settings/sso"
}

func portalIDOf(p *padlock.Portal) int64 {
	if p == nil {
		return 0
	}
	return p.ID
}

// idpFields is the identity provider form as submitted.
type idpFields struct {
	MetadataXML string `form:"metadata_xml"`
	MetadataURL string `form:"metadata_url"`
	EntityID    string `form:"entity_id"`
	SSOURL      string `form:"sso_url"`
	Certificate string `form:"certificate"`
}

// ssoOptionsFields is the options form, as stored or as typed.
type ssoOptionsFields struct {
	Enabled           bool   `form:"enabled"`
	AcceptIDPMFA      bool   `form:"accept_idp_mfa"`
	AllowIDPInitiated bool   `form:"allow_idp_initiated"`
	JIT               bool   `form:"jit"`
	Enforce           bool   `form:"enforce"`
	MFAContexts       string `form:"mfa_contexts"`
	StrongContexts    string `form:"strong_contexts"`
	JITRole           string `form:"jit_role"`
	BreakGlass        string `form:"break_glass"`
	Domains           string `form:"domains"`
}

func (f idpFields) input() sso.IDPInput {
	return sso.IDPInput{MetadataXML: f.MetadataXML, MetadataURL: f.MetadataURL, EntityID: f.EntityID, SSOURL: f.SSOURL, Certificate: f.Certificate}
}

func (f ssoOptionsFields) input() sso.OptionsInput {
	return sso.OptionsInput{Enabled: f.Enabled, AcceptIDPMFA: f.AcceptIDPMFA, MFAContexts: f.MFAContexts, StrongContexts: f.StrongContexts,
		AllowIDPInitiated: f.AllowIDPInitiated, JIT: f.JIT, JITRole: f.JITRole, Enforce: f.Enforce,
		BreakGlass: f.BreakGlass, Domains: f.Domains}
}

func (s *Server) ssoSettings(w http.ResponseWriter, r *http.Request) {
	p, ok := s.ssoPage(w, r)
	if !ok {
		return
	}
	if f := (idpFields{}); p.restore(p.URL+"/idp", &f) {
		p.idpTyped, p.IDP = true, f.input()
	}
	p.optTyped = p.restore(p.URL+"/options", &p.Opt)
	s.renderSSOSettings(w, r, p, http.StatusOK)
}

// ssoPage starts the settings page of the route's tenant; a {portal} that
// is not the caller's answers 404.
func (s *Server) ssoPage(w http.ResponseWriter, r *http.Request) (*ssoSettingsPage, bool) {
	portal, err := s.ssoTenant(r)
	if err != nil {
		s.error(w, r, err)
		return nil, false
	}
	if portal == nil {
		return &ssoSettingsPage{Page: s.page(w, r, "Single sign-on", navSSO), URL: ssoSettingsURL(padlock.SSOTenant{})}, true
	}
	t := padlock.SSOTenant{AccountID: portal.AccountID, PortalID: portal.ID}
	return &ssoSettingsPage{Page: s.page(w, r, "Single sign-on for "+portal.Name, navPortalSSO), Portal: portal, URL: ssoSettingsURL(t)}, true
}

// renderSSOSettings shows the stored settings in each form but the one
// being corrected.
func (s *Server) renderSSOSettings(w http.ResponseWriter, r *http.Request, p *ssoSettingsPage, status int) {
	rec, err := s.opts.SSO.Settings(r.Context(), s.actor(r), portalIDOf(p.Portal))
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.Config, p.SP, p.JITRoles = rec, s.opts.SSO.SP(&rec.SSOConfig), padlock.Roles[1:]
	if p.Portal != nil {
		p.JITRoles = padlock.PortalRoles[1:]
	}
	p.Certificates = sso.DescribeCertificates(rec.IDPCertificates)
	if !p.idpTyped {
		p.IDP = sso.IDPInput{MetadataURL: rec.IDPMetadataURL, EntityID: rec.IDPEntityID, SSOURL: rec.IDPSSOURL, Certificate: rec.IDPCertificates}
	}
	if !p.optTyped {
		if p.Opt, err = s.storedOptions(r, rec); err != nil {
			s.error(w, r, err)
			return
		}
	}
	s.render(w, r, status, "sso_settings", p)
}

func (s *Server) storedOptions(r *http.Request, rec *store.SSORecord) (ssoOptionsFields, error) {
	var emails []string
	for _, id := range rec.BreakGlass {
		u, err := s.db.Conn().UserByID(r.Context(), id)
		if err != nil {
			return ssoOptionsFields{}, err
		}
		emails = append(emails, u.Email)
	}
	return ssoOptionsFields{Enabled: rec.Enabled, AcceptIDPMFA: rec.AcceptIDPMFA, AllowIDPInitiated: rec.AllowIDPInitiated,
		JIT: rec.JIT, Enforce: rec.Enforce, JITRole: string(rec.JITRole),
		MFAContexts: strings.Join(rec.MFAContexts, "\n"), StrongContexts: strings.Join(rec.PhishingResistantContexts, "\n"), BreakGlass: strings.Join(emails, "\n"), Domains: strings.Join(rec.Domains, " ")}, nil
}

// ssoIDPSubmit saves the identity provider: metadata or typed values.
func (s *Server) ssoIDPSubmit(w http.ResponseWriter, r *http.Request) {
	f := idpFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p, ok := s.ssoPage(w, r)
	if !ok {
		return
	}
	p.idpTyped = true
	p.IDP = f.input()
	if err := s.opts.SSO.SaveIDP(r.Context(), s.actor(r), portalIDOf(p.Portal), p.IDP); err != nil {
		s.renderSSOSettings(w, r, p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Identity provider saved. Run Test connection before you turn single sign-on on.")
	redirect(w, r, p.URL)
}

// ssoOptionsSubmit saves the switches, lists and break-glass users.
func (s *Server) ssoOptionsSubmit(w http.ResponseWriter, r *http.Request) {
	f := ssoOptionsFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p, ok := s.ssoPage(w, r)
	if !ok {
		return
	}
	p.optTyped, p.Opt = true, f
	if err := s.opts.SSO.SaveOptions(r.Context(), s.actor(r), portalIDOf(p.Portal), p.Opt.input()); err != nil {
		s.renderSSOSettings(w, r, p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Single sign-on settings saved.")
	redirect(w, r, p.URL)
}

// ssoTestStart runs "Test connection": a sign-in at the IdP whose answer is
// shown, not used.
func (s *Server) ssoTestStart(w http.ResponseWriter, r *http.Request) {
	portal, err := s.ssoTenant(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	binding := s.ssoBindingOrNew(w, r)
	to, err := s.opts.SSO.StartTest(r.Context(), s.actor(r), portalIDOf(portal), binding)
	if err != nil {
		if p, ok := s.ssoPage(w, r); ok {
			s.renderSSOSettings(w, r, p, s.formError(r, &p.Page, err))
		}
		return
	}
	s.ssoContinue(w, r, to)
}
