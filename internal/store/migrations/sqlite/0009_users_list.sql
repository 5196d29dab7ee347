-- Account > Users and a portal's users list page by key (email, then id) and
-- count with and without MFA. This index holds every column those queries
-- read from users, in the list's order, for the staff (portal_id IS NULL)
-- and for each portal; the account index could serve neither on its own.
CREATE INDEX users_list_idx ON users (account_id, portal_id, email, id, status);
