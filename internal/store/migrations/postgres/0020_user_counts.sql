-- The users lists, MFA coverage and Client portals show how many users each
-- list (the staff, or one portal) has and how many have MFA. Counting them
-- read every user of the account. The counts are now kept in user_counts by
-- the triggers below, in the same statement as each change to a user or a
-- factor, so no path that writes users or factors can leave them behind.
-- The triggers run once per statement, over the rows it changed, so that a
-- statement changing many users (deleting a portal) updates each list's row
-- once: PostgreSQL slows down on a row updated thousands of times in one
-- transaction.

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
    account_id           BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    portal_id            BIGINT NOT NULL,
    users                BIGINT NOT NULL DEFAULT 0,
    with_mfa             BIGINT NOT NULL DEFAULT 0,
    with_passkey         BIGINT NOT NULL DEFAULT 0,
    current_users        BIGINT NOT NULL DEFAULT 0,
    current_with_mfa     BIGINT NOT NULL DEFAULT 0,
    current_with_app     BIGINT NOT NULL DEFAULT 0,
    current_with_passkey BIGINT NOT NULL DEFAULT 0,
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
FROM users GROUP BY account_id, COALESCE(portal_id, 0);

-- "Overdue" moves with the clock, so it is counted when asked, from these
-- indexes of only the users it can concern: those without MFA by deadline,
-- and (at the strict level) those with only an app by joining time. Each
-- holds mfa_factors in its key too, though it is the same in every entry, as
-- on SQLite (whose planner would otherwise prefer users_deadline_idx).
CREATE INDEX users_without_mfa_idx ON users (account_id, portal_id, mfa_factors, mfa_deadline, status) WHERE mfa_factors = 0;
CREATE INDEX users_app_only_idx ON users (account_id, portal_id, mfa_factors, created_at, status) WHERE mfa_factors = 1;

-- One user counted into (change 1) or out of (change -1) their list, as they
-- are or were.
CREATE TYPE user_count_change AS (account_id BIGINT, portal_id BIGINT, status TEXT, mfa_factors INTEGER, change INTEGER);

-- count_user_changes adds the changes up per list and applies them, the
-- lists in key order; a list whose counts come out the same (a user counted
-- out and in again unchanged) is left alone. A list's row is created when
-- users are counted in, never when they are counted out: the users of a
-- deleted portal may be counted out after its row is gone.
CREATE FUNCTION count_user_changes(changes user_count_change[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s RECORD;
BEGIN
    FOR s IN
        SELECT account_id, COALESCE(portal_id, 0) AS portal_id,
            SUM(change) AS users,
            SUM(CASE WHEN mfa_factors <> 0 THEN change ELSE 0 END) AS with_mfa,
            SUM(CASE WHEN mfa_factors >= 2 THEN change ELSE 0 END) AS with_passkey,
            SUM(CASE WHEN status <> 'deactivated' THEN change ELSE 0 END) AS current_users,
            SUM(CASE WHEN status <> 'deactivated' AND mfa_factors <> 0 THEN change ELSE 0 END) AS current_with_mfa,
            SUM(CASE WHEN status <> 'deactivated' AND mfa_factors IN (1, 3) THEN change ELSE 0 END) AS current_with_app,
            SUM(CASE WHEN status <> 'deactivated' AND mfa_factors >= 2 THEN change ELSE 0 END) AS current_with_passkey
        FROM unnest(changes) GROUP BY 1, 2 ORDER BY 1, 2
    LOOP
        CONTINUE WHEN (s.users, s.with_mfa, s.with_passkey, s.current_users, s.current_with_mfa, s.current_with_app, s.current_with_passkey)
            = (0, 0, 0, 0, 0, 0, 0);
        IF s.users > 0 THEN
            INSERT INTO user_counts (account_id, portal_id) VALUES (s.account_id, s.portal_id) ON CONFLICT DO NOTHING;
        END IF;
        UPDATE user_counts c SET
            users = c.users + s.users,
            with_mfa = c.with_mfa + s.with_mfa,
            with_passkey = c.with_passkey + s.with_passkey,
            current_users = c.current_users + s.current_users,
            current_with_mfa = c.current_with_mfa + s.current_with_mfa,
            current_with_app = c.current_with_app + s.current_with_app,
            current_with_passkey = c.current_with_passkey + s.current_with_passkey
        WHERE c.account_id = s.account_id AND c.portal_id = s.portal_id;
    END LOOP;
END $$;

CREATE FUNCTION users_counted_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_user_changes(ARRAY(SELECT (account_id, portal_id, status, mfa_factors, 1)::user_count_change FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION users_counted_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM count_user_changes(ARRAY(SELECT (account_id, portal_id, status, mfa_factors, -1)::user_count_change FROM old_rows));
    RETURN NULL;
END $$;

-- Every update of users comes here (a trigger with the changed rows cannot
-- name columns). When the updated users are, as counted, what they were (a
-- sign-in) it ends at its first query; otherwise each is counted out as they
-- were and in as they are. The two tables are never joined: PL/pgSQL keeps a
-- query's plan for the session, and a join planned for the one row of a
-- sign-in (a nested loop) would be kept for an update of every user of an
-- account.
CREATE FUNCTION users_recounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT account_id, portal_id, status, mfa_factors FROM new_rows
                   EXCEPT ALL SELECT account_id, portal_id, status, mfa_factors FROM old_rows) THEN
        RETURN NULL;
    END IF;
    PERFORM count_user_changes(ARRAY(
        SELECT (account_id, portal_id, status, mfa_factors, -1)::user_count_change FROM old_rows
        UNION ALL SELECT (account_id, portal_id, status, mfa_factors, 1)::user_count_change FROM new_rows));
    RETURN NULL;
END $$;

CREATE TRIGGER users_count_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION users_counted_in();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION users_counted_out();
CREATE TRIGGER users_count_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION users_recounted();

-- refactor_users reads again which factors the given users own; the
-- triggers on both factor tables share it. (PL/pgSQL keeps the plan of its
-- statement from one call to the next, an SQL function would plan it anew;
-- each id is looked up by the primary key, whatever their number.)
CREATE FUNCTION refactor_users(ids BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users SET mfa_factors =
        CASE WHEN EXISTS (SELECT 1 FROM totp_factors f WHERE f.user_id = users.id) THEN 1 ELSE 0 END +
        CASE WHEN EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = users.id) THEN 2 ELSE 0 END
    FROM unnest(ids) AS changed (id) WHERE users.id = changed.id;
END $$;

CREATE FUNCTION factors_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refactor_users(ARRAY(SELECT DISTINCT user_id FROM new_rows));
    RETURN NULL;
END $$;

CREATE FUNCTION factors_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refactor_users(ARRAY(SELECT DISTINCT user_id FROM old_rows));
    RETURN NULL;
END $$;

CREATE TRIGGER totp_factors_added AFTER INSERT ON totp_factors
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factors_added();
CREATE TRIGGER totp_factors_removed AFTER DELETE ON totp_factors
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factors_removed();
CREATE TRIGGER webauthn_credentials_added AFTER INSERT ON webauthn_credentials
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION factors_added();
CREATE TRIGGER webauthn_credentials_removed AFTER DELETE ON webauthn_credentials
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION factors_removed();

-- A deleted portal's row goes with it.
CREATE FUNCTION portal_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_counts WHERE account_id = OLD.account_id AND portal_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER portals_delete_counts AFTER DELETE ON portals FOR EACH ROW EXECUTE FUNCTION portal_counts_deleted();
