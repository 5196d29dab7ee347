package admin

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// ResetMFA removes every factor and recovery code of another user, ends all
// their sessions and pending sign-ins on every node, and emails them. They
// set MFA up again at their next sign-in (forced if the account requires
// it: no new grace period).
func (s *Service) ResetMFA(ctx context.Context, actor auth.Actor, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		if !actor.User.Role.Can(padlock.PermManageUsers) {
			return padlock.Errorf(padlock.EFORBIDDEN, "You may not reset MFA.")
		}
		u, err := tx.User(ctx, actor.User.AccountID, userID)
		if err != nil {
			return err
		}
		if u.ID == actor.User.ID {
			return padlock.Errorf(padlock.ECONFLICT, "You cannot reset your own MFA; another administrator can, or use My Settings > MFA.")
		}
		if !actor.User.Role.CanResetMFA(u.Role) {
			return padlock.Errorf(padlock.EFORBIDDEN, "Only an Administrator may reset an Administrator's MFA.")
		}
		return s.resetMFA(ctx, tx, q, u, actor, actor.User.DisplayName())
	})
}

// ResetMFAByOperator is the break-glass path of `padlock user reset-mfa`:
// the server's operator resets anyone, audited as done from the command line.
func (s *Service) ResetMFAByOperator(ctx context.Context, email string) (*padlock.User, error) {
	return s.asOperator(ctx, email, func(tx *store.Queries, q *auth.MailQueue, u *padlock.User) error {
		return s.resetMFA(ctx, tx, q, u, auth.Operator, "The server's operator")
	})
}

func (s *Service) resetMFA(ctx context.Context, tx *store.Queries, q *auth.MailQueue, u *padlock.User, actor auth.Actor, by string) error {
	if err := tx.DeleteFactors(ctx, u.ID); err != nil {
		return err
	}
	if err := tx.ResetCredentials(ctx, u.ID); err != nil {
		return err
	}
	if _, err := tx.DeleteUserSessions(ctx, u.ID, 0); err != nil {
		return err
	}
	if err := tx.SetMFAReset(ctx, u.ID, q.Now); err != nil {
		return err
	}
	if err := q.Add(mail.MFAResetNotice(u.Email, by, q.Now)); err != nil {
		return err
	}
	detail := "by " + by
	if actor.User != nil && actor.Key == nil {
		detail = "by " + actor.User.Email
	}
	return tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventMFAReset, u.ID, detail, q.Now))
}
