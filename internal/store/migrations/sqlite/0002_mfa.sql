-- An enrollment in progress: its secret counts for nothing until confirmed.
CREATE TABLE mfa_enrollments (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- A confirmed authenticator app. last_step is the newest accepted TOTP time
-- step; it only moves forward, so a code is accepted once.
CREATE TABLE totp_factors (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       BLOB    NOT NULL,
    last_step    INTEGER NOT NULL,
    confirmed_at INTEGER NOT NULL
);

CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB    NOT NULL,
    used_at    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    CONSTRAINT recovery_codes_key UNIQUE (user_id, code_hash)
);

-- New recovery codes, encrypted, kept only until the user says they saved
-- them (or for 30 minutes), so the page can show and download them.
CREATE TABLE recovery_reveals (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    codes      BLOB    NOT NULL,
    expires_at INTEGER NOT NULL
);

ALTER TABLE sessions ADD COLUMN mfa_failures INTEGER NOT NULL DEFAULT 0;
