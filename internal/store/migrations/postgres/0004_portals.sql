-- A client portal: one per organization, with its own users and its own
-- "Require MFA for access to this portal".
CREATE TABLE portals (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    organization_id BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    mfa_required_at BIGINT  NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    CONSTRAINT portals_organization_key UNIQUE (organization_id)
);
CREATE INDEX portals_account_idx ON portals (account_id);

-- Portal users live beside account users, so sign-in, sessions, lockout and
-- MFA work the same for both; portal_id tells them apart. Deleting a portal
-- deletes its users, and with them their sessions.
ALTER TABLE users ADD COLUMN portal_id BIGINT REFERENCES portals (id) ON DELETE CASCADE;
CREATE INDEX users_portal_idx ON users (portal_id, email);

ALTER TABLE documents ADD COLUMN shared_with_portal BOOLEAN NOT NULL DEFAULT FALSE;

-- Portal events are attributed to their portal on Account > Activity.
ALTER TABLE audit_events ADD COLUMN portal_id BIGINT NOT NULL DEFAULT 0;
