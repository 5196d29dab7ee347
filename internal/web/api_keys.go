package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// apiKeysPage is Account > API keys: the account's keys, the form that
// makes one, and a key just made, shown this once.
type apiKeysPage struct {
	Page
	Keys    []*padlock.APIKey
	NewKey  string
	Made    *padlock.APIKey
	Key     *padlock.APIKey // the key a revocation asks about
	Name    string
	Access  string
	Expires string
	now     time.Time
}

// State is how the list describes a key: usable, revoked, expired, or
// suspended while its maker is not an active Administrator.
func (p apiKeysPage) State(k *padlock.APIKey) string {
	switch {
	case !k.RevokedAt.IsZero():
		return "Revoked"
	case !k.Usable(p.now):
		return "Expired"
	case k.Suspended():
		return "Suspended"
	}
	return "Active"
}

// ExpiryChoices are the expiries the form offers, in days; "" is never.
func (apiKeysPage) ExpiryChoices() []string { return []string{"", "30", "90", "365"} }

type apiKeyFields struct {
	Name    string `form:"name"`
	Access  string `form:"access"`
	Expires string `form:"expires_days"`
	Code    string `form:"code"`
}

func (s *Server) apiKeys(w http.ResponseWriter, r *http.Request) {
	p := apiKeysPage{Page: s.page(w, r, "API keys", navAPIKeys), Access: string(padlock.APIRead), Expires: "90"}
	s.renderAPIKeys(w, r, &p, http.StatusOK)
}

func (s *Server) renderAPIKeys(w http.ResponseWriter, r *http.Request, p *apiKeysPage, status int) {
	keys, err := s.db.Conn().APIKeys(r.Context(), currentFrom(r.Context()).User.AccountID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	p.Keys, p.now = keys, s.now()
	s.render(w, r, status, "api_keys", p)
}

// apiKeyCreate makes a key and shows it, once, on the page that answers
// the form: it is never stored, so it cannot be shown again.
func (s *Server) apiKeyCreate(w http.ResponseWriter, r *http.Request) {
	f := apiKeyFields{}
	if !s.readForm(w, r, &f) {
		return
	}
	p := apiKeysPage{Page: s.page(w, r, "API keys", navAPIKeys), Name: f.Name, Access: f.Access, Expires: f.Expires}
	days, err := expiryDays(f.Expires)
	var key string
	if err == nil {
		key, p.Made, err = s.auth.CreateAPIKey(r.Context(), currentFrom(r.Context()),
			auth.NewAPIKeyInput{Name: f.Name, Access: f.Access, ExpiresIn: days}, f.Code, s.clientAddress(r))
	}
	if err != nil {
		s.renderAPIKeys(w, r, &p, s.formError(r, &p.Page, err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	p.NewKey, p.Name, p.Access, p.Expires = key, "", string(padlock.APIRead), "90"
	s.renderAPIKeys(w, r, &p, http.StatusOK)
}

func expiryDays(v string) (int, error) {
	if v == "" || v == "0" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > padlock.MaxAPIKeyDays {
		return 0, padlock.FieldError("expires_days", "Choose an expiry from 1 to 730 days, or none.")
	}
	return n, nil
}

// apiKeyRevokeConfirm asks before revoking a key.
func (s *Server) apiKeyRevokeConfirm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var k *padlock.APIKey
	if err == nil {
		k, err = s.db.Conn().APIKey(r.Context(), currentFrom(r.Context()).User.AccountID, id)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	p := apiKeysPage{Page: s.page(w, r, "Revoke API key", navAPIKeys), Key: k}
	s.render(w, r, http.StatusOK, "api_key_revoke", p)
}

// apiKeyRevoke revokes a key: the next request made with it, on any node,
// is refused.
func (s *Server) apiKeyRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	var k *padlock.APIKey
	if err == nil {
		k, err = s.auth.RevokeAPIKey(r.Context(), currentFrom(r.Context()), id, s.clientAddress(r))
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.setFlash(w, "API key "+k.Name+" revoked. Requests made with it are refused from now on.")
	redirect(w, r, "/account/api-keys")
}
