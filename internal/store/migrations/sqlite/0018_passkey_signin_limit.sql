-- The sign-in with a passkey alone hands out a challenge to anyone who asks.
-- Each challenge now names the client that asked (its address, an IPv6
-- address by its /64), and a client may hold only a few unexpired ones.
-- passkey_signin_clients holds one row per client asking: a new challenge
-- takes that row first, so counting the client's challenges and adding one
-- are one step on every node; it is swept with the challenges.
ALTER TABLE webauthn_signin_challenges ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX webauthn_signin_challenges_client_idx ON webauthn_signin_challenges (client, expires_at);
CREATE TABLE passkey_signin_clients (
    client     TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX passkey_signin_clients_expires_idx ON passkey_signin_clients (expires_at);
