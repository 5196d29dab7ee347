package admin

import (
	"context"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// Reminders to set up MFA: "Send reminder" on a user without MFA and
// "Remind all without MFA" on Account > Users and on a portal's users. Each
// reminder is an email with the user's deadline and an audit event, and a
// user gets at most one a day (padlock.MFAReminderInterval), counted in the
// database so that the limit holds across nodes.

// Reminded is what a "Remind all without MFA" did.
type Reminded struct {
	Sent int
	// Recent counts the users skipped for having been reminded less than a
	// day ago.
	Recent int
	// NotYours counts the users without MFA whose rank the actor may not
	// manage (a Manager reminds only users below Manager).
	NotYours int
}

// ErrRemindedRecently refuses a second reminder to a user within a day.
var ErrRemindedRecently = padlock.Errorf(padlock.ECONFLICT, "This user was reminded less than a day ago. Padlock sends each user at most one reminder a day.")

// remindedList is the requirement a list's users are reminded of: the
// account's for the staff, their portal's for portal users.
type remindedList struct {
	name        string
	requirement padlock.Requirement
	signIn      string // the sign-in page of the list's users (auth.SignInPath)
}

// RemindUser emails a member of the account's staff who has no MFA a
// reminder to set it up, and returns them. The actor must be able to manage
// the user (see padlock.Role.CanManage); another account's user is "not
// found".
func (s *Service) RemindUser(ctx context.Context, actor auth.Actor, userID int64) (*padlock.User, error) {
	if err := mayRemindStaff(actor); err != nil {
		return nil, err
	}
	var u *padlock.User
	err := s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		if err := tx.LockAccount(ctx, actor.User.AccountID); err != nil {
			return err
		}
		var err error
		if u, err = tx.User(ctx, actor.User.AccountID, userID); err != nil {
			return err
		}
		if !actor.User.Role.CanManage(u.Role) {
			return padlock.Errorf(padlock.EFORBIDDEN, "Only an Administrator may remind a user of your rank or above.")
		}
		acct, err := tx.Account(ctx, u.AccountID)
		if err != nil {
			return err
		}
		return s.remindOne(ctx, tx, q, actor, u, remindedList{acct.Name, acct.Requirement(), "/login"})
	})
	return u, err
}

// RemindPortalUser emails a user of one of the account's portals who has no
// MFA a reminder to set it up, and returns them.
func (s *Service) RemindPortalUser(ctx context.Context, actor auth.Actor, portalID, userID int64) (*padlock.User, error) {
	if err := mayManagePortals(actor); err != nil {
		return nil, err
	}
	var u *padlock.User
	err := s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		if err := tx.LockAccount(ctx, actor.User.AccountID); err != nil {
			return err
		}
		p, err := tx.Portal(ctx, actor.User.AccountID, portalID)
		if err != nil {
			return err
		}
		if u, err = tx.PortalUser(ctx, p.AccountID, p.ID, userID); err != nil {
			return err
		}
		l, err := portalReminded(ctx, tx, p)
		if err != nil {
			return err
		}
		return s.remindOne(ctx, tx, q, actor, u, l)
	})
	return u, err
}

// remindOne reminds one user, refusing one who needs no reminder or was
// reminded less than a day ago.
func (s *Service) remindOne(ctx context.Context, tx *store.Queries, q *auth.MailQueue, actor auth.Actor, u *padlock.User, l remindedList) error {
	switch {
	case !l.requirement.Lacking(u) && u.HasPasskey():
		return padlock.Errorf(padlock.ECONFLICT, "%s has already added a passkey or security key.", u.Email)
	case !l.requirement.Lacking(u):
		return padlock.Errorf(padlock.ECONFLICT, "%s has already set up MFA.", u.Email)
	case u.Status == padlock.StatusInvited:
		return padlock.Errorf(padlock.ECONFLICT, "%s has not accepted their invitation yet: resend the invitation instead.", u.Email)
	case u.Status != padlock.StatusActive:
		return padlock.Errorf(padlock.ECONFLICT, "%s is deactivated and cannot sign in.", u.Email)
	}
	ok, err := tx.ClaimReminder(ctx, u.ID, q.Now, q.Now.Add(-padlock.MFAReminderInterval))
	if err != nil {
		return err
	}
	if !ok {
		return ErrRemindedRecently
	}
	return s.sendReminder(ctx, tx, q, actor, u, l)
}

