-- Two public routes store a row for anyone who asks: the challenge of a
-- sign-in with a passkey alone, and the AuthnRequest of an SSO sign-in.
-- Each row now names the client that asked (its address, an IPv6 address
-- by its /64), and a client may hold only a few unexpired ones of each.
-- signin_clients holds one row per client asking, whichever way: a new
-- challenge or request takes that row first, so counting the client's rows
-- and adding one are one step on every node; it is swept with them.
ALTER TABLE webauthn_signin_challenges ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX webauthn_signin_challenges_client_idx ON webauthn_signin_challenges (client, expires_at);
ALTER TABLE sso_requests ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX sso_requests_client_idx ON sso_requests (client, expires_at);
CREATE TABLE signin_clients (
    client     TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX signin_clients_expires_idx ON signin_clients (expires_at);
