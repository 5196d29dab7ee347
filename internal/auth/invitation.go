package auth

import (
	"context"
	"strings"

	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// MaxInvitations bounds one submission of the invitation form.
const MaxInvitations = 50

// ParseEmails splits a list typed into a form (commas, spaces or lines) into
// normalized, distinct addresses.
func ParseEmails(field, raw string) ([]string, error) {
	if err := padlock.CheckText(field, raw, padlock.MultiLine, padlock.MaxListLen); err != nil {
		return nil, err
	}
	parts := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(parts) == 0 {
		return nil, padlock.FieldError(field, "Enter at least one email address.")
	}
	if len(parts) > MaxInvitations {
		return nil, padlock.FieldError(field, "Invite at most 50 people at a time.")
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		e, err := padlock.NormalizeEmail(p)
		if err != nil {
			return nil, padlock.FieldError(field, "“"+p+"” is not a valid email address.")
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

// Invite creates invited users with the role and emails each a single-use
// link; it returns how many invitations it sent. Either every address is
// invited or none is. An address that already has a Padlock user, in this
// account or any other, gets the same answer as any other: no user is
// created, nothing is recorded, and only its owner is told, by email.
func (s *Service) Invite(ctx context.Context, actor Actor, emails []string, role padlock.Role) (int, error) {
	if !actor.User.Role.Can(padlock.PermManageUsers) || !actor.User.Role.CanManage(role) {
		return 0, padlock.FieldError("role", "You may not invite users with this role.")
	}
	err := s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		acct, err := tx.Account(ctx, actor.User.AccountID)
		if err != nil {
			return err
		}
		for _, e := range emails {
			u := &padlock.User{AccountID: acct.ID, Email: e, Role: role, Status: padlock.StatusInvited, CreatedAt: q.now}
			if acct.RequiresMFA() {
				u.MFADeadline = padlock.MFADeadline(acct.MFARequiredAt, q.now, acct.MFAGraceDays)
			}
			if err := s.inviteOne(ctx, tx, q, acct, actor, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(emails), nil
}

// inviteOne creates the invited user and sends the invitation or, when the
// address already has a user anywhere, tells that user instead.
func (s *Service) inviteOne(ctx context.Context, tx *store.Tx, q *mailQueue, acct *padlock.Account, actor Actor, u *padlock.User) error {
	created, err := tx.CreateUserIfNew(ctx, u, "")
	if err != nil {
		return err
	}
	if !created {
		return q.add(mail.InvitationToExistingUser(u.Email, acct.Name, actor.User.DisplayName()))
	}
	return s.sendInvitation(ctx, tx, q, acct, actor, u)
}

func (s *Service) sendInvitation(ctx context.Context, tx *store.Tx, q *mailQueue, acct *padlock.Account, actor Actor, u *padlock.User) error {
	if err := tx.VoidTokens(ctx, store.TokenInvitation, u.ID, q.now); err != nil {
		return err
	}
	token, hash := NewToken()
	expires := q.now.Add(s.Config.InvitationTTL)
	if err := tx.CreateToken(ctx, store.TokenInvitation, u.ID, hash, q.now, expires); err != nil {
		return err
	}
	if err := q.add(mail.Invitation(u.Email, acct.Name, actor.User.DisplayName(), s.link(u, "/invitation/"+token), expires)); err != nil {
		return err
	}
	return tx.RecordEvent(ctx, event(acct.ID, actor, padlock.EventInvited, u.ID, u.Email+" as "+u.Role.Label(), q.now))
}

// ResendInvitation voids a pending invitation's link and sends a new one.
func (s *Service) ResendInvitation(ctx context.Context, actor Actor, userID int64) error {
	return s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		u, err := s.manageable(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		if u.Status != padlock.StatusInvited {
			return padlock.Errorf(padlock.ECONFLICT, "%s has already accepted the invitation.", u.Email)
		}
		acct, err := tx.Account(ctx, u.AccountID)
		if err != nil {
			return err
		}
		return s.sendInvitation(ctx, tx, q, acct, actor, u)
	})
}

// Invitation describes a pending invitation for its acceptance page.
type Invitation struct {
	User    *padlock.User
	Account *padlock.Account
	Portal  *padlock.Portal // for a portal user
}

// Joining is what the invitee joins: the portal, or the account.
func (inv *Invitation) Joining() string {
	if inv.Portal != nil {
		return inv.Portal.Name
	}
	return inv.Account.Name
}

// PeekInvitation returns the invitation a link names, without using it.
func (s *Service) PeekInvitation(ctx context.Context, token string) (*Invitation, error) {
	conn := s.DB.Conn()
	t, err := conn.PeekToken(ctx, store.TokenInvitation, HashToken(token), s.now())
	if err != nil {
		return nil, errLinkInvalid
	}
	u, err := conn.UserByID(ctx, t.UserID)
	if err != nil || u.Status != padlock.StatusInvited {
		return nil, errLinkInvalid
	}
	inv := &Invitation{User: u}
	if inv.Account, err = conn.Account(ctx, u.AccountID); err != nil {
		return nil, err
	}
	if u.IsPortalUser() {
		if inv.Portal, err = conn.PortalByID(ctx, u.PortalID); err != nil {
			return nil, err
		}
	}
	return inv, nil
}

// AcceptInvitation sets the invitee's name and password and activates them.
// It does not sign them in: they sign in like everyone else, so every later
// step of sign-in applies.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, password, address string) (*padlock.User, error) {
	inv, err := s.PeekInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	fe := padlock.FieldErrors{}
	if name, err = padlock.NormalizeName("name", name); err != nil {
		fe.Add("name", padlock.ErrorMessage(err))
	}
	if err := CheckPassword("password", password, name, inv.User.Email, inv.Account.Name); err != nil {
		fe.Add("password", padlock.ErrorMessage(err))
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *store.Tx, q *mailQueue) error {
		if _, err := tx.UseToken(ctx, store.TokenInvitation, HashToken(token), q.now); err != nil {
			return errLinkInvalid
		}
		if err := tx.ActivateUser(ctx, inv.User.ID, name, hash); err != nil {
			return errLinkInvalid
		}
		return tx.RecordEvent(ctx, event(inv.User.AccountID, Actor{User: inv.User, Address: address}, padlock.EventInviteAccepted, inv.User.ID, "", q.now))
	})
	return inv.User, err
}
