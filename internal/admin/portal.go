package admin

import (
	"context"
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// PortalInput is the form of New and Edit on Account > Client portals.
type PortalInput struct {
	OrganizationID int64 // at creation only
	Name           string
	RequireMFA     bool
	// PhishingResistant is the strict level, as the account's.
	PhishingResistant bool
	// GraceDays gives the portal's users without MFA this long to set it
	// up, as the account's grace period does.
	GraceDays int
}

// validate normalizes the name and checks the grace, reporting both.
func (in *PortalInput) validate() error {
	fe := padlock.FieldErrors{}
	name, err := padlock.NormalizeName("name", in.Name)
	if err != nil {
		fe.Add("name", padlock.ErrorMessage(err))
	}
	in.Name = name
	if in.GraceDays < 0 || in.GraceDays > padlock.MaxGraceDays {
		fe.Add("grace_days", fmt.Sprintf("Enter a number of days from 0 to %d.", padlock.MaxGraceDays))
	}
	return fe.Err()
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
	if err := in.validate(); err != nil {
		return nil, err
	}
	var p *padlock.Portal
	err := s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		if _, err := tx.Organization(ctx, actor.User.AccountID, in.OrganizationID); err != nil {
			return padlock.FieldError("organization", "Choose one of your organizations.")
		}
		p = &padlock.Portal{AccountID: actor.User.AccountID, OrganizationID: in.OrganizationID, Name: in.Name, MFAGraceDays: in.GraceDays, CreatedAt: q.Now}
		if in.RequireMFA {
			p.MFARequiredAt = q.Now
			p.MFAStrictAt = padlock.NextStrictAt(time.Time{}, true, in.PhishingResistant, q.Now)
		}
		if err := tx.CreatePortal(ctx, p); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, portalEvent(p, actor, padlock.EventPortalCreated, p.Name+requirementText(p), q.Now))
	})
	return p, err
}

// UpdatePortal renames a portal and sets its requirement and grace period.
// As for the account, a Manager may only tighten them: turn the requirement
// on, shorten the grace. Turning it off or lengthening the grace is for
// Administrators.
// Turning it on gives every portal user without MFA their deadline and
// emails them; changing the grace moves the deadlines; turning it off
// leaves their MFA in place.
func (s *Service) UpdatePortal(ctx context.Context, actor auth.Actor, portalID int64, in PortalInput) error {
	if err := mayManagePortals(actor); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		p, err := tx.Portal(ctx, actor.User.AccountID, portalID)
		if err != nil {
			return err
		}
		if err := mayChangePortal(actor, p, in); err != nil {
			return err
		}
		was := *p
		turnedOn := in.RequireMFA && !was.RequiresMFA()
		switch {
		case turnedOn:
			p.MFARequiredAt = q.Now
		case !in.RequireMFA:
			p.MFARequiredAt = time.Time{}
		}
		p.Name, p.MFAGraceDays = in.Name, in.GraceDays
		p.MFAStrictAt = padlock.NextStrictAt(was.MFAStrictAt, in.RequireMFA, in.PhishingResistant, q.Now)
		if err := tx.UpdatePortal(ctx, p); err != nil {
			return err
		}
		if err := tx.RecordEvent(ctx, portalEvent(p, actor, padlock.EventPortalChanged, p.Name+requirementText(p), q.Now)); err != nil {
			return err
		}
		// As for the account, deadlines move only when the grace is set or
		// changed while required.
		if turnedOn || (in.RequireMFA && was.MFAGraceDays != in.GraceDays) {
			if err := tx.RecomputePortalMFADeadlines(ctx, p.ID, p.MFARequiredAt, p.MFAGraceDays); err != nil {
				return err
			}
		}
		switch {
		case !p.MFAStrictAt.IsZero() && was.MFAStrictAt.IsZero():
			_, err := s.noticePasskeyRequirement(ctx, tx, q, p.AccountID, p.ID, p.Name, p.Requirement())
			return err
		case turnedOn:
			return s.noticePortalUsers(ctx, tx, q, p)
		}
		return nil
	})
}

// mayChangePortal lets a Manager only tighten a portal's requirement, by
// the rule of the account's (mayChangeSettings).
func mayChangePortal(actor auth.Actor, p *padlock.Portal, in PortalInput) error {
	if mayLoosen(actor) {
		return nil
	}
	return requirementLoosened(p.Requirement(), in.RequireMFA, in.PhishingResistant, in.GraceDays).Forbidden()
}

// mayLoosen reports whether actor may loosen a requirement or the session
// limits: an Administrator who signed in. An API key acts with an
// Administrator's role but has no MFA of its own, so like a Manager it may
// only tighten.
func mayLoosen(actor auth.Actor) bool {
	return actor.User.Role == padlock.RoleAdministrator && actor.Key == nil
}

// requirementLoosened lists what a change of a requirement (the account's
// or a portal's) does that only an Administrator may do: turn it off, lower
// it from phishing-resistant MFA only to any MFA, or lengthen its grace
// period.
func requirementLoosened(was padlock.Requirement, requireNext, strictNext bool, graceNext int) padlock.FieldErrors {
	fe := padlock.FieldErrors{}
	required := !was.RequiredAt.IsZero()
	if !requireNext && required {
		fe.Add("require_mfa", "Only an Administrator may turn off the MFA requirement.")
	}
	if requireNext && was.Strict() && !strictNext {
		fe.Add("mfa_level", "Only an Administrator may accept any MFA again instead of phishing-resistant MFA only.")
	}
	if requireNext && required && graceNext > was.GraceDays {
		fe.Add("grace_days", fmt.Sprintf("Only an Administrator may lengthen the grace period (now %s).", days(was.GraceDays)))
	}
	return fe
}

func (s *Service) noticePortalUsers(ctx context.Context, tx *store.Queries, q *auth.MailQueue, p *padlock.Portal) error {
	_, err := s.noticeRequirement(ctx, tx, q, p.AccountID, p.ID, p.Name, p.MFARequiredAt, p.MFAGraceDays)
	return err
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
// Administrators and Managers may reset any portal user, the portal's own
// administrator any other user of their portal but another administrator.
func (s *Service) ResetPortalUserMFA(ctx context.Context, actor auth.Actor, portalID, userID int64) error {
	return s.inTx(ctx, func(tx *store.Queries, q *auth.MailQueue) error {
		_, u, err := managedPortalUser(ctx, tx, actor, portalID, userID)
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

// requirementText is a portal's requirement as its audit events tell it.
func requirementText(p *padlock.Portal) string {
	what := "; MFA required"
	switch {
	case !p.RequiresMFA():
		return "; MFA not required"
	case p.RequiresPhishingResistant():
		what = "; phishing-resistant MFA required"
	}
	if p.MFAGraceDays > 0 {
		what += ", " + graceText(p.MFAGraceDays)
	}
	return what
}
