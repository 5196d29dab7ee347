package admin

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
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

// Invite creates invited users with the role, in the actor's account or,
// when portalID is not 0, in that client portal of it, and emails each a
// single-use link; it returns how many invitations it sent. Either every
// address is invited or none is.
//
// An address is one sign-in in the whole installation: its password and
// factors protect whatever it may enter, so exactly one tenant (an account,
// or a portal with its own administrators) controls them. An address that
// already has a user in this account, among its staff or in any of its
// portals, is refused beside the field without saying which; its owner is
// told by email and the refusal is recorded on the inviter's Activity. An
// address of another account gets the same answer as any invitation, so
// that no account learns who uses another: no user is created, nothing is
// recorded, and only its owner is told, by email.
func (s *Service) Invite(ctx context.Context, actor auth.Actor, portalID int64, emails []string, role padlock.Role) (int, error) {
	if err := mayInvite(actor, portalID, role); err != nil {
		return 0, err
	}
	if err := s.refuseTaken(ctx, actor, portalID, emails); err != nil {
		return 0, err
	}
	err := s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		inv, err := auth.InvitationTo(ctx, tx, actor.User.AccountID, portalID)
		if err != nil {
			return err
		}
		for _, e := range emails {
			inv.User = invitee(inv, e, role, q.Now)
			if err := s.inviteOne(ctx, tx, q, inv, actor); err != nil {
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

// mayInvite checks the actor's role: Administrators and Managers invite
// staff of lower rank to the account (an Administrator anyone), and people
// at the client to a portal with a portal role; a portal administrator
// invites to their own portal only, as Editor, Creator or Lite.
func mayInvite(actor auth.Actor, portalID int64, role padlock.Role) error {
	if portalID != 0 {
		if err := mayManagePortalUsers(actor, portalID); err != nil {
			return err
		}
		if !slices.Contains(actor.User.Role.AssignablePortalRoles(), role) {
			if isPortalAdmin(actor) {
				return padlock.FieldError("role", "Choose Editor, Creator or Lite.")
			}
			return padlock.FieldError("role", "Choose Portal administrator, Editor, Creator or Lite.")
		}
		return nil
	}
	if actor.User.IsPortalUser() || !actor.User.Role.Can(padlock.PermManageUsers) || !actor.User.Role.CanManage(role) {
		return padlock.FieldError("role", "You may not invite users with this role.")
	}
	return nil
}

// invitee is a new invited user of the account or portal, with the MFA
// deadline its requirement sets: the grace period of the account or of the
// portal, from now.
func invitee(inv *auth.Invitation, email string, role padlock.Role, now time.Time) *padlock.User {
	u := &padlock.User{AccountID: inv.Account.ID, Email: email, Role: role, Status: padlock.StatusInvited, CreatedAt: now}
	switch {
	case inv.Portal != nil:
		u.PortalID = inv.Portal.ID
		if inv.Portal.RequiresMFA() {
			u.MFADeadline = padlock.MFADeadline(inv.Portal.MFARequiredAt, now, inv.Portal.MFAGraceDays)
		}
	case inv.Account.RequiresMFA():
		u.MFADeadline = padlock.MFADeadline(inv.Account.MFARequiredAt, now, inv.Account.MFAGraceDays)
	}
	return u
}

// inviteOne creates inv.User and sends the invitation or, when the address
// already has a user anywhere, tells that user instead.
func (s *Service) inviteOne(ctx context.Context, tx *store.Queries, q *auth.MailQueue, inv *auth.Invitation, actor auth.Actor) error {
	created, err := tx.CreateUserIfNew(ctx, inv.User, "")
	if err != nil {
		return err
	}
	if !created {
		return tellExistingUser(ctx, tx, q, inv.User.Email, inv, actor)
	}
	return s.sendInvitation(ctx, tx, q, inv, actor)
}

// inviteNoticeEvery is how often at most the owner of an address is told
// that someone tried to invite it: whoever can invite could otherwise have
// Padlock mail any user of any account again and again.
const inviteNoticeEvery = 24 * time.Hour

// tellExistingUser tells the user who owns email that the actor tried to
// invite them, unless they were told within inviteNoticeEvery. The inviter
// sees the same either way.
func tellExistingUser(ctx context.Context, tx *store.Queries, q *auth.MailQueue, email string, inv *auth.Invitation, actor auth.Actor) error {
	ok, err := tx.ClaimInviteNotice(ctx, email, q.Now, q.Now.Add(-inviteNoticeEvery))
	if err != nil || !ok {
		return err
	}
	return q.Add(mail.InvitationToExistingUser(email, inv.Joining(), actor.User.DisplayName()))
}

// refuseTaken answers errTaken when any of the addresses already has a
// user in the actor's account, after telling each owner and recording the
// refusal, in a transaction of its own so that both remain.
func (s *Service) refuseTaken(ctx context.Context, actor auth.Actor, portalID int64, emails []string) error {
	var taken []string
	err := s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		var err error
		if taken, err = tx.EmailsTaken(ctx, actor.User.AccountID, emails); err != nil || len(taken) == 0 {
			return err
		}
		inv, err := auth.InvitationTo(ctx, tx, actor.User.AccountID, portalID)
		if err != nil {
			return err
		}
		for _, e := range taken {
			if err := tellExistingUser(ctx, tx, q, e, inv, actor); err != nil {
				return err
			}
			ev := auth.Event(inv.Account.ID, actor, padlock.EventInviteRefused, 0, e+": already has a Padlock sign-in", q.Now)
			if inv.Portal != nil {
				ev.PortalID = inv.Portal.ID
			}
			if err := tx.RecordEvent(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(taken) > 0 {
		return errTaken(taken)
	}
	return nil
}

// errTaken refuses addresses that already have a Padlock sign-in in the
// account, saying nothing of whether as staff or in which portal.
func errTaken(emails []string) error {
	if len(emails) == 1 {
		return padlock.FieldError("emails", emails[0]+" already has a Padlock sign-in here, as staff or in a client portal, so it cannot be invited again. Ask the person for another address; no invitation was sent.")
	}
	return padlock.FieldError("emails", "These addresses already have a Padlock sign-in here, as staff or in a client portal, so they cannot be invited again: "+strings.Join(emails, ", ")+". Ask for other addresses; no invitation was sent.")
}

// sendInvitation voids inv.User's earlier links and mails a new one.
func (s *Service) sendInvitation(ctx context.Context, tx *store.Queries, q *auth.MailQueue, inv *auth.Invitation, actor auth.Actor) error {
	u := inv.User
	if err := tx.VoidTokens(ctx, store.TokenInvitation, u.ID, q.Now); err != nil {
		return err
	}
	token, hash := auth.NewToken()
	expires := q.Now.Add(s.Config.InvitationTTL)
	if err := tx.CreateToken(ctx, store.TokenInvitation, u.ID, hash, q.Now, expires); err != nil {
		return err
	}
	m := mail.InvitationData{To: u.Email, Inviter: actor.User.DisplayName(), Account: inv.Account.Name,
		Link: s.link(u, "/invitation/"+token), Expires: expires}
	if inv.Portal != nil {
		m.Portal = inv.Portal.Name
	}
	if err := q.Add(mail.Invitation(m)); err != nil {
		return err
	}
	return tx.RecordEvent(ctx, auth.Event(inv.Account.ID, actor, padlock.EventInvited, u.ID, u.Email+" as "+u.Role.Label(), q.Now))
}

// ResendInvitation voids a pending invitation's link and sends a new one.
func (s *Service) ResendInvitation(ctx context.Context, actor auth.Actor, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		u, err := s.manageable(ctx, tx, actor, userID)
		if err != nil {
			return err
		}
		return s.resendInvitation(ctx, tx, q, u, actor)
	})
}

// resendInvitation sends invited user u a new link to their account or
// portal.
func (s *Service) resendInvitation(ctx context.Context, tx *store.Queries, q *auth.MailQueue, u *padlock.User, actor auth.Actor) error {
	if u.Status != padlock.StatusInvited {
		return padlock.Errorf(padlock.ECONFLICT, "%s has already accepted the invitation.", u.Email)
	}
	inv, err := auth.InvitationTo(ctx, tx, u.AccountID, u.PortalID)
	if err != nil {
		return err
	}
	inv.User = u
	return s.sendInvitation(ctx, tx, q, inv, actor)
}
