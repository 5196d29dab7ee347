package store

import (
	"context"
	"sync/atomic"
)

// statementCountKey carries the counter of CountStatements in a context.
type statementCountKey struct{}

// CountStatements returns a context under which every statement the store
// runs, and every transaction it begins and commits, adds one to n. It is
// for tests that hold a path (a signed-in page, a refused sign-in) to the
// statements it may cost; statements run with other contexts, such as the
// background workers', are not counted.
func CountStatements(ctx context.Context, n *atomic.Int64) context.Context {
	return context.WithValue(ctx, statementCountKey{}, n)
}

// counted adds one to the counter ctx carries, if any.
func counted(ctx context.Context) {
	if n, ok := ctx.Value(statementCountKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}
