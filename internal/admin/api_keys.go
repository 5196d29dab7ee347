package admin

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// An API key works on the authority of the Administrator who made it, for
// as long as they are an active Administrator of the account: the check is
// made on every request (auth.AuthenticateAPIKey), from the users table as
// it is then. What is recorded here is the audit trail of the changes that
// suspend a maker's keys or let them work again, in the transaction of the
// change itself.

// activeAdministrator tells whether u may make and back API keys.
func activeAdministrator(u *padlock.User) bool {
	return !u.IsPortalUser() && u.Role == padlock.RoleAdministrator && u.Status == padlock.StatusActive
}

// recordMakersKeys audits, for each usable key u made, that the change of
// u from before to after suspended it or let it work again; nothing when
// u's standing as an active Administrator did not change.
func recordMakersKeys(ctx context.Context, tx *store.Queries, actor auth.Actor, before, after *padlock.User, at time.Time) error {
	was, is := activeAdministrator(before), activeAdministrator(after)
	if was == is {
		return nil
	}
	keys, err := tx.APIKeysMadeBy(ctx, before.AccountID, before.ID, at)
	if err != nil {
		return err
	}
	kind, why := padlock.EventAPIKeySuspended, ": its maker is no longer an active Administrator"
	if is {
		kind, why = padlock.EventAPIKeyResumed, ": its maker is an active Administrator again"
	}
	for _, k := range keys {
		if err := tx.RecordEvent(ctx, auth.Event(before.AccountID, actor, kind, before.ID, k.Name+why, at)); err != nil {
			return err
		}
	}
	return nil
}
