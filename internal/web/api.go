package web

import (
	"net/http"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The JSON API under /api/v1: the same services, permission checks and
// audit events as the screens, for a session (the browser's own use) or an
// API key (api_auth.go). Lists page by an opaque cursor (api_paging.go).

type apiMeKey struct {
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	Access    string     `json:"access"`
	ExpiresAt *time.Time `json:"expires_at"`
}

type apiAccount struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// apiMe says who is calling: the signed-in user, or the API key.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	c := currentFrom(r.Context())
	out := map[string]any{"account": apiAccount{c.Account.ID, c.Account.Name}}
	if k := c.APIKey; k != nil {
		out["api_key"] = apiMeKey{Name: k.Name, Prefix: k.Prefix, Access: string(k.Access), ExpiresAt: timeOrNull(k.ExpiresAt)}
	} else {
		out["user"] = s.toAPIUser(c, c.User)
	}
	writeJSON(w, http.StatusOK, out)
}

// timeOrNull is a time in UTC, or null for none.
func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// apiUser is a user as the API shows them, staff or portal user, with
// their MFA as the users lists show it.
type apiUser struct {
	ID         int64      `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Status     string     `json:"status"`
	PortalID   *int64     `json:"portal_id"`
	MFA        apiMFA     `json:"mfa"`
	LastSignIn *time.Time `json:"last_sign_in"`
	CreatedAt  time.Time  `json:"created_at"`
}

// apiMFA is a user's MFA: whether they have it and which factors, and
// whether their account or portal requires it, by when, and whether that
// deadline has passed without MFA.
type apiMFA struct {
	Enabled  bool       `json:"enabled"`
	Factors  []string   `json:"factors"`
	Since    *time.Time `json:"since"`
	Required bool       `json:"required"`
	Deadline *time.Time `json:"deadline"`
	Overdue  bool       `json:"overdue"`
}

// toAPIUser shows u with the requirement of their list: the account's for
// staff, their portal's for a portal user (required says which applies).
func (s *Server) toAPIUser(c *auth.Current, u *padlock.User) apiUser {
	r := c.Account.Requirement()
	if u.IsPortalUser() {
		r = padlock.Requirement{}
		if c.Portal != nil && c.Portal.ID == u.PortalID {
			r = c.Portal.Requirement()
		}
	}
	return toAPIUserWith(u, r, s.now())
}

// toAPIUserWith shows u under the requirement r of their list. The
// deadline is r's for u: to set up MFA, or at the strict level for a user
// with only an app, to add a passkey.
func toAPIUserWith(u *padlock.User, r padlock.Requirement, now time.Time) apiUser {
	a := apiUser{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Status: string(u.Status),
		LastSignIn: timeOrNull(u.LastSignIn), CreatedAt: u.CreatedAt.UTC()}
	if u.IsPortalUser() {
		id := u.PortalID
		a.PortalID = &id
	}
	a.MFA = apiMFA{Enabled: u.HasMFA(), Factors: []string{}, Since: timeOrNull(u.MFASince), Required: !r.RequiredAt.IsZero(),
		Overdue: u.MFAOverdue(r, now)}
	if u.HasTOTP() {
		a.MFA.Factors = append(a.MFA.Factors, "totp")
	}
	if u.HasPasskey() {
		a.MFA.Factors = append(a.MFA.Factors, "passkey")
	}
	if deadline, ok := r.Deadline(u); ok {
		a.MFA.Deadline = timeOrNull(deadline)
	}
	return a
}
