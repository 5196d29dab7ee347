package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// apiSettings is Account > Settings > Authentication.
type apiSettings struct {
	MFA                  apiRequirement `json:"mfa"`
	SessionIdleMinutes   int            `json:"session_idle_minutes"`
	SessionLifetimeHours int            `json:"session_lifetime_hours"`
}

func settingsOf(a *padlock.Account) apiSettings {
	return apiSettings{MFA: requirementOf(a.Requirement()),
		SessionIdleMinutes: int(a.SessionIdle / time.Minute), SessionLifetimeHours: int(a.SessionLifetime / time.Hour)}
}

func (s *Server) apiSettings(w http.ResponseWriter, r *http.Request) {
	if _, err := apiQuery(r); err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiSettings{"settings": settingsOf(currentFrom(r.Context()).Account)})
}

// apiSettingsChange is what PATCH /api/v1/settings may send; a field left
// out keeps its value.
type apiSettingsChange struct {
	RequireMFA           *bool   `json:"require_mfa"`
	MFALevel             *string `json:"mfa_level"`
	GraceDays            *int    `json:"grace_days"`
	SessionIdleMinutes   *int    `json:"session_idle_minutes"`
	SessionLifetimeHours *int    `json:"session_lifetime_hours"`
}

// apiSettingsUpdate changes the settings through the same service as the
// screen: the same limits, a Manager only tightening, and turning the
// requirement on, or raising it to phishing-resistant MFA, refused to a key
// (admin.ErrKeyCannotRequireMFA). A level left out keeps its value.
func (s *Server) apiSettingsUpdate(w http.ResponseWriter, r *http.Request) {
	var in apiSettingsChange
	if !s.readJSON(w, r, &in) {
		return
	}
	a := currentFrom(r.Context()).Account
	out := admin.AuthSettings{RequireMFA: a.RequiresMFA(), PhishingResistant: a.RequiresPhishingResistant(), GraceDays: a.MFAGraceDays,
		SessionIdle: a.SessionIdle, SessionLifetime: a.SessionLifetime}
	if err := apiLevel(in.MFALevel, &out.PhishingResistant); err != nil {
		s.error(w, r, err)
		return
	}
	if in.RequireMFA != nil {
		out.RequireMFA = *in.RequireMFA
	}
	if in.GraceDays != nil {
		out.GraceDays = *in.GraceDays
	}
	if in.SessionIdleMinutes != nil {
		out.SessionIdle = time.Duration(min(max(*in.SessionIdleMinutes, -1), 1<<20)) * time.Minute
	}
	if in.SessionLifetimeHours != nil {
		out.SessionLifetime = time.Duration(min(max(*in.SessionLifetimeHours, -1), 1<<20)) * time.Hour
	}
	if err := s.admin.SaveAuthSettings(r.Context(), s.actor(r), out); err != nil {
		s.error(w, r, renameFields(err, map[string]string{"session_idle": "session_idle_minutes", "session_lifetime": "session_lifetime_hours"}))
		return
	}
	acct, err := s.db.Conn().Account(r.Context(), a.ID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]apiSettings{"settings": settingsOf(acct)})
}

// renameFields gives a service's field errors the names of the API's
// fields.
func renameFields(err error, names map[string]string) error {
	var e *padlock.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	out := e.WithCode(e.Code)
	for i, f := range out.Fields {
		if n, ok := names[f.Field]; ok {
			out.Fields[i].Field = n
		}
	}
	return out
}
