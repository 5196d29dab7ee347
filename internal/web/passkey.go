package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// passkeyNewPage asks the browser to create a passkey for the registration
// this session started after the password.
type passkeyNewPage struct {
	Page
	Options string // JSON for the script, in a data attribute
	Name    string
}

type passkeyAddFields struct {
	Name       string `form:"name"`
	Credential string `form:"credential"`
}

type passwordFields struct {
	Password string `form:"password"`
}

type nameFields struct {
	Name string `form:"name"`
}

// myPasskeyBegin checks the password and starts a registration for this
// session, then shows the page that creates the passkey.
func (s *Server) myPasskeyBegin(w http.ResponseWriter, r *http.Request) {
	f := passwordFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	if err := s.auth.BeginPasskeyRegistration(r.Context(), c, f.Password, s.clientAddress(r)); err != nil {
		if c.Step == padlock.StepEnroll || c.Step == padlock.StepGrace && c.Requirement().Strict() && !c.User.HasPasskey() {
			p := myMFAPage{Page: s.page(w, r, "Add a passkey", navMFA)}
			s.renderPasskeyEnrollment(w, r, &p, s.formError(r, &p.Page, err))
			return
		}
		s.mfaSettingsError(w, r, err)
		return
	}
	redirect(w, r, at(r, "/settings/mfa/passkeys/new"))
}

// myPasskeyNew is the page that asks the browser for a new passkey, while
// this session's registration lasts.
func (s *Server) myPasskeyNew(w http.ResponseWriter, r *http.Request) {
	p := passkeyNewPage{Page: s.page(w, r, "Add a passkey", navMFA)}
	s.renderPasskeyNew(w, r, &p, http.StatusOK)
}

// renderPasskeyEnrollment is "Set up MFA" under a phishing-resistant
// requirement: the password, then the browser creates a passkey.
func (s *Server) renderPasskeyEnrollment(w http.ResponseWriter, r *http.Request, p *myMFAPage, status int) {
	p.Forced = p.Restricted
	p.PasskeysAvailable = s.auth.PasskeysAvailable()
	p.Notice = s.heldNotice(r, p.Current, heldNoticeEnroll)
	s.render(w, r, status, "mfa_enroll_passkey", p)
}

func (s *Server) renderPasskeyNew(w http.ResponseWriter, r *http.Request, p *passkeyNewPage, status int) {
	opts, err := s.auth.PasskeyRegistrationOptions(r.Context(), currentFrom(r.Context()))
	if errors.Is(err, padlock.ErrNotFound) {
		s.setFlashError(w, "Confirm your password to add a passkey or security key.")
		redirect(w, r, at(r, "/settings/mfa"))
		return
	} else if err != nil {
		s.error(w, r, err)
		return
	}
	p.Options = opts
	s.render(w, r, status, "passkey_new", p)
}

// myPasskeyCreate stores the passkey the browser created. A first factor
// shows the new recovery codes next.
func (s *Server) myPasskeyCreate(w http.ResponseWriter, r *http.Request) {
	f := passkeyAddFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	res, first, err := s.auth.FinishPasskeyRegistration(r.Context(), currentFrom(r.Context()), f.Name, f.Credential, s.clientAddress(r))
	var pe *padlock.Error
	switch {
	case err == nil:
	case errors.As(err, &pe) && len(pe.Fields) == 1 && (pe.Fields[0].Field == "name" || pe.Fields[0].Field == "credential"):
		p := passkeyNewPage{Page: s.page(w, r, "Add a passkey", navMFA), Name: f.Name}
		status := s.formError(r, &p.Page, err)
		s.renderPasskeyNew(w, r, &p, status)
		return
	default:
		s.mfaSettingsError(w, r, err)
		return
	}
	if res != nil { // the session that set up the first factor proved it
		s.setSessionCookie(w, r, res.Token)
	}
	if first {
		redirect(w, r, at(r, "/settings/mfa/recovery-codes"))
		return
	}
	s.setFlash(w, "Passkey added. Padlock will offer it after your password.")
	redirect(w, r, at(r, "/settings/mfa"))
}

// myPasskeyRename renames one of the user's passkeys.
func (s *Server) myPasskeyRename(w http.ResponseWriter, r *http.Request) {
	f := nameFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.auth.RenamePasskey(r.Context(), currentFrom(r.Context()), id, f.Name, s.clientAddress(r))
	}
	if err != nil {
		s.mfaSettingsError(w, r, prefixFields(err, fmt.Sprintf("rename%d_", id)))
		return
	}
	s.setFlash(w, "Passkey renamed.")
	redirect(w, r, at(r, "/settings/mfa"))
}

// myPasskeyRemove removes one of the user's passkeys with the password
// (and a current code when it is the last factor).
func (s *Server) myPasskeyRemove(w http.ResponseWriter, r *http.Request) {
	f := proofFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.auth.RemovePasskey(r.Context(), currentFrom(r.Context()), id, f.Password, f.Code, s.clientAddress(r))
	}
	if err != nil {
		s.mfaSettingsError(w, r, prefixFields(err, fmt.Sprintf("remove%d_", id)))
		return
	}
	s.setFlash(w, "Passkey removed.")
	redirect(w, r, at(r, "/settings/mfa"))
}

// prefixFields moves a form error's fields to the form of one passkey.
func prefixFields(err error, prefix string) error {
	var e *padlock.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := &padlock.Error{Code: e.Code, Message: e.Message}
	for _, f := range e.Fields {
		out.Fields = append(out.Fields, padlock.FieldError(prefix+f.Field, f.Message).Fields...)
	}
	return out
}

type challengePasskeyFields struct {
	Credential string `form:"credential"`
	Next       string `form:"next"`
}

// challengePasskeySubmit is the second step answered with a passkey; on
// success the pending session is replaced by a full one under a new token.
func (s *Server) challengePasskeySubmit(w http.ResponseWriter, r *http.Request) {
	f := challengePasskeyFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	res, err := s.auth.CompletePasskey(r.Context(), c, f.Credential, s.clientAddress(r))
	s.challengeOutcome(w, r, res, err, safeNext(r, f.Next))
}
