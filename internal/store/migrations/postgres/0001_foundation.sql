CREATE TABLE accounts (
    id                       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                     TEXT    NOT NULL,
    session_idle_seconds     BIGINT  NOT NULL,
    session_lifetime_seconds BIGINT  NOT NULL,
    created_at               BIGINT  NOT NULL
);

CREATE TABLE users (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id         BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email              TEXT    NOT NULL,
    name               TEXT    NOT NULL DEFAULT '',
    role               TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    password_hash      TEXT    NOT NULL DEFAULT '',
    credential_version BIGINT  NOT NULL DEFAULT 1,
    failed_attempts    BIGINT  NOT NULL DEFAULT 0,
    locked_until       BIGINT  NOT NULL DEFAULT 0,
    last_sign_in_at    BIGINT  NOT NULL DEFAULT 0,
    created_at         BIGINT  NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);
CREATE INDEX users_account_idx ON users (account_id, email);

CREATE TABLE sessions (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash         BYTEA   NOT NULL UNIQUE,
    user_id            BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id         BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state              TEXT    NOT NULL,
    credential_version BIGINT  NOT NULL,
    address            TEXT    NOT NULL DEFAULT '',
    created_at         BIGINT  NOT NULL,
    last_seen_at       BIGINT  NOT NULL,
    expires_at         BIGINT  NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash BYTEA   NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    user_id    BIGINT  REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX tokens_user_idx ON tokens (user_id, kind);

CREATE TABLE organizations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    CONSTRAINT organizations_name_key UNIQUE (account_id, name)
);

CREATE TABLE documents (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    organization_id BIGINT  NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    updated_at      BIGINT  NOT NULL,
    updated_by      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX documents_org_idx ON documents (account_id, organization_id);

CREATE TABLE audit_events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT,
    actor_id   BIGINT  NOT NULL DEFAULT 0,
    target_id  BIGINT  NOT NULL DEFAULT 0,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    created_at BIGINT  NOT NULL
);
CREATE INDEX audit_events_account_idx ON audit_events (account_id, id);

CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    next_attempt_at BIGINT  NOT NULL,
    locked_until    BIGINT  NOT NULL DEFAULT 0,
    attempts        BIGINT  NOT NULL DEFAULT 0,
    sent_at         BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending_idx ON outbox (sent_at, next_attempt_at);
