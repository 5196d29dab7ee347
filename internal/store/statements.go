package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite parses a statement's text every time it runs one, and parsing is
// a large part of what a query costs it; PostgreSQL's driver already keeps
// a prepared statement per connection. So on SQLite every query runs as a
// prepared statement, prepared once and kept: database/sql prepares it
// again on each connection that runs it, and inside a transaction
// (Tx.StmtContext) on the transaction's own connection.

// maxStatements bounds the cache. The store's queries are fixed texts, so
// it fills with the program's own queries and stops growing; a bug that
// built queries from data would run unprepared rather than grow it.
const maxStatements = 1000

type statementCache struct {
	prepared sync.Map // query text → *sql.Stmt
	warming  sync.Map // query text → true, while it is being prepared
	size     atomic.Int64

	// Close waits for the preparations still running, so that no
	// connection is opened or closed after it returns (on SQLite that
	// would touch files in a data directory the caller may be removing).
	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup
	stop    context.CancelFunc
	stopped context.Context
}

// statement returns the prepared statement to run query with, or nil to
// run it as text (PostgreSQL, or a statement not prepared yet inside a
// transaction).
func (c checked) statement(ctx context.Context, query string) *sql.Stmt {
	db := c.db
	if db.dialect != SQLite {
		return nil
	}
	if s, ok := db.statements.prepared.Load(query); ok {
		if tx, ok := c.q.(*sql.Tx); ok {
			return tx.StmtContext(ctx, s.(*sql.Stmt))
		}
		return s.(*sql.Stmt)
	}
	if _, ok := c.q.(*sql.Tx); ok {
		// Preparing needs a connection of the pool, which a transaction
		// must not wait for while it holds one (every other connection may
		// be waiting for its lock): prepare it aside for the next time.
		db.warm(query)
		return nil
	}
	s, err := db.prepare(ctx, query)
	if err != nil {
		return nil // the query run as text reports the error
	}
	return s
}

// prepare prepares query on the pool and keeps it, unless the cache is
// full.
func (db *DB) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if db.statements.size.Load() >= maxStatements {
		return nil, errCacheFull
	}
	s, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.statements.prepared.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	db.statements.size.Add(1)
	return s, nil
}

// warm prepares query in the background, once at a time.
func (db *DB) warm(query string) {
	c := &db.statements
	if _, busy := c.warming.LoadOrStore(query, true); busy {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		c.warming.Delete(query)
		return
	}
	if c.stopped == nil {
		c.stopped, c.stop = context.WithCancel(context.Background())
	}
	c.running.Add(1)
	go func() {
		defer c.running.Done()
		defer c.warming.Delete(query)
		ctx, cancel := context.WithTimeout(c.stopped, 5*time.Second)
		defer cancel()
		db.prepare(ctx, query) // a failure leaves the query to run as text
	}()
}

// close stops new preparations and waits for running ones.
func (c *statementCache) close() {
	c.mu.Lock()
	c.closed = true
	if c.stop != nil {
		c.stop()
	}
	c.mu.Unlock()
	c.running.Wait()
}

var errCacheFull = errors.New("store: the statement cache is full")
