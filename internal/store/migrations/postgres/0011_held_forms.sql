-- A form that a session sent while it had to set up or prove MFA first is
-- kept for that session alone, sealed, until the page it came from shows it
-- again (once) or it expires; it ends with its session.
CREATE TABLE held_forms (
    session_id BIGINT  PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    page       TEXT    NOT NULL,
    form       BYTEA   NOT NULL,
    expires_at BIGINT  NOT NULL
);

-- The sign-in page offers "Sign in with SSO" only while some account has
-- SSO on: this keeps that question to an index lookup.
CREATE INDEX sso_configs_enabled_idx ON sso_configs (account_id) WHERE enabled = TRUE;
