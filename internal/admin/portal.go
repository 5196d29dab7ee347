package admin

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// PortalInput is the form of New and Edit on Account > Client portals.
type PortalInput struct {
	OrganizationID int64 // at creation only
	Name           string
	RequireMFA     bool
}

// mayManagePortals checks the actor's role: Administrators and Managers.
func mayManagePortals(actor auth.Actor) error {
	if actor.User == nil || actor.User.IsPortalUser() || !actor.User.Role.Can(padlock.PermManagePortals) {
		return padlock.Errorf(padlock.EFORBIDDEN, "You may not manage client portals.")
	}
	return nil
}

// CreatePortal opens a portal for one of the account's organizations.
func (s *Service) CreatePortal(ctx context.Context, actor auth.Actor, in PortalInput) (*padlock.Portal, error) {
	if err := mayManagePortals(actor); err != nil {
		return nil, err
	}
	name, err := padlock.NormalizeName("name", in.Name)
	if err != nil {
		return nil, err
	}
	var p *padlock.Portal
	err = s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		if _, err := tx.Organization(ctx, actor.User.AccountID, in.OrganizationID); err != nil {
			return padlock.FieldError("organization", "Choose one of your organizations.")
		}
		p = &padlock.Portal{AccountID: actor.User.AccountID, OrganizationID: in.OrganizationID, Name: name, CreatedAt: q.Now}
		if in.RequireMFA {
			p.MFARequiredAt = q.Now
		}
		if err := tx.CreatePortal(ctx, p); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, portalEvent(p, actor, padlock.EventPortalCreated, p.Name+requirementText(in.RequireMFA), q.Now))
	})
	return p, err
}

// UpdatePortal renames a portal and turns its requirement on or off; only
// an Administrator may turn it off.
// Turning it on applies at once to every portal user without MFA (who is
// emailed); turning it off leaves their MFA in place.
func (s *Service) UpdatePortal(ctx context.Context, actor auth.Actor, portalID int64, in PortalInput) error {
	if err := mayManagePortals(actor); err != nil {
		return err
	}
	name, err := padlock.NormalizeName("name", in.Name)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		p, err := tx.Portal(ctx, actor.User.AccountID, portalID)
		if err != nil {
			return err
		}
		if !in.RequireMFA && p.RequiresMFA() && actor.User.Role != padlock.RoleAdministrator {
			return padlock.FieldError("require_mfa", "Only an Administrator may turn off the MFA requirement.").WithCode(padlock.EFORBIDDEN)
		}
		turnedOn := in.RequireMFA && !p.RequiresMFA()
		switch {
		case turnedOn:
			p.MFARequiredAt = q.Now
		case !in.RequireMFA:
			p.MFARequiredAt = time.Time{}
		}
		p.Name = name
		if err := tx.UpdatePortal(ctx, p); err != nil {
			return err
		}
		if err := tx.RecordEvent(ctx, portalEvent(p, actor, padlock.EventPortalChanged, p.Name+requirementText(in.RequireMFA), q.Now)); err != nil {
			return err
		}
		if !turnedOn {
			return nil
		}
		if err := tx.SetPortalMFADeadlines(ctx, p.ID, q.Now); err != nil {
			return err
		}
		return s.noticePortalUsers(ctx, tx, q, p)
	})
}

func (s *Service) noticePortalUsers(ctx context.Context, tx *store.Queries, q *auth.MailQueue, p *padlock.Portal) error {
	users, err := tx.UsersWithoutMFA(ctx, p.AccountID, p.ID)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := q.Add(mail.MFARequiredNotice(u.Email, p.Name, time.Time{}, s.link(u, "/login"))); err != nil {
			return err
		}
	}
	return nil
}

// DeletePortal removes a portal with its users: their sessions end on every
// node at once. Nothing else of the account is touched.
func (s *Service) DeletePortal(ctx context.Context, actor auth.Actor, portalID int64) error {
	if err := mayManagePortals(actor); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		p, err := tx.Portal(ctx, actor.User.AccountID, portalID)
		if err != nil {
			return err
		}
		if err := tx.DeletePortal(ctx, p.AccountID, p.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, portalEvent(p, actor, padlock.EventPortalDeleted, p.Name, q.Now))
	})
}

// ResetPortalUserMFA is Reset MFA on a portal user's Edit page:
// Administrators and Managers may reset any portal user.
func (s *Service) ResetPortalUserMFA(ctx context.Context, actor auth.Actor, portalID, userID int64) error {
	if err := mayManagePortals(actor); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		u, err := tx.PortalUser(ctx, actor.User.AccountID, portalID, userID)
		if err != nil {
			return err
		}
		return s.resetMFA(ctx, tx, q, u, actor, actor.User.DisplayName())
	})
}

func portalEvent(p *padlock.Portal, actor auth.Actor, kind, detail string, at time.Time) padlock.Event {
	e := auth.Event(p.AccountID, actor, kind, 0, detail, at)
	e.PortalID = p.ID
	return e
}

func requirementText(on bool) string {
	if on {
		return "; MFA required"
	}
	return "; MFA not required"
}
