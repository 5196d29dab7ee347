package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

type accountSettingsPage struct {
	Page
	Account    *padlock.Account
	WithoutMFA int
	Users      int
	Overdue    int // users whose deadline has passed without MFA
	accountSettingsFields
	NoOwnMFA bool // the viewer has no MFA: saving "require" would be refused
}

// accountSettingsFields is the authentication form, as stored or as typed:
// the numbers stay text, so a mistyped one is shown again as it was.
type accountSettingsFields struct {
	RequireMFA   bool   `form:"require_mfa"`
	MFALevel     string `form:"mfa_level"`
	GraceDays    string `form:"grace_days"`
	IdleMinutes  string `form:"session_idle_minutes"`
	LifetimeHour string `form:"session_lifetime_hours"`
}

// accountSettings is Account > Settings > Authentication.
func (s *Server) accountSettings(w http.ResponseWriter, r *http.Request) {
	p := accountSettingsPage{Page: s.page(w, r, "Account settings", navAccountSettings)}
	a := p.Current.Account
	p.RequireMFA, p.GraceDays, p.MFALevel = a.RequiresMFA(), strconv.Itoa(a.MFAGraceDays), levelOf(a.RequiresPhishingResistant())
	p.IdleMinutes = strconv.Itoa(int(a.SessionIdle / time.Minute))
	p.LifetimeHour = strconv.Itoa(int(a.SessionLifetime / time.Hour))
	p.restore("", &p.accountSettingsFields)
	s.renderAccountSettings(w, r, &p, http.StatusOK)
}

func (s *Server) renderAccountSettings(w http.ResponseWriter, r *http.Request, p *accountSettingsPage, status int) {
	p.Account = p.Current.Account
	c, err := s.db.Conn().CountUsers(r.Context(), p.Account.ID, 0, p.Account.Requirement(), s.now())
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.WithoutMFA, p.Users, p.NoOwnMFA, p.Overdue = c.Current-c.CurrentWithMFA, c.Current, !p.Current.User.HasMFA(), c.Overdue
	s.render(w, r, status, "account_settings", p)
}

// accountSettingsSubmit saves the requirement, grace and session limits.
func (s *Server) accountSettingsSubmit(w http.ResponseWriter, r *http.Request) {
	f := accountSettingsFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p := accountSettingsPage{Page: s.page(w, r, "Account settings", navAccountSettings), accountSettingsFields: f}
	in, err := f.settings()
	if err == nil {
		err = s.admin.SaveAuthSettings(r.Context(), s.actor(r), in)
	}
	if err != nil {
		if errors.Is(err, admin.ErrSetUpYourOwnMFA) || errors.Is(err, admin.ErrAddYourOwnPasskey) {
			// Nothing was saved: the switch shows the requirement as it is.
			p.RequireMFA, p.MFALevel = p.Current.Account.RequiresMFA(), levelOf(p.Current.Account.RequiresPhishingResistant())
		}
		s.renderAccountSettings(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	s.setFlash(w, "Authentication settings saved.")
	redirect(w, r, "/account/settings")
}

// levelOf is the value of the level's radio buttons.
func levelOf(strict bool) string {
	if strict {
		return padlock.MFALevelPhishingResistant
	}
	return padlock.MFALevelAny
}

// settings parses the form's numbers, reporting each bad one beside it.
func (f accountSettingsFields) settings() (admin.AuthSettings, error) {
	fe := padlock.FieldErrors{}
	number := func(field, value, msg string) int {
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 || n > 1_000_000 {
			fe.Add(field, msg)
		}
		return n
	}
	in := admin.AuthSettings{RequireMFA: f.RequireMFA}
	strict, err := padlock.ParseMFALevel(f.MFALevel)
	if err != nil {
		fe.Add("mfa_level", padlock.ErrorMessage(err))
	}
	in.PhishingResistant = strict
	in.GraceDays = number("grace_days", f.GraceDays, "Enter a whole number of days.")
	in.SessionIdle = time.Duration(number("session_idle", f.IdleMinutes, "Enter a whole number of minutes.")) * time.Minute
	in.SessionLifetime = time.Duration(number("session_lifetime", f.LifetimeHour, "Enter a whole number of hours.")) * time.Hour
	return in, fe.Err()
}
