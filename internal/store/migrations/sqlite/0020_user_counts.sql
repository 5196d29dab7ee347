-- The users lists, MFA coverage and Client portals show how many users each
-- list (the staff, or one portal) has and how many have MFA. Counting them
-- read every user of the account. The counts are now kept in user_counts by
-- the triggers below, in the same statement as each change to a user or a
-- factor, so no path that writes users or factors can leave them behind.

-- Which factors a user owns, kept by the triggers on totp_factors and
-- webauthn_credentials: 0 none, 1 an authenticator app, 2 a passkey or
-- security key, 3 both.
ALTER TABLE users ADD COLUMN mfa_factors INTEGER NOT NULL DEFAULT 0;
UPDATE users SET mfa_factors =
    CASE WHEN EXISTS (SELECT 1 FROM totp_factors f WHERE f.user_id = users.id) THEN 1 ELSE 0 END +
    CASE WHEN EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = users.id) THEN 2 ELSE 0 END;

-- One row per list: portal_id 0 is the account's staff. "Current" users are
-- those not deactivated.
CREATE TABLE user_counts (
    account_id           INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    portal_id            INTEGER NOT NULL,
    users                INTEGER NOT NULL DEFAULT 0,
    with_mfa             INTEGER NOT NULL DEFAULT 0,
    with_passkey         INTEGER NOT NULL DEFAULT 0,
    current_users        INTEGER NOT NULL DEFAULT 0,
    current_with_mfa     INTEGER NOT NULL DEFAULT 0,
    current_with_app     INTEGER NOT NULL DEFAULT 0,
    current_with_passkey INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, portal_id)
);
INSERT INTO user_counts (account_id, portal_id, users, with_mfa, with_passkey, current_users, current_with_mfa, current_with_app, current_with_passkey)
SELECT account_id, COALESCE(portal_id, 0), COUNT(*),
    SUM(CASE WHEN mfa_factors <> 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN mfa_factors >= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN status <> 'deactivated' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status <> 'deactivated' AND mfa_factors <> 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN status <> 'deactivated' AND mfa_factors IN (1, 3) THEN 1 ELSE 0 END),
    SUM(CASE WHEN status <> 'deactivated' AND mfa_factors >= 2 THEN 1 ELSE 0 END)
FROM users GROUP BY account_id, portal_id;

-- "Overdue" moves with the clock, so it is counted when asked, from these
-- indexes of only the users it can concern: those without MFA by deadline,
-- and (at the strict level) those with only an app by joining time. Each
-- holds mfa_factors in its key too, though it is the same in every entry, so
-- that SQLite's planner prefers it to users_deadline_idx.
CREATE INDEX users_without_mfa_idx ON users (account_id, portal_id, mfa_factors, mfa_deadline, status) WHERE mfa_factors = 0;
CREATE INDEX users_app_only_idx ON users (account_id, portal_id, mfa_factors, created_at, status) WHERE mfa_factors = 1;

-- Inserting into user_count_changes counts one user into (change 1) or out
-- of (change -1) their list, as they are or were. It is a view only so that
-- the triggers share this arithmetic (SQLite has no functions). A list's row
-- is created when a user is counted in, never when one is counted out: the
-- users of a deleted portal may be counted out after its row is gone.
CREATE VIEW user_count_changes AS
    SELECT 0 AS account_id, 0 AS portal_id, '' AS status, 0 AS mfa_factors, 0 AS change WHERE 0;
CREATE TRIGGER user_count_changes_apply INSTEAD OF INSERT ON user_count_changes BEGIN
    INSERT INTO user_counts (account_id, portal_id) SELECT NEW.account_id, COALESCE(NEW.portal_id, 0) WHERE NEW.change > 0
        ON CONFLICT DO NOTHING;
    UPDATE user_counts SET
        users = users + NEW.change,
        with_mfa = with_mfa + CASE WHEN NEW.mfa_factors <> 0 THEN NEW.change ELSE 0 END,
        with_passkey = with_passkey + CASE WHEN NEW.mfa_factors >= 2 THEN NEW.change ELSE 0 END,
        current_users = current_users + CASE WHEN NEW.status <> 'deactivated' THEN NEW.change ELSE 0 END,
        current_with_mfa = current_with_mfa + CASE WHEN NEW.status <> 'deactivated' AND NEW.mfa_factors <> 0 THEN NEW.change ELSE 0 END,
        current_with_app = current_with_app + CASE WHEN NEW.status <> 'deactivated' AND NEW.mfa_factors IN (1, 3) THEN NEW.change ELSE 0 END,
        current_with_passkey = current_with_passkey + CASE WHEN NEW.status <> 'deactivated' AND NEW.mfa_factors >= 2 THEN NEW.change ELSE 0 END
    WHERE account_id = NEW.account_id AND portal_id = COALESCE(NEW.portal_id, 0);
END;

CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_count_changes VALUES (NEW.account_id, NEW.portal_id, NEW.status, NEW.mfa_factors, 1);
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    INSERT INTO user_count_changes VALUES (OLD.account_id, OLD.portal_id, OLD.status, OLD.mfa_factors, -1);
END;
CREATE TRIGGER users_count_update AFTER UPDATE OF account_id, portal_id, status, mfa_factors ON users
WHEN OLD.account_id <> NEW.account_id OR OLD.portal_id IS NOT NEW.portal_id OR OLD.status <> NEW.status OR OLD.mfa_factors <> NEW.mfa_factors
BEGIN
    INSERT INTO user_count_changes VALUES (OLD.account_id, OLD.portal_id, OLD.status, OLD.mfa_factors, -1);
    INSERT INTO user_count_changes VALUES (NEW.account_id, NEW.portal_id, NEW.status, NEW.mfa_factors, 1);
END;

-- Inserting a user's id into user_factor_changes reads again which factors
-- they own; the triggers on both factor tables share it.
CREATE VIEW user_factor_changes AS SELECT 0 AS user_id WHERE 0;
CREATE TRIGGER user_factor_changes_apply INSTEAD OF INSERT ON user_factor_changes BEGIN
    UPDATE users SET mfa_factors =
        CASE WHEN EXISTS (SELECT 1 FROM totp_factors f WHERE f.user_id = users.id) THEN 1 ELSE 0 END +
        CASE WHEN EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = users.id) THEN 2 ELSE 0 END
    WHERE id = NEW.user_id;
END;

CREATE TRIGGER totp_factors_added AFTER INSERT ON totp_factors BEGIN
    INSERT INTO user_factor_changes VALUES (NEW.user_id);
END;
CREATE TRIGGER totp_factors_removed AFTER DELETE ON totp_factors BEGIN
    INSERT INTO user_factor_changes VALUES (OLD.user_id);
END;
CREATE TRIGGER webauthn_credentials_added AFTER INSERT ON webauthn_credentials BEGIN
    INSERT INTO user_factor_changes VALUES (NEW.user_id);
END;
CREATE TRIGGER webauthn_credentials_removed AFTER DELETE ON webauthn_credentials BEGIN
    INSERT INTO user_factor_changes VALUES (OLD.user_id);
END;

-- A deleted portal's row goes with it.
CREATE TRIGGER portals_delete_counts AFTER DELETE ON portals BEGIN
    DELETE FROM user_counts WHERE account_id = OLD.account_id AND portal_id = OLD.id;
END;
