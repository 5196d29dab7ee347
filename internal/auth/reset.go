package auth

import (
	"context"
	"errors"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// RequestPasswordReset emails a single-use reset link to an active user.
// The caller shows the same answer whether or not the email is known.
func (s *Service) RequestPasswordReset(ctx context.Context, email, address string) error {
	email, err := padlock.NormalizeEmail(email)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		c, err := tx.CredentialsByEmail(ctx, email)
		if errors.Is(err, padlock.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		u := c.User
		if u.Status != padlock.StatusActive {
			return nil
		}
		if err := tx.VoidTokens(ctx, store.TokenReset, u.ID, q.Now); err != nil {
			return err
		}
		token, hash := NewToken()
		expires := q.Now.Add(s.Config.ResetTTL)
		if err := tx.CreateToken(ctx, store.TokenReset, u.ID, hash, q.Now, expires); err != nil {
			return err
		}
		if err := q.Add(mail.PasswordReset(u.Email, s.link(u, "/reset/"+token), expires)); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{Address: address}, padlock.EventPasswordResetRequested, u.ID, "", q.Now))
	})
}

// CheckResetLink tells whether a reset link can still be used.
func (s *Service) CheckResetLink(ctx context.Context, token string) error {
	if _, err := s.DB.Conn().PeekToken(ctx, store.TokenReset, HashToken(token), s.now()); err != nil {
		return errLinkInvalid
	}
	return nil
}

// ResetPassword sets a new password from a reset link. Every session of the
// user ends and no new one starts: the user signs in normally afterwards, so
// later sign-in steps cannot be skipped this way.
func (s *Service) ResetPassword(ctx context.Context, token, password, address string) error {
	t, err := s.DB.Conn().PeekToken(ctx, store.TokenReset, HashToken(token), s.now())
	if err != nil {
		return errLinkInvalid
	}
	u, err := s.DB.Conn().UserByID(ctx, t.UserID)
	if err != nil {
		return errLinkInvalid
	}
	if err := CheckPassword("password", password, u.Name, u.Email); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.UseToken(ctx, store.TokenReset, HashToken(token), q.Now); err != nil {
			return errLinkInvalid
		}
		if err := s.replacePassword(ctx, tx, q, u, hash, 0); err != nil {
			return err
		}
		// A reset proves control of the mailbox, which is what an unlock link
		// proves too.
		if err := tx.ClearFailedAttempts(ctx, u.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(u.AccountID, Actor{Address: address}, padlock.EventPasswordReset, u.ID, "reset link", q.Now))
	})
}

// replacePassword stores a new hash, ends every session but keep, and tells
// the user by email.
func (s *Service) replacePassword(ctx context.Context, tx *store.Queries, q *MailQueue, u *padlock.User, hash string, keep int64) error {
	if err := tx.SetPassword(ctx, u.ID, hash, true); err != nil {
		return err
	}
	if _, err := tx.DeleteUserSessions(ctx, u.ID, keep); err != nil {
		return err
	}
	if keep != 0 {
		if err := tx.SyncSessionCredentials(ctx, keep, u.ID); err != nil {
			return err
		}
	}
	return q.Add(mail.PasswordChanged(u.Email, q.Now))
}

// ChangePassword is My Settings > Password: the current password is checked
// and every other session of the user ends.
func (s *Service) ChangePassword(ctx context.Context, c *Current, current, next, address string) error {
	if err := s.confirmPassword(ctx, c, current, "current", "Your current password is not correct.", address); err != nil {
		return err
	}
	if err := CheckPassword("password", next, c.User.Name, c.User.Email); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if err := s.replacePassword(ctx, tx, q, c.User, hash, c.Session.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventPasswordChanged, c.User.ID, "", q.Now))
	})
}

// ChangeName is My Settings > Profile.
func (s *Service) ChangeName(ctx context.Context, c *Current, name, address string) error {
	name, err := padlock.NormalizeName("name", name)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if err := tx.SetUserName(ctx, c.User.ID, name); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, Event(c.User.AccountID, Actor{User: c.User, Address: address}, padlock.EventNameChanged, c.User.ID, "", q.Now))
	})
}
