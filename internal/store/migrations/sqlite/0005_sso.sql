-- Single sign-on with a SAML 2.0 identity provider, one per account.
-- public_id names the account in its SSO addresses; sp_key is the service
-- provider's private key, sealed with the server key.
CREATE TABLE sso_configs (
    account_id          INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    public_id           TEXT    NOT NULL,
    enabled             INTEGER NOT NULL DEFAULT 0,
    idp_entity_id       TEXT    NOT NULL DEFAULT '',
    idp_sso_url         TEXT    NOT NULL DEFAULT '',
    idp_certificates    TEXT    NOT NULL DEFAULT '',
    idp_metadata_url    TEXT    NOT NULL DEFAULT '',
    idp_metadata_xml    TEXT    NOT NULL DEFAULT '',
    sp_certificate      TEXT    NOT NULL,
    sp_key              BLOB    NOT NULL,
    accept_idp_mfa      INTEGER NOT NULL DEFAULT 0,
    mfa_contexts        TEXT    NOT NULL DEFAULT '',
    allow_idp_initiated INTEGER NOT NULL DEFAULT 0,
    jit                 INTEGER NOT NULL DEFAULT 0,
    jit_role            TEXT    NOT NULL DEFAULT 'lite',
    enforce             INTEGER NOT NULL DEFAULT 0,
    last_test_at        INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CONSTRAINT sso_configs_public_id_key UNIQUE (public_id)
);

-- "Sign in with SSO" by email domain: a domain belongs to one account.
CREATE TABLE sso_domains (
    domain     TEXT    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX sso_domains_account_idx ON sso_domains (account_id);

-- Users who may still sign in with a password while SSO is enforced.
CREATE TABLE sso_break_glass (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, user_id)
);

-- AuthnRequests this server sent and not yet seen answered. relay_hash is
-- the hash of the RelayState that names the request; binding_hash that of
-- the cookie of the browser that started it.
CREATE TABLE sso_requests (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    relay_hash   BLOB    NOT NULL,
    binding_hash BLOB    NOT NULL,
    request_id   TEXT    NOT NULL,
    purpose      TEXT    NOT NULL,
    user_id      INTEGER NOT NULL DEFAULT 0,
    next         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    CONSTRAINT sso_requests_relay_key UNIQUE (relay_hash)
);
CREATE INDEX sso_requests_account_idx ON sso_requests (account_id, expires_at);

-- The replay cache: IDs of accepted assertions, until they expire, so an
-- assertion is accepted once on every node.
CREATE TABLE sso_assertions (
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    assertion_id TEXT    NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, assertion_id)
);

-- Sessions whose MFA was performed at the identity provider, with the
-- authentication context it reported; re-checked against the account's
-- settings on every request.
CREATE TABLE sso_sessions (
    session_id    INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    authn_context TEXT    NOT NULL
);
