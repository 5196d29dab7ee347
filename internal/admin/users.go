package admin

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// manageable loads a user of the actor's account that the actor may manage:
// another account's user is "not found", one the actor outranks not is
// "forbidden".
func (s *Service) manageable(ctx context.Context, tx *store.Queries, actor auth.Actor, userID int64) (*padlock.User, error) {
	if !actor.User.Role.Can(padlock.PermManageUsers) {
		return nil, padlock.Errorf(padlock.EFORBIDDEN, "You may not manage users.")
	}
	if err := tx.LockAccount(ctx, actor.User.AccountID); err != nil {
		return nil, err
	}
	u, err := tx.User(ctx, actor.User.AccountID, userID)
	if err != nil {
		return nil, err
	}
	if !actor.User.Role.CanManage(u.Role) {
		return nil, padlock.Errorf(padlock.EFORBIDDEN, "Only an Administrator may change an Administrator.")
	}
	return u, nil
}

// keepAnAdministrator refuses a change that would leave the account without
// an active Administrator.
func keepAnAdministrator(ctx context.Context, tx *store.Queries, u *padlock.User) error {
	if u.Role != padlock.RoleAdministrator || u.Status != padlock.StatusActive {
		return nil
	}
	n, err := tx.CountAdministrators(ctx, u.AccountID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return padlock.Errorf(padlock.ECONFLICT, "The account needs at least one active Administrator.")
	}
	return nil
}

// SetRole changes another user's role.
func (s *Service) SetRole(ctx context.Context, actor auth.Actor, userID int64, role padlock.Role) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		u, err := s.manageable(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		if !actor.User.Role.CanManage(role) {
			return padlock.FieldError("role", "You may not give this role.")
		}
		if u.Role == role {
			return nil
		}
		if role != padlock.RoleAdministrator {
			if err := keepAnAdministrator(ctx, tx, u); err != nil {
				return err
			}
		}
		if err := tx.SetUserRole(ctx, u.AccountID, u.ID, role); err != nil {
			return err
		}
		if err := tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventRoleChanged, u.ID, u.Role.Label()+" → "+role.Label(), q.Now)); err != nil {
			return err
		}
		after := *u
		after.Role = role
		return recordMakersKeys(ctx, tx, actor, u, &after, q.Now)
	})
}

// Deactivate stops a user from signing in and ends all their sessions at
// once, on every node.
func (s *Service) Deactivate(ctx context.Context, actor auth.Actor, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		u, err := s.manageable(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		if u.ID == actor.User.ID {
			return padlock.Errorf(padlock.ECONFLICT, "You cannot deactivate yourself.")
		}
		if u.Status == padlock.StatusDeactivated {
			return nil
		}
		if err := keepAnAdministrator(ctx, tx, u); err != nil {
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
		if err := tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventDeactivated, u.ID, "", q.Now)); err != nil {
			return err
		}
		after := *u
		after.Status = padlock.StatusDeactivated
		return recordMakersKeys(ctx, tx, actor, u, &after, q.Now)
	})
}

// Reactivate lets a deactivated user sign in again. A user who never
// accepted their invitation goes back to "invited" and needs a new link.
func (s *Service) Reactivate(ctx context.Context, actor auth.Actor, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		u, err := s.manageable(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		if u.Status != padlock.StatusDeactivated {
			return nil
		}
		status, err := reactivate(ctx, tx, u)
		if err != nil {
			return err
		}
		if err := tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventReactivated, u.ID, "", q.Now)); err != nil {
			return err
		}
		after := *u
		after.Status = status
		return recordMakersKeys(ctx, tx, actor, u, &after, q.Now)
	})
}

// reactivate lets a deactivated user in again: active when they had joined
// (they have a password), invited again when they never accepted their
// invitation. It returns the status they now have.
func reactivate(ctx context.Context, tx *store.Queries, u *padlock.User) (padlock.UserStatus, error) {
	hash, err := tx.PasswordHash(ctx, u.ID)
	if err != nil {
		return "", err
	}
	status := padlock.StatusActive
	if hash == "" {
		status = padlock.StatusInvited
	}
	return status, tx.SetUserStatus(ctx, u.AccountID, u.ID, status)
}
