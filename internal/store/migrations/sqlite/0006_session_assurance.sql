-- A session records what it proved: its first step (password or identity
-- provider) and the second factor it proved itself ('' for none). The
-- table is rebuilt so that session ids are never reused (AUTOINCREMENT):
-- a request still in flight for a deleted session can never reach a new one.
-- Sessions from before this version proved nothing, except those whose MFA
-- the identity provider performed.
CREATE TABLE sessions_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash         BLOB    NOT NULL UNIQUE,
    user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state              TEXT    NOT NULL,
    credential_version INTEGER NOT NULL,
    address            TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL,
    mfa_failures       INTEGER NOT NULL DEFAULT 0,
    first_step         TEXT    NOT NULL DEFAULT 'password',
    second_factor      TEXT    NOT NULL DEFAULT ''
);
INSERT INTO sessions_new (id, token_hash, user_id, account_id, state, credential_version, address, created_at, last_seen_at, expires_at, mfa_failures, first_step, second_factor)
SELECT s.id, s.token_hash, s.user_id, s.account_id, s.state, s.credential_version, s.address, s.created_at, s.last_seen_at, s.expires_at, s.mfa_failures,
       CASE WHEN x.session_id IS NULL THEN 'password' ELSE 'sso' END,
       CASE WHEN x.session_id IS NULL THEN '' ELSE 'idp' END
FROM sessions s LEFT JOIN sso_sessions x ON x.session_id = s.id;

CREATE TABLE sso_sessions_old AS SELECT session_id, account_id, authn_context FROM sso_sessions;
DROP TABLE sso_sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE sso_sessions (
    session_id    INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    authn_context TEXT    NOT NULL
);
INSERT INTO sso_sessions SELECT session_id, account_id, authn_context FROM sso_sessions_old;
DROP TABLE sso_sessions_old;

-- An enrollment belongs to the session that started it: no other session
-- sees its secret or can confirm it. Enrollments in progress start again.
DROP TABLE mfa_enrollments;
CREATE TABLE mfa_enrollments (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX mfa_enrollments_user_idx ON mfa_enrollments (user_id);

-- New recovery codes are shown only to the session that made them.
DROP TABLE recovery_reveals;
CREATE TABLE recovery_reveals (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    codes      BLOB    NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX recovery_reveals_user_idx ON recovery_reveals (user_id);

