package docs

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// CreateOrganization adds a client organization to the actor's account.
// Organizations are the account's: a portal user never adds one.
func (s *Service) CreateOrganization(ctx context.Context, actor auth.Actor, name string) (*padlock.Organization, error) {
	if err := permit(actor, padlock.PermManageOrganizations); err != nil {
		return nil, err
	}
	if actor.User.IsPortalUser() {
		return nil, padlock.ErrNoAccess
	}
	name, err := padlock.NormalizeName("name", name)
	if err != nil {
		return nil, err
	}
	var o *padlock.Organization
	err = s.DB.InTx(ctx, func(tx *store.Queries) error {
		now := s.now()
		o = &padlock.Organization{AccountID: actor.User.AccountID, Name: name, CreatedAt: now}
		if err := tx.CreateOrganization(ctx, o); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, event(actor, padlock.EventOrganizationCreated, o.Name, now))
	})
	return o, err
}
