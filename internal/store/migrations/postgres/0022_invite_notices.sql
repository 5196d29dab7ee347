-- An invitation to an address that already has a Padlock user tells that
-- user by email instead. Anyone who can invite could send it again and
-- again, to any address, from any account: the owner is now told at most
-- once a day, and this is when they last were.
ALTER TABLE users ADD COLUMN invite_notice_at BIGINT NOT NULL DEFAULT 0;
