-- An enrollment in progress: its secret counts for nothing until confirmed.
CREATE TABLE mfa_enrollments (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     BYTEA   NOT NULL,
    created_at BIGINT  NOT NULL
);

-- A confirmed authenticator app. last_step is the newest accepted TOTP time
-- step; it only moves forward, so a code is accepted once.
CREATE TABLE totp_factors (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       BYTEA   NOT NULL,
    last_step    BIGINT  NOT NULL,
    confirmed_at BIGINT  NOT NULL
);

CREATE TABLE recovery_codes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BYTEA   NOT NULL,
    used_at    BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    CONSTRAINT recovery_codes_key UNIQUE (user_id, code_hash)
);

-- New recovery codes, encrypted, kept only until the user says they saved
-- them (or for 30 minutes), so the page can show and download them.
CREATE TABLE recovery_reveals (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    codes      BYTEA   NOT NULL,
    expires_at BIGINT  NOT NULL
);

ALTER TABLE sessions ADD COLUMN mfa_failures BIGINT  NOT NULL DEFAULT 0;
