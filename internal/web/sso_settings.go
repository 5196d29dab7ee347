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
	Opt          ssoOptionsForm
	JITRoles     []padlock.Role
	// typed marks the form being corrected: it keeps what was typed.
	idpTyped, optTyped bool
}

// ssoOptionsForm is the options form as typed.
type ssoOptionsForm struct {
	Enabled, AcceptIDPMFA, AllowIDPInitiated, JIT, Enforce bool
	MFAContexts, JITRole, BreakGlass, Domains              string
}

func (f ssoOptionsForm) input() sso.OptionsInput {
	return sso.OptionsInput{Enabled: f.Enabled, AcceptIDPMFA: f.AcceptIDPMFA, MFAContexts: f.MFAContexts,
		AllowIDPInitiated: f.AllowIDPInitiated, JIT: f.JIT, JITRole: f.JITRole, Enforce: f.Enforce,
		BreakGlass: f.BreakGlass, Domains: f.Domains}
}

func (s *Server) ssoSettings(w http.ResponseWriter, r *http.Request) {
	s.renderSSOSettings(w, r, s.ssoPage(w, r), http.StatusOK)
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

func (s *Server) storedOptions(r *http.Request, rec *store.SSORecord) (ssoOptionsForm, error) {
	var emails []string
	for _, id := range rec.BreakGlass {
		u, err := s.db.Conn().UserByID(r.Context(), id)
		if err != nil {
			return ssoOptionsForm{}, err
		}
		emails = append(emails, u.Email)
	}
	return ssoOptionsForm{Enabled: rec.Enabled, AcceptIDPMFA: rec.AcceptIDPMFA, AllowIDPInitiated: rec.AllowIDPInitiated,
		JIT: rec.JIT, Enforce: rec.Enforce, JITRole: string(rec.JITRole),
		MFAContexts: strings.Join(rec.MFAContexts, "\n"), BreakGlass: strings.Join(emails, "\n"), Domains: strings.Join(rec.Domains, " ")}, nil
}

// ssoIDPSubmit saves the identity provider: metadata or typed values.
func (s *Server) ssoIDPSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.ssoPage(w, r)
	f := r.PostFormValue
	p.idpTyped = true
	p.IDP = sso.IDPInput{MetadataXML: f("metadata_xml"), MetadataURL: f("metadata_url"), EntityID: f("entity_id"), SSOURL: f("sso_url"), Certificate: f("certificate")}
	if err := s.opts.SSO.SaveIDP(r.Context(), s.actor(r), p.IDP); err != nil {
		s.renderSSOSettings(w, r, p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Identity provider saved. Run Test connection before you turn single sign-on on.")
	redirect(w, r, "/account/settings/sso")
}

// ssoOptionsSubmit saves the switches, lists and break-glass users.
func (s *Server) ssoOptionsSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p := s.ssoPage(w, r)
	p.optTyped = true
	on := func(name string) bool { return r.PostFormValue(name) == "on" }
	p.Opt = ssoOptionsForm{Enabled: on("enabled"), AcceptIDPMFA: on("accept_idp_mfa"), AllowIDPInitiated: on("allow_idp_initiated"),
		JIT: on("jit"), Enforce: on("enforce"), MFAContexts: r.PostFormValue("mfa_contexts"), JITRole: r.PostFormValue("jit_role"),
		BreakGlass: r.PostFormValue("break_glass"), Domains: r.PostFormValue("domains")}
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
