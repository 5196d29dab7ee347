package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/padlock-mfa/padlock/internal/padlock"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var errNotFound = padlock.ErrNotFound

// isUniqueViolation reports whether err is a unique-constraint failure on
// the named constraint. PostgreSQL names the constraint in a typed error;
// SQLite reports the columns of the constraint in its message, so the caller
// passes those too.
func isUniqueViolation(err error, pgConstraint, sqliteColumns string) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505" && pgErr.ConstraintName == pgConstraint
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		return sqlErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE && strings.Contains(sqlErr.Error(), sqliteColumns)
	}
	return false
}
