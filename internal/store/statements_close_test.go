package store

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// Statements met first inside a transaction are prepared in the
// background. Close must wait for them: a preparation still running
// afterwards opens a connection, and SQLite then writes files in a data
// directory its owner may already be removing.
func TestCloseWaitsForTheStatementsBeingPrepared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "padlock-close")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Queries) error {
		for i := range 50 {
			if _, err := tx.exec(ctx, fmt.Sprintf("SELECT %d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	busy := 0
	db.statements.warming.Range(func(any, any) bool { busy++; return true })
	if busy != 0 {
		t.Errorf("%d statements were still being prepared after Close", busy)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Errorf("the data directory could not be removed after Close: %v", err)
	}
}
