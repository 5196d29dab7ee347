-- Single sign-on for client portals: each portal may trust an identity
-- provider of its own, beside the account's. An SSO configuration belongs to
-- its tenant: the account's staff (portal_id NULL) or one portal's users,
-- and goes with the portal. The account is no longer the primary key.
ALTER TABLE sso_configs DROP CONSTRAINT sso_configs_pkey;
ALTER TABLE sso_configs ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE sso_configs ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY;
ALTER TABLE sso_configs ADD COLUMN portal_id BIGINT REFERENCES portals (id) ON DELETE CASCADE;

-- One configuration per tenant, found by (account, portal or 0).
CREATE UNIQUE INDEX sso_configs_tenant_key ON sso_configs (account_id, (COALESCE(portal_id, 0)));
CREATE INDEX sso_configs_portal_idx ON sso_configs (portal_id);
-- Is the account's SSO on anywhere, for "Sign in with SSO" by email on the
-- account's sign-in page: portals have no email domains.
DROP INDEX sso_configs_enabled_idx;
CREATE INDEX sso_configs_enabled_idx ON sso_configs (account_id) WHERE enabled = TRUE AND portal_id IS NULL;

-- An AuthnRequest belongs to the tenant that sent it: only that tenant's
-- assertion consumer service takes its answer.
ALTER TABLE sso_requests ADD COLUMN portal_id BIGINT REFERENCES portals (id) ON DELETE CASCADE;
