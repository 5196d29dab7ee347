-- A client portal's grace period, the same as the account's: users without
-- MFA get this many days from the requirement (or from joining, if later).
ALTER TABLE portals ADD COLUMN mfa_grace_days BIGINT NOT NULL DEFAULT 0;

-- When the user was last reminded to set up MFA (0: never). At most one
-- reminder a day: the reminder claims this column with a conditional update,
-- so the limit holds across nodes.
ALTER TABLE users ADD COLUMN mfa_reminded_at BIGINT NOT NULL DEFAULT 0;

-- A users list sorted by "Must set up by" pages by key (deadline, then id),
-- and the Overdue filter and the coverage counts read deadlines: this index
-- holds those columns in that order for the staff and for each portal.
CREATE INDEX users_deadline_idx ON users (account_id, portal_id, mfa_deadline, id, status);
