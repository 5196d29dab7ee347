package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Reminders to set up MFA go at most once a day to each user. The limit is
// a column of the user's row, claimed by a conditional update: whichever
// node updates it first sends the reminder, and any other finds it taken.

// ClaimReminder records a reminder to the user at now unless they were
// reminded after since, and tells whether this reminder may be sent.
func (q *Queries) ClaimReminder(ctx context.Context, userID int64, now, since time.Time) (bool, error) {
	n, err := q.exec(ctx, `UPDATE users SET mfa_reminded_at = $2 WHERE id = $1 AND mfa_reminded_at <= $3`, userID, now.Unix(), since.Unix())
	return n == 1, err
}

// ReminderList names the users a "Remind all without MFA" reaches: the
// active users without MFA of an account's staff (PortalID 0) or of one
// portal, whose role is one of Roles (nil: any role). When PasskeyOnly (the
// list's requirement is phishing-resistant MFA only), users whose only
// factor is an app are reached too.
type ReminderList struct {
	AccountID, PortalID int64
	Roles               []padlock.Role
	PasskeyOnly         bool
}

// where is the list's condition on users, its arguments numbered from
// len(args)+1.
func (l ReminderList) where(args []any) (string, []any) {
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var b strings.Builder
	b.WriteString(`users.account_id = ` + arg(l.AccountID))
	if l.PortalID == 0 {
		b.WriteString(` AND users.portal_id IS NULL`)
	} else {
		b.WriteString(` AND users.portal_id = ` + arg(l.PortalID))
	}
	b.WriteString(` AND users.status = ` + arg(string(padlock.StatusActive)) +
		` AND NOT EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = users.id)`)
	if !l.PasskeyOnly {
		b.WriteString(` AND NOT EXISTS (SELECT 1 FROM totp_factors f WHERE f.user_id = users.id)`)
	}
	if l.Roles != nil {
		marks := make([]string, len(l.Roles))
		for i, r := range l.Roles {
			marks[i] = arg(string(r))
		}
		b.WriteString(` AND users.role IN (` + strings.Join(marks, ", ") + `)`)
	}
	return b.String(), args
}

// CountRemindable counts the active users without MFA of the list's staff
// or portal: all of them, and those whose role is one of the list's.
func (q *Queries) CountRemindable(ctx context.Context, l ReminderList) (all, ofRoles int, err error) {
	roles := l
	roles.Roles = nil
	where, args := roles.where(nil)
	ofRolesCase := `1`
	if l.Roles != nil {
		marks := make([]string, len(l.Roles))
		for i, r := range l.Roles {
			args = append(args, string(r))
			marks[i] = "$" + strconv.Itoa(len(args))
		}
		ofRolesCase = `CASE WHEN users.role IN (` + strings.Join(marks, ", ") + `) THEN 1 END`
	}
	err = q.sql.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(`+ofRolesCase+`) FROM users WHERE `+where, args...).Scan(&all, &ofRoles)
	return all, ofRoles, err
}

// ClaimReminders claims a reminder at now for every user of the list who
// was not reminded after since, and returns them (id, account, portal,
// email, name, deadline, when they joined and since when they have an
// app), by email.
func (q *Queries) ClaimReminders(ctx context.Context, l ReminderList, now, since time.Time) ([]*padlock.User, error) {
	where, args := l.where([]any{now.Unix(), since.Unix()})
	rows, err := q.sql.QueryContext(ctx, `UPDATE users SET mfa_reminded_at = $1 WHERE `+where+` AND users.mfa_reminded_at <= $2
		RETURNING id, account_id, COALESCE(portal_id, 0), email, name, mfa_deadline, created_at,
			COALESCE((SELECT f.confirmed_at FROM totp_factors f WHERE f.user_id = users.id), 0)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*padlock.User
	for rows.Next() {
		var (
			u                     padlock.User
			deadline, joined, app int64
		)
		if err := rows.Scan(&u.ID, &u.AccountID, &u.PortalID, &u.Email, &u.Name, &deadline, &joined, &app); err != nil {
			return nil, err
		}
		u.MFADeadline, u.Status, u.CreatedAt = unixOrZero(deadline), padlock.StatusActive, time.Unix(joined, 0)
		u.SetFactors(unixOrZero(app), time.Time{})
		out = append(out, &u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *padlock.User) int { return strings.Compare(a.Email, b.Email) })
	return out, nil
}

// LastReminder is when the user was last reminded to set up MFA, zero if
// never.
func (q *Queries) LastReminder(ctx context.Context, userID int64) (time.Time, error) {
	var at int64
	err := q.sql.QueryRowContext(ctx, `SELECT mfa_reminded_at FROM users WHERE id = $1`, userID).Scan(&at)
	return unixOrZero(at), notFound(err)
}

// ClaimInviteNotice records at now that the user with this email is told
// someone tried to invite them, unless they were told after since, and
// tells whether this notice may be sent: the same conditional update as
// ClaimReminder, by address.
func (q *Queries) ClaimInviteNotice(ctx context.Context, email string, now, since time.Time) (bool, error) {
	n, err := q.exec(ctx, `UPDATE users SET invite_notice_at = $2 WHERE email = $1 AND invite_notice_at <= $3`, email, now.Unix(), since.Unix())
	return n == 1, err
}
