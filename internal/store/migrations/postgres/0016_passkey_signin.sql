-- A sign-in with a passkey alone starts before there is a session: its
-- challenge is kept here under the hash of a random token that only the
-- browser that asked holds (in a cookie), for one surface. The first
-- answer deletes it, right or wrong; it expires in minutes.
CREATE TABLE webauthn_signin_challenges (
    token_hash BYTEA    PRIMARY KEY,
    surface    TEXT    NOT NULL,
    data       BYTEA   NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX webauthn_signin_challenges_expires_idx ON webauthn_signin_challenges (expires_at);
