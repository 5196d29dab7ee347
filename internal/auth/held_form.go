package auth

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// A form sent by a session that must first set up or prove MFA is not
// carried out, but it is not lost either: it is held for that session, and
// the page it came from fills it in again once, after MFA, for the user to
// check and send again. It is never sent on the user's behalf.
//
// It is kept in the database, keyed by the session (as an enrollment is),
// sealed for the session's user: no other session or user can read it, it
// ends with its session (and goes over to the session that replaces it
// when MFA is set up or proved), it expires after heldFormTTL, and what it
// keeps is capped at MaxHeldForm. Passwords, codes, secrets, keys and
// tokens are never kept.

// purposeHeldForm binds a held form's ciphertext to its use.
const purposeHeldForm = "held form"

const (
	// heldFormTTL is how long a held form waits: as long as the setup of
	// MFA that it waits for.
	heldFormTTL = enrollmentTTL
	// MaxHeldForm caps what a held form keeps, in bytes of its encoded
	// values: more than the longest document and pasted metadata together.
	// A larger form keeps nothing but the page it came from.
	MaxHeldForm = 512 << 10
)

// HeldForm is a form sent while MFA had to come first.
type HeldForm struct {
	Page   string     // the path of the page the form is on
	Action string     // the path it was sent to
	Values url.Values // what was typed, without anything secret
}

// heldPayload is what is sealed; the page is stored beside it.
type heldPayload struct {
	Action string     `json:"action"`
	Values url.Values `json:"values"`
}

// KeepsField tells whether a held form keeps the field of that name: never
// one named like a password, a code, a secret, a key or a token (the
// password change form's "current" included).
func KeepsField(name string) bool {
	n := strings.ToLower(name)
	if n == "current" {
		return false
	}
	for _, secret := range []string{"pass", "code", "secret", "token", "key", "otp"} {
		if strings.Contains(n, secret) {
			return false
		}
	}
	return true
}

// HoldForm keeps f for the caller's session, in place of any form it held
// before, without the fields KeepsField refuses.
func (s *Service) HoldForm(ctx context.Context, c *Current, f HeldForm) error {
	kept := url.Values{}
	for name, vs := range f.Values {
		if KeepsField(name) {
			kept[name] = vs
		}
	}
	b, err := json.Marshal(heldPayload{Action: f.Action, Values: kept})
	if err != nil {
		return err
	}
	if len(b) > MaxHeldForm {
		if b, err = json.Marshal(heldPayload{Action: f.Action}); err != nil {
			return err
		}
	}
	return s.DB.Conn().HoldForm(ctx, c.Session.ID, &store.HeldForm{
		Page: f.Page, Sealed: s.Sealer.Seal(c.User.ID, purposeHeldForm, b), ExpiresAt: s.now().Add(heldFormTTL)})
}

// HeldForm returns the form the caller's session holds, or ErrNotFound.
func (s *Service) HeldForm(ctx context.Context, c *Current) (*HeldForm, error) {
	row, err := s.DB.Conn().HeldForm(ctx, c.Session.ID, s.now())
	if err != nil {
		return nil, err
	}
	return s.openHeldForm(c, row)
}

// TakeHeldForm returns the form the caller's session holds for page and
// forgets it, so the page fills it in once; ErrNotFound without one.
func (s *Service) TakeHeldForm(ctx context.Context, c *Current, page string) (*HeldForm, error) {
	// Most views of a page find nothing held: what Authenticate read with
	// the session answers them, with no statement of their own.
	if c.Session == nil || c.HeldPage != page {
		return nil, padlock.ErrNotFound
	}
	row, err := s.DB.Conn().TakeHeldForm(ctx, c.Session.ID, page, s.now())
	if err != nil {
		return nil, err
	}
	c.HeldPage = ""
	return s.openHeldForm(c, row)
}

// openHeldForm unseals a held form. One that does not open (sealed under
// another server key) is as good as none.
func (s *Service) openHeldForm(c *Current, row *store.HeldForm) (*HeldForm, error) {
	b, err := s.Sealer.Open(c.User.ID, purposeHeldForm, row.Sealed)
	var p heldPayload
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	if err != nil {
		s.Logger.Warn("a held form could not be read; it is dropped", "session_id", c.Session.ID, "err", err)
		return nil, padlock.ErrNotFound
	}
	return &HeldForm{Page: row.Page, Action: p.Action, Values: p.Values}, nil
}
