-- The users lists in email order filtered to "MFA not set up" or "Overdue",
-- and the enforcement notice's list of users without MFA, read the users
-- without a factor from this partial index in the list's order, however few
-- of the account's users they are: neither walking every user of the
-- account nor sorting those it found.
CREATE INDEX users_without_mfa_list_idx ON users (account_id, portal_id, email, id, status) WHERE mfa_factors = 0;
