-- An organization's documents list pages by key (title, then id), so it
-- reads from an index in that order; the old index on (account,
-- organization) is a prefix of the new one.
DROP INDEX documents_org_idx;
CREATE INDEX documents_list_idx ON documents (account_id, organization_id, title, id);
