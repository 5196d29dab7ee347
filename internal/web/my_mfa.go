package web

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

type myMFAPage struct {
	Page
	Status     *auth.MFAStatus
	Required   bool
	Enrollment *auth.Enrollment
	QR         template.URL // a data: URI drawn by the server
	Codes      []string
	LowCodes   bool
	Next       string // where to land after enrollment
	Forced     bool   // the user may do nothing else until MFA is set up
	// PasskeysAvailable tells whether this server can register passkeys.
	PasskeysAvailable bool
	// OTPAuth is the otpauth: URI of the enrollment, for a link that opens
	// an authenticator app on the phone showing the page. It holds the
	// secret the page shows anyway; it is never a URL of Padlock's.
	OTPAuth template.URL
}

// proofFields is a form that changes MFA on proof of the password and a
// current code (or recovery code): move to a new phone, new recovery codes,
// turn MFA off.
type proofFields struct {
	Password string `form:"password"`
	Code     string `form:"code"`
}

// codeFields is the form that confirms an enrollment with a code. Its
// "next" is read by nextParam, from the form or the query.
type codeFields struct {
	Code string `form:"code"`
}

// myMFA is My Settings > MFA: the factor's state and what can be done.
func (s *Server) myMFA(w http.ResponseWriter, r *http.Request) {
	p := myMFAPage{Page: s.page(w, r, "MFA", navMFA)}
	if !s.loadMFAStatus(w, r, &p) {
		return
	}
	s.render(w, r, http.StatusOK, "mfa_settings", p)
}

func (s *Server) loadMFAStatus(w http.ResponseWriter, r *http.Request, p *myMFAPage) bool {
	c := currentFrom(r.Context())
	st, err := s.auth.MFAStatus(r.Context(), c.User.ID)
	if err == nil {
		p.Required, err = s.auth.MFARequired(r.Context(), c.User)
	}
	if err != nil {
		s.error(w, r, err)
		return false
	}
	p.Status, p.LowCodes = st, st.Enabled && st.CodesLeft <= auth.LowRecoveryCodes
	return true
}

// myMFAEnroll starts an enrollment with a fresh secret.
func (s *Server) myMFAEnroll(w http.ResponseWriter, r *http.Request) {
	c := currentFrom(r.Context())
	var err error
	f := proofFields{}
	switch {
	case c.User.HasTOTP(): // moving to a new phone
		if !s.readForm(w, r, &f) {
			return
		}
		err = s.auth.ReplaceFactor(r.Context(), c, f.Password, f.Code, s.clientAddress(r))
	case c.User.HasMFA(): // adding an app beside passkeys
		if !s.readForm(w, r, &f) {
			return
		}
		err = s.auth.AddApp(r.Context(), c, f.Password, s.clientAddress(r))
	default:
		err = s.auth.BeginEnrollment(r.Context(), c)
	}
	if err != nil {
		s.mfaSettingsError(w, r, err)
		return
	}
	redirect(w, r, at(r, "/settings/mfa/enroll"))
}

