-- Passkeys and security keys (WebAuthn). credential_id is unique across
-- every user, so a credential registered by one user can never be another's.
-- flags holds the authenticator's backup flags as registered (the library
-- checks they do not change); clone_warning is set when a signature counter
-- went backwards, and such a credential is refused from then on.
CREATE TABLE webauthn_credentials (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id BLOB    NOT NULL,
    public_key    BLOB    NOT NULL,
    sign_count    INTEGER NOT NULL DEFAULT 0,
    transports    TEXT    NOT NULL DEFAULT '',
    aaguid        BLOB    NOT NULL,
    flags         INTEGER NOT NULL DEFAULT 0,
    name          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL DEFAULT 0,
    clone_warning INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT webauthn_credentials_credential_key UNIQUE (credential_id)
);
CREATE INDEX webauthn_credentials_user_idx ON webauthn_credentials (user_id);

-- A WebAuthn challenge in progress belongs to the session that asked for
-- it, one per purpose ('register' or 'login'); it is consumed by the first
-- answer, right or wrong, and expires in minutes.
CREATE TABLE webauthn_challenges (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    data       BLOB    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, purpose)
);
CREATE INDEX webauthn_challenges_user_idx ON webauthn_challenges (user_id);
