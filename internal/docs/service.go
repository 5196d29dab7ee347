// Package docs writes what the account documents: organizations and their
// documents. Every write is one transaction with its audit event, naming
// the user who made it; reads go straight to the store.
package docs

import (
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Service carries out changes to organizations and documents for the
// account's staff and for portal users.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

// NewService returns a Service on the clock now.
func NewService(db *store.DB, now func() time.Time) *Service {
	return &Service{DB: db, Now: now}
}

func (s *Service) now() time.Time { return s.Now().Truncate(time.Second) }

// permit refuses an actor whose role lacks p, with the answer the route
// table gives: the routes check first, this is the second line.
func permit(actor auth.Actor, p padlock.Permission) error {
	if actor.User == nil || actor.User.Status != padlock.StatusActive {
		return padlock.ErrNoAccess
	}
	return actor.User.Role.Permit(p)
}

// event is an audit event of the actor's account; a portal user's event is
// attributed to their portal, like every other event of a portal user.
func event(actor auth.Actor, kind, detail string, at time.Time) padlock.Event {
	e := auth.Event(actor.User.AccountID, actor, kind, 0, detail, at)
	e.PortalID = actor.User.PortalID
	return e
}