// RemindAll emails every active user without MFA of the account's staff
// (portalID 0) or of one of its portals a reminder, except those reminded
// less than a day ago and, for a Manager, staff of Manager rank or above.
func (s *Service) RemindAll(ctx context.Context, actor auth.Actor, portalID int64) (Reminded, error) {
	var out Reminded
	check := mayRemindStaff
	if portalID != 0 {
		check = mayManagePortals
	}
	if err := check(actor); err != nil {
		return out, err
	}
	err := s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		// The account's row first: two "Remind all" of one account take
		// turns, and claim the same users' rows in no conflicting order.
		if err := tx.LockAccount(ctx, actor.User.AccountID); err != nil {
			return err
		}
		list, l, err := remindList(ctx, tx, actor, portalID)
		if err != nil {
			return err
		}
		all, mine, err := tx.CountRemindable(ctx, list)
		if err != nil {
			return err
		}
		users, err := tx.ClaimReminders(ctx, list, q.Now, q.Now.Add(-padlock.MFAReminderInterval))
		if err != nil {
			return err
		}
		for _, u := range users {
			if err := s.sendReminder(ctx, tx, q, actor, u, l); err != nil {
				return err
			}
		}
		out = Reminded{Sent: len(users), Recent: mine - len(users), NotYours: all - mine}
		return nil
	})
	return out, err
}

// remindList names the users a "Remind all" of the actor reaches, with
// their requirement.
func remindList(ctx context.Context, tx *store.Queries, actor auth.Actor, portalID int64) (store.ReminderList, remindedList, error) {
	list := store.ReminderList{AccountID: actor.User.AccountID, PortalID: portalID}
	if portalID != 0 {
		p, err := tx.Portal(ctx, actor.User.AccountID, portalID)
		if err != nil {
			return list, remindedList{}, err
		}
		list.PasskeyOnly = p.Requirement().Strict()
		l, err := portalReminded(ctx, tx, p)
		return list, l, err
	}
	acct, err := tx.Account(ctx, actor.User.AccountID)
	if err != nil {
		return list, remindedList{}, err
	}
	list.Roles, list.PasskeyOnly = actor.User.Role.AssignableRoles(), acct.Requirement().Strict()
	return list, remindedList{acct.Name, acct.Requirement(), "/login"}, nil
}

// portalReminded is the requirement and sign-in page a portal's users are
// reminded of.
func portalReminded(ctx context.Context, tx *store.Queries, p *padlock.Portal) (remindedList, error) {
	signIn, err := auth.SignInPath(ctx, tx, p.AccountID, p.ID)
	return remindedList{p.Name, p.Requirement(), signIn}, err
}

// sendReminder queues the reminder to u and records it. A user who has
// MFA yet needs a reminder is asked for a passkey by the strict level's
// deadline.
func (s *Service) sendReminder(ctx context.Context, tx *store.Queries, q *auth.MailQueue, actor auth.Actor, u *padlock.User, l remindedList) error {
	m := mail.ReminderData{To: u.Email, From: actor.User.DisplayName(), Of: l.name, Required: !l.requirement.RequiredAt.IsZero(),
		Deadline: u.MFADeadline, Passkey: u.HasMFA(), Now: q.Now, SignIn: s.link(u, l.signIn)}
	if m.Passkey {
		m.Deadline, _ = l.requirement.Deadline(u)
	}
	if err := q.Add(mail.MFAReminder(m)); err != nil {
		return err
	}
	return tx.RecordEvent(ctx, auth.Event(u.AccountID, actor, padlock.EventMFAReminder, u.ID, reminderDetail(m), q.Now))
}

// reminderDetail is the deadline a reminder gave, for the audit log.
func reminderDetail(m mail.ReminderData) string {
	switch {
	case !m.Required:
		return "MFA not required"
	case m.Deadline.IsZero():
		return "overdue"
	case m.Now.Before(m.Deadline) && m.Passkey:
		return "must add a passkey by " + m.Deadline.UTC().Format("2 Jan 2006 15:04 UTC")
	case m.Now.Before(m.Deadline):
		return "must set up by " + m.Deadline.UTC().Format("2 Jan 2006 15:04 UTC")
	case m.Passkey:
		return "passkey overdue since " + m.Deadline.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	return "overdue since " + m.Deadline.UTC().Format("2 Jan 2006 15:04 UTC")
}

// mayRemindStaff checks the actor's role for reminders to the account's
// staff: whoever may manage users.
func mayRemindStaff(actor auth.Actor) error {
	if actor.User == nil || actor.User.IsPortalUser() || !actor.User.Role.Can(padlock.PermManageUsers) {
		return padlock.Errorf(padlock.EFORBIDDEN, "You may not manage users.")
	}
	return nil
}
