package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// ActivityFilter selects and pages an account's audit events.
type ActivityFilter struct {
	Kinds  []string // any of these kinds; empty means every kind
	UserID int64    // events with this user as actor or target; 0 means anyone
	// PortalID keeps the events attributed to one portal; 0 means every
	// event of the account.
	PortalID int64
	// From and To are UTC days, both included: events from the start of
	// From's day to the end of To's. A zero time leaves that end open.
	From, To time.Time
	// BeforeID pages by key: only events older than this one (id < BeforeID),
	// so every page is as fast as the first. 0 starts at the newest.
	BeforeID int64
	// AfterID reads forward instead, oldest first: only events newer than
	// this one (id > AfterID; 0 from the first), for a feed that picks up
	// where it left off (the API's activity).
	AfterID int64
	Forward bool
	Limit   int // 0 means every matching event
}

// maxActivityBatch is the most events Activity makes room for at once.
const maxActivityBatch = 1000

// ActivityEntry is an event with the names of its actor and target. The
// names are empty when there is no such user (ID 0: the command line or an
// unknown caller) or the user no longer exists.
type ActivityEntry struct {
	padlock.Event
	ActorName, ActorEmail   string
	TargetName, TargetEmail string
	PortalName              string // the portal an event is attributed to, if any
}

// Activity lists the account's events matching f, newest first. It never
// returns another account's events, nor names another account's users.
func (q *Queries) Activity(ctx context.Context, accountID int64, f ActivityFilter) ([]ActivityEntry, error) {
	query, args := activityQuery(accountID, f)
	rows, err := q.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ActivityEntry
	if f.Limit > 0 && f.Limit <= maxActivityBatch {
		out = make([]ActivityEntry, 0, f.Limit) // a batch of an export grows no copies
	}
	for rows.Next() {
		var (
			e  ActivityEntry
			at int64
		)
		if err := rows.Scan(&e.ID, &e.AccountID, &e.ActorID, &e.TargetID, &e.Kind, &e.Detail, &e.Address, &at,
			&e.ActorName, &e.ActorEmail, &e.TargetName, &e.TargetEmail, &e.PortalID, &e.PortalName, &e.ActorLabel); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0)
		out = append(out, e)
	}
	return out, rows.Err()
}

// activityQuery builds the SQL for Activity with numbered placeholders, the
// same text for SQLite and PostgreSQL.
func activityQuery(accountID int64, f ActivityFilter) (string, []any) {
	var b strings.Builder
	args := []any{accountID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(`SELECT e.id, e.account_id, e.actor_id, e.target_id, e.kind, e.detail, e.address, e.created_at,
		COALESCE(a.name, ''), COALESCE(a.email, ''), COALESCE(t.name, ''), COALESCE(t.email, ''), e.portal_id, COALESCE(p.name, ''), e.actor_label
		FROM audit_events e
		LEFT JOIN users a ON a.id = e.actor_id AND a.account_id = e.account_id
		LEFT JOIN users t ON t.id = e.target_id AND t.account_id = e.account_id
		LEFT JOIN portals p ON p.id = e.portal_id AND p.account_id = e.account_id
		WHERE e.account_id = $1`)
	if len(f.Kinds) > 0 {
		marks := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			marks[i] = arg(k)
		}
		b.WriteString(` AND e.kind IN (` + strings.Join(marks, ", ") + `)`)
	}
	if f.PortalID != 0 {
		b.WriteString(` AND e.portal_id = ` + arg(f.PortalID))
	}
	if f.UserID != 0 {
		p := arg(f.UserID)
		b.WriteString(` AND (e.actor_id = ` + p + ` OR e.target_id = ` + p + `)`)
	}
	if !f.From.IsZero() {
		b.WriteString(` AND e.created_at >= ` + arg(startOfDay(f.From).Unix()))
	}
	if !f.To.IsZero() {
		b.WriteString(` AND e.created_at < ` + arg(startOfDay(f.To).AddDate(0, 0, 1).Unix()))
	}
	if f.BeforeID != 0 {
		b.WriteString(` AND e.id < ` + arg(f.BeforeID))
	}
	if f.Forward {
		b.WriteString(` AND e.id > ` + arg(f.AfterID) + ` ORDER BY e.id`)
	} else {
		b.WriteString(` ORDER BY e.id DESC`)
	}
	if f.Limit > 0 {
		b.WriteString(` LIMIT ` + arg(f.Limit))
	}
	return b.String(), args
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
