package auth

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// InvitationTo loads what an invitation joins: the account or, when
// portalID is not 0, that portal of it. The admin service fills in its
// User to send the invitation.
func InvitationTo(ctx context.Context, db *store.Queries, accountID, portalID int64) (*Invitation, error) {
	inv := &Invitation{}
	var err error
	if inv.Account, err = db.Account(ctx, accountID); err != nil {
		return nil, err
	}
	if portalID != 0 {
		if inv.Portal, err = db.Portal(ctx, accountID, portalID); err != nil {
			return nil, err
		}
	}
	return inv, nil
}

// Invitation is one invitation: the invitee, and the account or portal of
// it they join. The admin service's Invite fills one in to send it,
// PeekInvitation to show it on the acceptance page.
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
	inv, err := InvitationTo(ctx, conn, u.AccountID, u.PortalID)
	if err != nil {
		return nil, err
	}
	inv.User = u
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
	err = s.inTx(ctx, func(tx *store.Queries, q *MailQueue) error {
		if _, err := tx.UseToken(ctx, store.TokenInvitation, HashToken(token), q.Now); err != nil {
			return errLinkInvalid
		}
		if err := tx.ActivateUser(ctx, inv.User.ID, name, hash); err != nil {
			return errLinkInvalid
		}
		return tx.RecordEvent(ctx, Event(inv.User.AccountID, Actor{User: inv.User, Address: address}, padlock.EventInviteAccepted, inv.User.ID, "", q.Now))
	})
	return inv.User, err
}
