package admin

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// A client's portal administrator manages the users of their own portal
// through the same services as the MSP's staff: invite, deactivate,
// reactivate, resend an invitation and reset MFA. Each service that admits
// them checks here, in its transaction, that the portal is theirs and the
// target one they may act on.

// isPortalAdmin reports whether the actor is a portal user whose role
// manages their portal's users.
func isPortalAdmin(actor auth.Actor) bool {
	return actor.User != nil && actor.User.IsPortalUser() && actor.User.Role.Can(padlock.PermManagePortalUsers)
}

// mayManagePortalUsers admits the staff who manage portals, for any portal
// of their account, and a portal administrator for their own portal only:
// another portal is "not found" to them, as it does not exist for them.
func mayManagePortalUsers(actor auth.Actor, portalID int64) error {
	if !isPortalAdmin(actor) {
		return mayManagePortals(actor)
	}
	if actor.User.PortalID != portalID {
		return padlock.ErrNotFound
	}
	return nil
}

// PortalAdminMayActOn refuses a portal administrator's action on themselves
// or on another portal administrator: those are for the MSP's staff. The
// web pages ask it too, to offer only the actions that would be taken.
func PortalAdminMayActOn(actor auth.Actor, u *padlock.User) error {
	switch {
	case !isPortalAdmin(actor):
		return nil
	case u.ID == actor.User.ID:
		return padlock.Errorf(padlock.ECONFLICT, "You cannot do this to your own user; ask your IT provider, or use My Settings.")
	case u.Role == padlock.RolePortalAdministrator:
		return padlock.Errorf(padlock.EFORBIDDEN, "Only your IT provider may change another portal administrator.")
	}
	return nil
}

// managedPortalUser loads a portal user for a lifecycle action that both
// the staff and the portal's own administrator may take, holding the
// account's row as every change of membership does.
func managedPortalUser(ctx context.Context, tx *store.Queries, actor auth.Actor, portalID, userID int64) (*padlock.Portal, *padlock.User, error) {
	if err := mayManagePortalUsers(actor, portalID); err != nil {
		return nil, nil, err
	}
	p, u, err := loadPortalUser(ctx, tx, actor, portalID, userID)
	if err != nil {
		return nil, nil, err
	}
	return p, u, PortalAdminMayActOn(actor, u)
}
