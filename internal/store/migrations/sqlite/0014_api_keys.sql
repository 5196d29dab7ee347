-- API keys: an account's keys for scripts, stored as the SHA-256 of the key
-- (a key is 256 random bits, so a fast hash is enough), shown once. prefix
-- is the start of the key, kept so a list can tell keys apart. Revoked keys
-- stay, so the audit log can still name them. rate_window and rate_count
-- are the key's requests in the current window, counted here so that every
-- node shares one limit.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    key_hash     BLOB    NOT NULL,
    access       TEXT    NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL DEFAULT 0,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    revoked_at   INTEGER NOT NULL DEFAULT 0,
    rate_window  INTEGER NOT NULL DEFAULT 0,
    rate_count   INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT api_keys_hash_key UNIQUE (key_hash),
    CONSTRAINT api_keys_name_key UNIQUE (account_id, name)
);

-- Who did it, when it was not a user: "API key: nightly-report".
ALTER TABLE audit_events ADD COLUMN actor_label TEXT NOT NULL DEFAULT '';
