-- A session records what it proved: its first step (password or identity
-- provider) and the second factor it proved itself ('' for none). Sessions
-- from before this version proved nothing, except those whose MFA the
-- identity provider performed. (Identity columns never reuse an id.)
ALTER TABLE sessions ADD COLUMN first_step TEXT NOT NULL DEFAULT 'password';
ALTER TABLE sessions ADD COLUMN second_factor TEXT NOT NULL DEFAULT '';
UPDATE sessions SET first_step = 'sso', second_factor = 'idp' WHERE id IN (SELECT session_id FROM sso_sessions);

-- An enrollment belongs to the session that started it: no other session
-- sees its secret or can confirm it. Enrollments in progress start again.
DROP TABLE mfa_enrollments;
CREATE TABLE mfa_enrollments (
    session_id BIGINT  PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret     BYTEA   NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX mfa_enrollments_user_idx ON mfa_enrollments (user_id);

-- New recovery codes are shown only to the session that made them.
DROP TABLE recovery_reveals;
CREATE TABLE recovery_reveals (
    session_id BIGINT  PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    codes      BYTEA   NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX recovery_reveals_user_idx ON recovery_reveals (user_id);

