-- Facts about the installation that every node checks, by name: the
-- fingerprint of the secret key (a keyed hash, never the key) and the
-- readiness write probe.
CREATE TABLE installation (
    name       TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- One Message-ID per message, kept for every delivery attempt, so a
-- receiver can drop a copy.
ALTER TABLE outbox ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
