-- Single sign-on for client portals: each portal may trust an identity
-- provider of its own, beside the account's. An SSO configuration belongs to
-- its tenant: the account's staff (portal_id NULL) or one portal's users,
-- and goes with the portal. The table is rebuilt, since the account was its
-- primary key.
CREATE TABLE sso_configs_new (
    id                          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id                  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    portal_id                   INTEGER REFERENCES portals (id) ON DELETE CASCADE,
    public_id                   TEXT    NOT NULL,
    enabled                     INTEGER NOT NULL DEFAULT 0,
    idp_entity_id               TEXT    NOT NULL DEFAULT '',
    idp_sso_url                 TEXT    NOT NULL DEFAULT '',
    idp_certificates            TEXT    NOT NULL DEFAULT '',
    idp_metadata_url            TEXT    NOT NULL DEFAULT '',
    idp_metadata_xml            TEXT    NOT NULL DEFAULT '',
    sp_certificate              TEXT    NOT NULL,
    sp_key                      BLOB    NOT NULL,
    accept_idp_mfa              INTEGER NOT NULL DEFAULT 0,
    mfa_contexts                TEXT    NOT NULL DEFAULT '',
    allow_idp_initiated         INTEGER NOT NULL DEFAULT 0,
    jit                         INTEGER NOT NULL DEFAULT 0,
    jit_role                    TEXT    NOT NULL DEFAULT 'lite',
    enforce                     INTEGER NOT NULL DEFAULT 0,
    last_test_at                INTEGER NOT NULL DEFAULT 0,
    created_at                  INTEGER NOT NULL,
    updated_at                  INTEGER NOT NULL,
    phishing_resistant_contexts TEXT    NOT NULL DEFAULT '',
    CONSTRAINT sso_configs_public_id_key UNIQUE (public_id)
);
INSERT INTO sso_configs_new (account_id, public_id, enabled, idp_entity_id, idp_sso_url, idp_certificates, idp_metadata_url,
    idp_metadata_xml, sp_certificate, sp_key, accept_idp_mfa, mfa_contexts, allow_idp_initiated, jit, jit_role, enforce,
    last_test_at, created_at, updated_at, phishing_resistant_contexts)
SELECT account_id, public_id, enabled, idp_entity_id, idp_sso_url, idp_certificates, idp_metadata_url,
    idp_metadata_xml, sp_certificate, sp_key, accept_idp_mfa, mfa_contexts, allow_idp_initiated, jit, jit_role, enforce,
    last_test_at, created_at, updated_at, phishing_resistant_contexts
FROM sso_configs;
DROP TABLE sso_configs;
ALTER TABLE sso_configs_new RENAME TO sso_configs;

-- One configuration per tenant, found by (account, portal or 0).
CREATE UNIQUE INDEX sso_configs_tenant_key ON sso_configs (account_id, COALESCE(portal_id, 0));
CREATE INDEX sso_configs_portal_idx ON sso_configs (portal_id);
-- Is the account's SSO on anywhere, for "Sign in with SSO" by email on the
-- account's sign-in page: portals have no email domains.
CREATE INDEX sso_configs_enabled_idx ON sso_configs (account_id) WHERE enabled = TRUE AND portal_id IS NULL;

-- An AuthnRequest belongs to the tenant that sent it: only that tenant's
-- assertion consumer service takes its answer.
ALTER TABLE sso_requests ADD COLUMN portal_id INTEGER REFERENCES portals (id) ON DELETE CASCADE;
