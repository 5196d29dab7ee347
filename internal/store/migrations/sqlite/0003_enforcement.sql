-- "Require MFA for access to this account": mfa_required_at is when it was
-- turned on (0: not required); users without MFA get mfa_grace_days from
-- then (or from joining, if later) before they must set it up.
ALTER TABLE accounts ADD COLUMN mfa_required_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN mfa_grace_days INTEGER NOT NULL DEFAULT 0;

-- Each user's own deadline, stored and recomputed when the grace period
-- changes.
ALTER TABLE users ADD COLUMN mfa_deadline INTEGER NOT NULL DEFAULT 0;

CREATE INDEX audit_events_kind_idx ON audit_events (account_id, kind, id);
CREATE INDEX audit_events_target_idx ON audit_events (account_id, target_id, id);
