package admin

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// The lifecycle of a portal user, for the account's Administrators and
// Managers, as Deactivate, Reactivate, SetRole and ResendInvitation are for
// its staff. The user is told by email of what changes their access. The
// portal's own administrator may deactivate, reactivate and re-invite its
// other users (portal_admin.go); roles and deletion stay with the staff.

// portalUser loads a user of one portal of the actor's account for the
// staff (see loadPortalUser).
func portalUser(ctx context.Context, tx *store.Queries, actor auth.Actor, portalID, userID int64) (*padlock.Portal, *padlock.User, error) {
	if err := mayManagePortals(actor); err != nil {
		return nil, nil, err
	}
	return loadPortalUser(ctx, tx, actor, portalID, userID)
}

// loadPortalUser loads a user of one portal of the actor's account, with
// the portal, holding the account's row as every change of membership does:
// another account's, another portal's or a staff user is "not found". The
// caller has checked the actor's permission.
func loadPortalUser(ctx context.Context, tx *store.Queries, actor auth.Actor, portalID, userID int64) (*padlock.Portal, *padlock.User, error) {
	if err := tx.LockAccount(ctx, actor.User.AccountID); err != nil {
		return nil, nil, err
	}
	p, err := tx.Portal(ctx, actor.User.AccountID, portalID)
	if err != nil {
		return nil, nil, err
	}
	u, err := tx.PortalUser(ctx, p.AccountID, p.ID, userID)
	return p, u, err
}

// DeactivatePortalUser stops a portal user from signing in and ends all their
// sessions at once, on every node; one who had accepted their invitation is
// told by email.
func (s *Service) DeactivatePortalUser(ctx context.Context, actor auth.Actor, portalID, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		p, u, err := managedPortalUser(ctx, tx, actor, portalID, userID)
		if err != nil || u.Status == padlock.StatusDeactivated {
			return err
		}
		if err := tx.SetUserStatus(ctx, u.AccountID, u.ID, padlock.StatusDeactivated); err != nil {
			return err
		}
		if _, err := tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
			return err
		}
		if err := tx.VoidTokens(ctx, store.TokenInvitation, u.ID, q.Now); err != nil {
			return err
		}
		if u.Status == padlock.StatusActive {
			if err := q.Add(mail.AccessDeactivated(u.Email, p.Name, actor.User.DisplayName())); err != nil {
				return err
			}
		}
		return tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventDeactivated, u.ID, "", q.Now))
	})
}

// ReactivatePortalUser lets a deactivated portal user sign in again and
// tells them so. One who never accepted their invitation goes back to
// "invited" and needs a new link (ResendPortalInvitation).
func (s *Service) ReactivatePortalUser(ctx context.Context, actor auth.Actor, portalID, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		p, u, err := managedPortalUser(ctx, tx, actor, portalID, userID)
		if err != nil || u.Status != padlock.StatusDeactivated {
			return err
		}
		status, err := reactivate(ctx, tx, u)
		if err != nil {
			return err
		}
		if status == padlock.StatusActive {
			link, err := s.signInLink(ctx, tx, u)
			if err != nil {
				return err
			}
			if err := q.Add(mail.AccessReactivated(u.Email, p.Name, actor.User.DisplayName(), link)); err != nil {
				return err
			}
		}
		return tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventReactivated, u.ID, "", q.Now))
	})
}

// SetPortalUserRole gives a portal user another portal role and tells them.
func (s *Service) SetPortalUserRole(ctx context.Context, actor auth.Actor, portalID, userID int64, role padlock.Role) error {
	if !role.IsPortalRole() {
		return padlock.FieldError("role", "Choose Portal administrator, Editor, Creator or Lite.")
	}
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		p, u, err := portalUser(ctx, tx, actor, portalID, userID)
		if err != nil || u.Role == role {
			return err
		}
		if err := tx.SetUserRole(ctx, u.AccountID, u.ID, role); err != nil {
			return err
		}
		if err := q.Add(mail.RoleChanged(u.Email, p.Name, actor.User.DisplayName(), u.Role, role)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventRoleChanged, u.ID, u.Role.Label()+" → "+role.Label(), q.Now))
	})
}

// ResendPortalInvitation voids a portal user's pending invitation link and
// sends a new one.
func (s *Service) ResendPortalInvitation(ctx context.Context, actor auth.Actor, portalID, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		_, u, err := managedPortalUser(ctx, tx, actor, portalID, userID)
		if err != nil {
			return err
		}
		return s.resendInvitation(ctx, tx, q, u, actor)
	})
}

// DeletePortalUser removes a portal user with their sessions (on every node
// at once), links and factors. The audit events about them stay, and the
// address may be invited again.
func (s *Service) DeletePortalUser(ctx context.Context, actor auth.Actor, portalID, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		p, u, err := portalUser(ctx, tx, actor, portalID, userID)
		if err != nil {
			return err
		}
		e := portalEvent(p, actor, padlock.EventUserDeleted, u.Email+" ("+u.Role.Label()+")", q.Now)
		e.TargetID = u.ID
		if err := tx.RecordEvent(ctx, e); err != nil {
			return err
		}
		return tx.DeletePortalUser(ctx, p.AccountID, p.ID, u.ID)
	})
}
