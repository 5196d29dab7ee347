CREATE TABLE accounts (
    id                       INTEGER PRIMARY KEY,
    name                     TEXT    NOT NULL,
    session_idle_seconds     INTEGER NOT NULL,
    session_lifetime_seconds INTEGER NOT NULL,
    created_at               INTEGER NOT NULL
);

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email              TEXT    NOT NULL,
    name               TEXT    NOT NULL DEFAULT '',
    role               TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    password_hash      TEXT    NOT NULL DEFAULT '',
    credential_version INTEGER NOT NULL DEFAULT 1,
    failed_attempts    INTEGER NOT NULL DEFAULT 0,
    locked_until       INTEGER NOT NULL DEFAULT 0,
    last_sign_in_at    INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_account_idx ON users (account_id, email);

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY,
    token_hash         BLOB    NOT NULL UNIQUE,
    user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state              TEXT    NOT NULL,
    credential_version INTEGER NOT NULL,
    address            TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    last_seen_at       INTEGER NOT NULL,
    expires_at         INTEGER NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user_idx ON tokens (user_id, kind);

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT organizations_name_key UNIQUE (account_id, name)
);

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL,
    updated_by      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX documents_org_idx ON documents (account_id, organization_id);

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER,
    actor_id   INTEGER NOT NULL DEFAULT 0,
    target_id  INTEGER NOT NULL DEFAULT 0,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_events_account_idx ON audit_events (account_id, id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending_idx ON outbox (sent_at, next_attempt_at);
