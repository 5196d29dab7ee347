// Package store keeps Padlock's state in SQLite or PostgreSQL with the same
// SQL: every query uses $N placeholders, integer Unix times and portable
// upserts, so one implementation serves both databases.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Dialect names the database behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the handle to Padlock's database. It is safe for concurrent use.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	// schemaErr is told when a statement names a table or column the
	// database lacks; see OnSchemaError.
	schemaErr atomic.Pointer[func()]
	// statements are SQLite's prepared statements (statements.go).
	statements statementCache
}

// Open connects to the database named by databaseURL: a postgres:// URL
// selects PostgreSQL; an empty one opens SQLite in dataDir/padlock.db.
// It does not migrate; see Migrate and CheckSchema.
func Open(ctx context.Context, databaseURL, dataDir string) (*DB, error) {
	var (
		db  *sql.DB
		d   Dialect
		err error
	)
	switch {
	case databaseURL == "":
		if dataDir == "" {
			return nil, errors.New("store: no data directory for SQLite")
		}
		db, err = openSQLite(filepath.Join(dataDir, "padlock.db"))
		d = SQLite
	case strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://"):
		db, err = sql.Open("pgx", withConnectTimeout(databaseURL))
		d = Postgres
		if err == nil {
			db.SetMaxOpenConns(DefaultMaxConns)
			db.SetMaxIdleConns(DefaultMaxConns)
		}
	default:
		return nil, errors.New("store: the database URL must start with postgres://")
	}
	if err != nil {
		return nil, err
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, fmt.Errorf("store: the database did not answer in time (connect_timeout in the URL, %s seconds by default): %w", defaultConnectTimeout, err)
		}
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return &DB{sql: db, dialect: d}, nil
}

// DefaultMaxConns is the size of the PostgreSQL connection pool unless
// SetMaxConns changes it.
const DefaultMaxConns = 32

// SetMaxConns sets how many PostgreSQL connections the node holds at most,
// open and idle alike. SQLite keeps its own small pool.
func (db *DB) SetMaxConns(n int) {
	if db.dialect == Postgres && n > 0 {
		db.sql.SetMaxOpenConns(n)
		db.sql.SetMaxIdleConns(n)
	}
}

// MaxConns tells how many connections the pool holds at most.
func (db *DB) MaxConns() int { return db.sql.Stats().MaxOpenConnections }

// OnSchemaError sets fn to be called (on the caller's goroutine, so it must
// not block) whenever a statement fails on a table or column the database
// does not have: a sign that another release changed the schema.
func (db *DB) OnSchemaError(fn func()) { db.schemaErr.Store(&fn) }

// defaultConnectTimeout bounds, in seconds, each new PostgreSQL connection
// from TCP connect to authentication, so a server that accepts and never
// answers fails start-up instead of hanging it. Tests shorten it.
var defaultConnectTimeout = "10"

// withConnectTimeout adds connect_timeout to a PostgreSQL URL that sets none
// (nor PGCONNECT_TIMEOUT).
func withConnectTimeout(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || os.Getenv("PGCONNECT_TIMEOUT") != "" {
		return databaseURL // pgx reports the bad URL or applies the variable
	}
	q := u.Query()
	if q.Get("connect_timeout") != "" {
		return databaseURL
	}
	q.Set("connect_timeout", defaultConnectTimeout)
	u.RawQuery = q.Encode()
	return u.String()
}

func openSQLite(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		// Create the file with owner-only permissions before SQLite does.
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		f.Close()
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db, nil
}

// Dialect tells which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close waits for the statements being prepared in the background, then
// releases the connections.
func (db *DB) Close() error {
	db.statements.close()
	return db.sql.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.check(db.sql.PingContext(ctx)) }

// check classifies an error of the driver (see classify) and reports a
// missing table or column to the OnSchemaError hook.
func (db *DB) check(err error) error {
	if err == nil {
		return nil
	}
	if schemaMismatch(err) {
		if fn := db.schemaErr.Load(); fn != nil {
			(*fn)()
		}
	}
	return classify(err)
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checked is a querier whose errors pass through DB.check, so every store
// method reports an unreachable database as padlock.ErrUnavailable.
type checked struct {
	q  querier
	db *DB
}

func (c checked) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	counted(ctx)
	if stmt := c.statement(ctx, query); stmt != nil {
		res, err := stmt.ExecContext(ctx, args...)
		return res, c.db.check(err)
	}
	res, err := c.q.ExecContext(ctx, query, args...)
	return res, c.db.check(err)
}

func (c checked) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	counted(ctx)
	if stmt := c.statement(ctx, query); stmt != nil {
		rows, err := stmt.QueryContext(ctx, args...)
		return rows, c.db.check(err)
	}
	rows, err := c.q.QueryContext(ctx, query, args...)
	return rows, c.db.check(err)
}

func (c checked) QueryRowContext(ctx context.Context, query string, args ...any) checkedRow {
	counted(ctx)
	if stmt := c.statement(ctx, query); stmt != nil {
		return checkedRow{row: stmt.QueryRowContext(ctx, args...), db: c.db}
	}
	return checkedRow{row: c.q.QueryRowContext(ctx, query, args...), db: c.db}
}

// checkedRow is a *sql.Row whose Scan error passes through DB.check.
type checkedRow struct {
	row *sql.Row
	db  *DB
}

func (r checkedRow) Scan(dest ...any) error { return r.db.check(r.row.Scan(dest...)) }

// Queries are the store's queries, run on the pool (from Conn) or inside a
// transaction (from InTx). Every store method is defined once, on Queries.
type Queries struct {
	sql checked
}

// Conn returns the queries run straight on the pool, each on its own: for
// reads and single-statement writes.
func (db *DB) Conn() *Queries { return &Queries{sql: checked{q: db.sql, db: db}} }

// InTx runs fn in one transaction, committed if fn returns nil. On SQLite the
// transaction takes the write lock at its start (BEGIN IMMEDIATE), so two
// writers never deadlock on a lock upgrade.
func (db *DB) InTx(ctx context.Context, fn func(tx *Queries) error) error {
	counted(ctx)
	t, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", db.check(err))
	}
	if err := fn(&Queries{sql: checked{q: t, db: db}}); err != nil {
		t.Rollback()
		return classify(err) // also what fn read from rows after the query
	}
	counted(ctx)
	if err := t.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", db.check(err))
	}
	return nil
}

func (q *Queries) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := q.sql.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execOne runs a statement meant to change exactly one row: it returns
// padlock.ErrNotFound when the statement changed none.
func (q *Queries) execOne(ctx context.Context, query string, args ...any) error {
	n, err := q.exec(ctx, query, args...)
	if err == nil && n == 0 {
		return errNotFound
	}
	return err
}

// notFound turns sql.ErrNoRows into padlock.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound
	}
	return err
}
