-- When an administrator last reset the user's MFA (0: never). A user whose
-- MFA was reset while the requirement was on gets no new grace period when
-- the account's grace is saved again: their deadline stays the reset.
ALTER TABLE users ADD COLUMN mfa_reset_at INTEGER NOT NULL DEFAULT 0;
