package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// SignedIn is what every signed-in request reads: the session, its user,
// the user's account and, for a portal user, the portal.
type SignedIn struct {
	Session *padlock.Session
	User    *padlock.User
	Account *padlock.Account
	Portal  *padlock.Portal // nil for staff, or when the portal is gone
	// Held names the page of the form the session holds (HoldForm), with
	// when it is forgotten; zero when it holds none. Only that page reads
	// the form itself, so the other pages read nothing more.
	Held HeldForm
}

// signedInQuery reads the four, and the page of a held form, in one
// statement, so a page costs one round trip and one parse, whatever it
// shows.
var signedInQuery = `SELECT ` + qualify("s", sessionFields) + `, ` + userFields + `, ` + qualify("a", accountColumns) + `, ` +
	orZero("p", portalColumns, "name") + `, COALESCE(h.page, ''), COALESCE(h.expires_at, 0)
	FROM sessions s
	JOIN users ON users.id = s.user_id
	LEFT JOIN totp_factors f ON f.user_id = users.id
	JOIN accounts a ON a.id = s.account_id
	LEFT JOIN portals p ON p.id = users.portal_id
	LEFT JOIN held_forms h ON h.session_id = s.id
	WHERE s.token_hash = $1`

// SignedInByTokenHash returns the session stored under the hash with its
// user, account and portal; padlock.ErrNotFound when there is none.
func (q *Queries) SignedInByTokenHash(ctx context.Context, tokenHash []byte) (*SignedIn, error) {
	row := q.sql.QueryRowContext(ctx, signedInQuery, tokenHash)
	var (
		out      SignedIn
		err      error
		heldTill int64
	)
	// Each scan function reads its own columns; nested, they read one row
	// and each then converts its part.
	out.Session, err = scanSession(scanFunc(func(session ...any) error {
		out.User, err = scanUser(scanFunc(func(user ...any) error {
			out.Account, err = scanAccount(scanFunc(func(account ...any) error {
				out.Portal, err = scanPortal(scanFunc(func(portal ...any) error {
					dest := make([]any, 0, len(session)+len(user)+len(account)+len(portal)+2)
					dest = append(append(append(append(dest, session...), user...), account...), portal...)
					return row.Scan(append(dest, &out.Held.Page, &heldTill)...)
				}))
				return err
			}))
			return err
		}))
		return err
	}))
	if err != nil {
		return nil, err
	}
	if out.Portal.ID == 0 {
		out.Portal = nil
	}
	if out.Held.Page != "" {
		out.Held.ExpiresAt = time.Unix(heldTill, 0)
	}
	return &out, nil
}

// qualify prefixes each of a comma-separated list of columns with a table
// alias.
func qualify(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// orZero is qualify for a table on the optional side of a LEFT JOIN: each
// column reads as its zero value when there is no row, ” for the text
// columns named and 0 for the others.
func orZero(alias, columns string, text ...string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		c = strings.TrimSpace(c)
		zero := "0"
		if slices.Contains(text, c) {
			zero = "''"
		}
		parts[i] = "COALESCE(" + alias + "." + c + ", " + zero + ")"
	}
	return strings.Join(parts, ", ")
}