// myMFAEnrollForm shows the QR code, the manual key and the code field of
// this session's own enrollment. A user sent here by the requirement finds
// one already started, with a secret no other session has seen.
func (s *Server) myMFAEnrollForm(w http.ResponseWriter, r *http.Request) {
	c := currentFrom(r.Context())
	if c.Requirement().Strict() && !c.User.HasPasskey() {
		// An app would not meet the requirement: only a passkey will.
		p := myMFAPage{Page: s.page(w, r, "Add a passkey", navMFA), Next: nextParam(r)}
		s.renderPasskeyEnrollment(w, r, &p, http.StatusOK)
		return
	}
	enrolling, err := s.auth.Enrolling(r.Context(), c)
	if err == nil && !enrolling {
		if c.User.HasMFA() { // moving to a new phone starts from the form
			redirect(w, r, at(r, "/settings/mfa"))
			return
		}
		err = s.auth.BeginEnrollment(r.Context(), c)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := myMFAPage{Page: s.page(w, r, "Set up MFA", navMFA), Next: nextParam(r)}
	s.renderEnrollment(w, r, &p, http.StatusOK)
}

// nextParam is the validated "next" of the query or form.
func nextParam(r *http.Request) string {
	if n := r.FormValue("next"); n != "" {
		return safeNext(r, n)
	}
	return ""
}

func (s *Server) renderEnrollment(w http.ResponseWriter, r *http.Request, p *myMFAPage, status int) {
	e, err := s.auth.PendingEnrollment(r.Context(), currentFrom(r.Context()))
	if err != nil {
		if padlock.ErrorCode(err) == padlock.ENOTFOUND {
			s.setFlashError(w, padlock.ErrorMessage(err))
			redirect(w, r, at(r, "/settings/mfa"))
			return
		}
		s.error(w, r, err)
		return
	}
	p.Enrollment, p.QR, p.OTPAuth = e, template.URL(e.QR), template.URL(e.URI)
	p.Forced = p.Restricted
	p.Notice = s.heldNotice(r, p.Current, heldNoticeEnroll)
	s.render(w, r, status, "mfa_enroll", p)
}

// myMFAVerify confirms the enrollment with a code from the app, then shows
// the recovery codes.
func (s *Server) myMFAVerify(w http.ResponseWriter, r *http.Request) {
	f := codeFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	next := nextParam(r)
	res, err := s.auth.ConfirmEnrollment(r.Context(), currentFrom(r.Context()), f.Code, s.clientAddress(r))
	if err != nil {
		p := myMFAPage{Page: s.page(w, r, "Set up MFA", navMFA), Next: next}
		s.renderEnrollment(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	if res != nil { // a sign-in held at enrollment is now a full session
		s.setSessionCookie(w, r, res.Token)
	}
	to := at(r, "/settings/mfa/recovery-codes")
	if next != "" {
		to += "?next=" + urlQueryEscape(next)
	}
	redirect(w, r, to)
}

// myRecoveryCodes shows new codes until the user says they saved them.
func (s *Server) myRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	codes, err := s.auth.RecoveryCodesToShow(r.Context(), currentFrom(r.Context()))
	if errors.Is(err, padlock.ErrNotFound) {
		s.setFlashError(w, "Recovery codes are shown only once. Make a new set if you did not save them.")
		redirect(w, r, at(r, "/settings/mfa"))
		return
	} else if err != nil {
		s.error(w, r, err)
		return
	}
	p := myMFAPage{Page: s.page(w, r, "Recovery codes", navMFA), Codes: codes, Next: nextParam(r)}
	s.render(w, r, http.StatusOK, "recovery_codes", p)
}

// myRecoveryCodesFile downloads the codes being shown as a text file.
func (s *Server) myRecoveryCodesFile(w http.ResponseWriter, r *http.Request) {
	c := currentFrom(r.Context())
	codes, err := s.auth.RecoveryCodesToShow(r.Context(), c)
	if err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="padlock-recovery-codes.txt"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("Padlock recovery codes for " + c.User.Email + " (" + c.Place() + ")\n" +
		"Each code works once, typed where Padlock asks for an MFA code.\n\n" + strings.Join(codes, "\n") + "\n"))
}

func (s *Server) myRecoveryCodesSaved(w http.ResponseWriter, r *http.Request) {
	if err := s.auth.AcknowledgeRecoveryCodes(r.Context(), currentFrom(r.Context())); err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "MFA is on. Keep your recovery codes somewhere safe.")
	if next := s.afterMFA(r, currentFrom(r.Context()), nextParam(r)); next != "" {
		redirect(w, r, next)
		return
	}
	redirect(w, r, at(r, "/settings/mfa"))
}

// myRecoveryCodesRegenerate makes a new set with the password and a
// current code, and shows it to this session.
func (s *Server) myRecoveryCodesRegenerate(w http.ResponseWriter, r *http.Request) {
	f := proofFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	if err := s.auth.RegenerateRecoveryCodes(r.Context(), c, f.Password, f.Code, s.clientAddress(r)); err != nil {
		s.mfaSettingsError(w, r, err)
		return
	}
	redirect(w, r, at(r, "/settings/mfa/recovery-codes"))
}

// mfaSettingsError shows My Settings > MFA again with the error beside its
// field.
func (s *Server) mfaSettingsError(w http.ResponseWriter, r *http.Request, err error) {
	p := myMFAPage{Page: s.page(w, r, "MFA", navMFA)}
	if s.loadMFAStatus(w, r, &p) {
		s.render(w, r, s.formError(r, &p.Page, err), "mfa_settings", p)
	}
}

// myMFADisable turns MFA off with the password and a current code.
func (s *Server) myMFADisable(w http.ResponseWriter, r *http.Request) {
	f := proofFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	c := currentFrom(r.Context())
	err := s.auth.DisableMFA(r.Context(), c, f.Password, f.Code, s.clientAddress(r))
	if err != nil {
		s.mfaSettingsError(w, r, err)
		return
	}
	s.setFlash(w, "MFA is off. Your password alone now signs you in.")
	redirect(w, r, at(r, "/settings/mfa"))
}
