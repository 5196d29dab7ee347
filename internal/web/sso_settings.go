package web

import (
	"net/http"
	"strings"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/sso"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Account > SSO: the Administrator connects the account to its identity
// provider, tests the connection, and chooses how SSO meets the MFA
// requirement.

type ssoSettingsPage struct {
	Page
	Config       *store.SSORecord
	SP           sso.SPInfo
	Certificates []sso.CertificateInfo
	IDP          sso.IDPInput
	Opt          ssoOptionsFields
	JITRoles     []padlock.Role
	// typed marks the form being corrected: it keeps what was typed.
	idpTyped, optTyped bool
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
	p := s.ssoPage(w, r)
	if f := (idpFields{}); p.restore("/account/settings/sso/idp", &f) {
		p.idpTyped, p.IDP = true, f.input()
	}
	p.optTyped = p.restore("/account/settings/sso/options", &p.Opt)
	s.renderSSOSettings(w, r, p, http.StatusOK)
}

func (s *Server) ssoPage(w http.ResponseWriter, r *http.Request) *ssoSettingsPage {
	return &ssoSettingsPage{Page: s.page(w, r, "Single sign-on", navSSO)}
}

// renderSSOSettings shows the stored settings in each form but the one
// being corrected.
func (s *Server) renderSSOSettings(w http.ResponseWriter, r *http.Request, p *ssoSettingsPage, status int) {
	rec, err := s.opts.SSO.Settings(r.Context(), s.actor(r))
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.Config, p.SP, p.JITRoles = rec, s.opts.SSO.SP(rec.PublicID), padlock.Roles[1:]
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
	p := s.ssoPage(w, r)
	p.idpTyped = true
	p.IDP = f.input()
	if err := s.opts.SSO.SaveIDP(r.Context(), s.actor(r), p.IDP); err != nil {
		s.renderSSOSettings(w, r, p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Identity provider saved. Run Test connection before you turn single sign-on on.")
	redirect(w, r, "/account/settings/sso")
}

// ssoOptionsSubmit saves the switches, lists and break-glass users.
func (s *Server) ssoOptionsSubmit(w http.ResponseWriter, r *http.Request) {
	f := ssoOptionsFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p := s.ssoPage(w, r)
	p.optTyped, p.Opt = true, f
	if err := s.opts.SSO.SaveOptions(r.Context(), s.actor(r), p.Opt.input()); err != nil {
		s.renderSSOSettings(w, r, p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Single sign-on settings saved.")
	redirect(w, r, "/account/settings/sso")
}

// ssoTestStart runs "Test connection": a sign-in at the IdP whose answer is
// shown, not used.
func (s *Server) ssoTestStart(w http.ResponseWriter, r *http.Request) {
	binding := s.ssoBindingOrNew(w, r)
	to, err := s.opts.SSO.StartTest(r.Context(), s.actor(r), binding)
	if err != nil {
		p := s.ssoPage(w, r)
		s.renderSSOSettings(w, r, p, s.formError(r, &p.Page, err))
		return
	}
	s.ssoContinue(w, r, to)
}
