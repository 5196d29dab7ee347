package docs

import (
	"context"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
)

// CreateDocument adds d to an organization of the actor's account. The
// caller gives d's OrganizationID, Title, Body and SharedWithPortal; the
// rest is set here. A portal user adds only to their portal's organization,
// and always shared with the portal.
func (s *Service) CreateDocument(ctx context.Context, actor auth.Actor, d *padlock.Document) error {
	if err := permit(actor, padlock.PermCreateDocuments); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Queries) error {
		org, err := organizationFor(ctx, tx, actor, d.OrganizationID)
		if err != nil {
			return err
		}
		now := s.now()
		stamp(actor, org, d, now)
		if err := tx.CreateDocument(ctx, d); err != nil {
			return err
		}
		if err := tx.RecordEvent(ctx, event(actor, padlock.EventDocumentCreated, about(org, d.Title), now)); err != nil {
			return err
		}
		return recordSharing(ctx, tx, actor, org, d, false, now)
	})
}

// UpdateDocument saves d's Title, Body and SharedWithPortal over the
// document d.ID of organization d.OrganizationID. A portal user edits only
// documents shared with their portal, and cannot unshare them.
func (s *Service) UpdateDocument(ctx context.Context, actor auth.Actor, d *padlock.Document) error {
	if err := permit(actor, padlock.PermEditDocuments); err != nil {
		return err
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Queries) error {
		org, old, err := documentFor(ctx, tx, actor, d.OrganizationID, d.ID)
		if err != nil {
			return err
		}
		now := s.now()
		stamp(actor, org, d, now)
		if err := tx.UpdateDocument(ctx, d); err != nil {
			return err
		}
		title := d.Title
		if old.Title != d.Title {
			title = old.Title + " → " + d.Title
		}
		if err := tx.RecordEvent(ctx, event(actor, padlock.EventDocumentEdited, about(org, title), now)); err != nil {
			return err
		}
		return recordSharing(ctx, tx, actor, org, d, old.SharedWithPortal, now)
	})
}

// DeleteDocument removes a document and returns it as it was.
func (s *Service) DeleteDocument(ctx context.Context, actor auth.Actor, orgID, docID int64) (*padlock.Document, error) {
	if err := permit(actor, padlock.PermDeleteDocuments); err != nil {
		return nil, err
	}
	var d *padlock.Document
	err := s.DB.InTx(ctx, func(tx *store.Queries) error {
		org, old, err := documentFor(ctx, tx, actor, orgID, docID)
		if err != nil {
			return err
		}
		d = old
		if err := tx.DeleteDocument(ctx, org.AccountID, org.ID, d.ID); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, event(actor, padlock.EventDocumentDeleted, about(org, d.Title), s.now()))
	})
	return d, err
}

// organizationFor loads an organization the actor may write to: any of
// their account's, or for a portal user only their portal's. Any other is
// "not found".
func organizationFor(ctx context.Context, tx *store.Queries, actor auth.Actor, orgID int64) (*padlock.Organization, error) {
	if actor.User.IsPortalUser() {
		p, err := tx.PortalByID(ctx, actor.User.PortalID)
		if err != nil {
			return nil, err
		}
		if p.OrganizationID != orgID {
			return nil, padlock.ErrNotFound
		}
	}
	return tx.Organization(ctx, actor.User.AccountID, orgID)
}

// documentFor loads a document the actor may change, with its
// organization; for a portal user, only one shared with their portal.
func documentFor(ctx context.Context, tx *store.Queries, actor auth.Actor, orgID, docID int64) (*padlock.Organization, *padlock.Document, error) {
	org, err := organizationFor(ctx, tx, actor, orgID)
	if err != nil {
		return nil, nil, err
	}
	d, err := tx.Document(ctx, org.AccountID, org.ID, docID)
	if err != nil {
		return nil, nil, err
	}
	if actor.User.IsPortalUser() && !d.SharedWithPortal {
		return nil, nil, padlock.ErrNotFound
	}
	return org, d, nil
}

// recordSharing records that d was shared with its organization's portal,
// or unshared from it, when that changed.
func recordSharing(ctx context.Context, tx *store.Queries, actor auth.Actor, org *padlock.Organization, d *padlock.Document, wasShared bool, at time.Time) error {
	if d.SharedWithPortal == wasShared {
		return nil
	}
	kind := padlock.EventDocumentShared
	if !d.SharedWithPortal {
		kind = padlock.EventDocumentUnshared
	}
	return tx.RecordEvent(ctx, event(actor, kind, about(org, d.Title), at))
}

// about is an event's detail: the organization and the document.
func about(org *padlock.Organization, title string) string {
	return org.Name + ": " + title
}

// stamp marks d as written by actor at now in org's account: by the user,
// or by an API key (no user) under its name as Activity shows it. A portal
// user's documents are always shared with their portal.
func stamp(actor auth.Actor, org *padlock.Organization, d *padlock.Document, now time.Time) {
	if actor.User.IsPortalUser() {
		d.SharedWithPortal = true
	}
	d.AccountID, d.UpdatedAt, d.UpdatedByID, d.UpdatedBy = org.AccountID, now, actor.User.ID, ""
	if actor.Key != nil {
		d.UpdatedBy = actor.Key.ActorLabel()
	}
}
