-- The strict level of a requirement: when the account (or a portal) was
-- raised to phishing-resistant MFA only (passkeys or security keys); 0 at
-- the level "any MFA". A user whose only factor is an app gets the grace
-- period counted from this moment.
ALTER TABLE accounts ADD COLUMN mfa_strict_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE portals ADD COLUMN mfa_strict_at BIGINT NOT NULL DEFAULT 0;

-- The accepted AuthnContext classes whose MFA at the identity provider also
-- counts as phishing-resistant, one per line.
ALTER TABLE sso_configs ADD COLUMN phishing_resistant_contexts TEXT NOT NULL DEFAULT '';
