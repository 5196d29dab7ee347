package store

import (
	"context"
	"time"
)

// HeldForm is a form a session sent while it had to set up or prove MFA
// first, as stored: the page it is given back on, the form sealed for the
// session's user, and when it is forgotten.
type HeldForm struct {
	Page      string
	Sealed    []byte
	ExpiresAt time.Time
}

// HoldForm keeps a form for a session, in place of any it held before.
func (q *Queries) HoldForm(ctx context.Context, sessionID int64, f *HeldForm) error {
	_, err := q.exec(ctx, `INSERT INTO held_forms (session_id, page, form, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (session_id) DO UPDATE SET page = excluded.page, form = excluded.form, expires_at = excluded.expires_at`,
		sessionID, f.Page, f.Sealed, f.ExpiresAt.Unix())
	return err
}

// HeldForm returns the session's held form, unless it has expired.
func (q *Queries) HeldForm(ctx context.Context, sessionID int64, now time.Time) (*HeldForm, error) {
	var (
		f  HeldForm
		ex int64
	)
	err := q.sql.QueryRowContext(ctx, `SELECT page, form, expires_at FROM held_forms WHERE session_id = $1 AND expires_at > $2`,
		sessionID, now.Unix()).Scan(&f.Page, &f.Sealed, &ex)
	if err != nil {
		return nil, notFound(err)
	}
	f.ExpiresAt = time.Unix(ex, 0)
	return &f, nil
}

// TakeHeldForm returns the session's held form if it belongs to page and
// has not expired, and forgets it in the same statement: of two requests
// for the page, one gets it.
func (q *Queries) TakeHeldForm(ctx context.Context, sessionID int64, page string, now time.Time) (*HeldForm, error) {
	var (
		f  HeldForm
		ex int64
	)
	err := q.sql.QueryRowContext(ctx, `DELETE FROM held_forms WHERE session_id = $1 AND page = $2 RETURNING page, form, expires_at`,
		sessionID, page).Scan(&f.Page, &f.Sealed, &ex)
	if err != nil {
		return nil, notFound(err)
	}
	if f.ExpiresAt = time.Unix(ex, 0); !now.Before(f.ExpiresAt) {
		return nil, errNotFound
	}
	return &f, nil
}

// DeleteExpiredHeldForms forgets held forms past their time.
func (q *Queries) DeleteExpiredHeldForms(ctx context.Context, now time.Time) (int64, error) {
	return q.exec(ctx, `DELETE FROM held_forms WHERE expires_at <= $1`, now.Unix())
}
