-- A client portal: one per organization, with its own users and its own
-- "Require MFA for access to this portal".
CREATE TABLE portals (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    mfa_required_at INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    CONSTRAINT portals_organization_key UNIQUE (organization_id)
);
CREATE INDEX portals_account_idx ON portals (account_id);

-- Portal users live beside account users, so sign-in, sessions, lockout and
-- MFA work the same for both; portal_id tells them apart. Deleting a portal
-- deletes its users, and with them their sessions.
ALTER TABLE users ADD COLUMN portal_id INTEGER REFERENCES portals (id) ON DELETE CASCADE;
CREATE INDEX users_portal_idx ON users (portal_id, email);

ALTER TABLE documents ADD COLUMN shared_with_portal INTEGER NOT NULL DEFAULT 0;

-- Portal events are attributed to their portal on Account > Activity.
ALTER TABLE audit_events ADD COLUMN portal_id INTEGER NOT NULL DEFAULT 0;
