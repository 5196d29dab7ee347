package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
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

// unavailableError is a driver error that means the database cannot serve
// now. It is padlock.ErrUnavailable to callers and keeps the driver's error
// for the log.
type unavailableError struct{ cause error }

func (e *unavailableError) Error() string   { return "store: database unavailable: " + e.cause.Error() }
func (e *unavailableError) Unwrap() []error { return []error{padlock.ErrUnavailable, e.cause} }

// classify wraps err in padlock.ErrUnavailable when it says the database
// cannot be reached, is read-only, out of space, locked beyond its timeout,
// or ran out of time; any other error passes unchanged.
func classify(err error) error {
	if err == nil || !unavailable(err) || errors.Is(err, padlock.ErrUnavailable) {
		return err
	}
	return &unavailableError{cause: err}
}

func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgUnavailable(pgErr.Code)
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		switch sqlErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_INTERRUPT:
			return true
		}
		return false
	}
	// pgx: no connection could be made, the connection broke, or the
	// error came before anything was sent (a closed connection).
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// pgUnavailable reports whether a PostgreSQL error code (SQLSTATE) means the
// server cannot serve now rather than that the statement is wrong.
func pgUnavailable(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exception
		return true
	case strings.HasPrefix(code, "53"): // insufficient resources: disk full, out of memory, too many connections
		return true
	case strings.HasPrefix(code, "57P0"): // the server is shutting down, crashed or starting
		return true
	}
	switch code {
	case "25006", // read-only transaction: a standby, or default_transaction_read_only
		"57014", // statement timeout
		"55P03": // lock timeout
		return true
	}
	return false
}

// schemaMismatch reports whether err names a table or column that does not
// exist: the schema is not the one this program was built for. SQLite has
// no code finer than SQLITE_ERROR for this, so its message decides.
func schemaMismatch(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "42P01" || pgErr.Code == "42703" // undefined table, undefined column
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) && sqlErr.Code()&0xff == sqlite3.SQLITE_ERROR {
		msg := sqlErr.Error()
		return strings.Contains(msg, "no such table") || strings.Contains(msg, "no such column") || strings.Contains(msg, "has no column named")
	}
	return false
}
