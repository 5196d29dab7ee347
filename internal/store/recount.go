package store

import "context"

// The triggers of migration 0020 keep users.mfa_factors and user_counts in
// the statement that changes a user or a factor, so no path of Padlock's
// can leave them behind. A database changed outside Padlock can: data
// restored with its triggers disabled, a row edited by hand. The
// after-restore step therefore counts them again from the users and their
// factors.

// factorsOfUser is users.mfa_factors as the factor tables have it.
const factorsOfUser = `CASE WHEN EXISTS (SELECT 1 FROM totp_factors f WHERE f.user_id = users.id) THEN 1 ELSE 0 END +
	CASE WHEN EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = users.id) THEN 2 ELSE 0 END`

// Recounted tells what recountKept found.
type Recounted struct {
	Users int64 // users whose mfa_factors did not match their factors
	Lists int64 // lists (the staff, a portal) with users, counted again
}

// recountKept sets every user's mfa_factors from their factors, then
// writes user_counts again from the users, as migration 0020 first did
// (a migration is never edited, so its count is not shared from here). Run
// it in a transaction.
func (q *Queries) recountKept(ctx context.Context) (Recounted, error) {
	var r Recounted
	var err error
	if r.Users, err = q.exec(ctx, `UPDATE users SET mfa_factors = `+factorsOfUser+` WHERE mfa_factors <> `+factorsOfUser); err != nil {
		return r, err
	}
	if _, err = q.exec(ctx, `DELETE FROM user_counts`); err != nil {
		return r, err
	}
	r.Lists, err = q.exec(ctx, `INSERT INTO user_counts (account_id, portal_id, users, with_mfa, with_passkey,
			current_users, current_with_mfa, current_with_app, current_with_passkey)
		SELECT account_id, COALESCE(portal_id, 0), COUNT(*),
			SUM(CASE WHEN mfa_factors <> 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN mfa_factors >= 2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN status <> 'deactivated' THEN 1 ELSE 0 END),
			SUM(CASE WHEN status <> 'deactivated' AND mfa_factors <> 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN status <> 'deactivated' AND mfa_factors IN (1, 3) THEN 1 ELSE 0 END),
			SUM(CASE WHEN status <> 'deactivated' AND mfa_factors >= 2 THEN 1 ELSE 0 END)
		FROM users GROUP BY account_id, COALESCE(portal_id, 0)`)
	return r, err
}
