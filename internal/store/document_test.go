package store_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestADocumentReadsItsUpdaterUnderTheirCurrentName(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		conn := db.Conn()
		acct, _, bea := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		_, _, hank := createAccountWithUsers(t, db, "Globex", "admin@globex.test", "hank@globex.test")
		org := &padlock.Organization{AccountID: acct, Name: "Initech", CreatedAt: time.Now()}
		if err := conn.CreateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		d := &padlock.Document{AccountID: acct, OrganizationID: org.ID, Title: "Network", UpdatedAt: time.Now(), UpdatedByID: bea.ID}
		if err := conn.CreateDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := conn.SetUserName(ctx, bea.ID, "Bea Renamed"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			stored string // updated_by as written; "" keeps what CreateDocument wrote
			wantID int64
			wantBy string
		}{
			{"a user id reads as that user's current name", "", bea.ID, "Bea Renamed"},
			{"a name stored before ids were recorded reads as that name", "Old Name", 0, "Old Name"},
			{"a user id of another account never names that user", strconv.FormatInt(hank.ID, 10), 0, "Deleted user #" + strconv.FormatInt(hank.ID, 10)},
			{"nobody reads as nobody", "", 0, ""},
		}
		for _, tt := range tests {
			if tt.stored != "" || tt.wantID == 0 {
				if err := conn.ExecForTest(ctx, `UPDATE documents SET updated_by = $1 WHERE id = $2`, tt.stored, d.ID); err != nil {
					t.Fatal(err)
				}
			}
			got, err := conn.Document(ctx, acct, org.ID, d.ID)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if got.UpdatedByID != tt.wantID || got.UpdatedBy != tt.wantBy {
				t.Errorf("%s: updater %d %q, want %d %q", tt.name, got.UpdatedByID, got.UpdatedBy, tt.wantID, tt.wantBy)
			}
			list, err := conn.Documents(ctx, acct, org.ID, false, store.DocumentKey{}, 10)
			if err != nil || len(list) != 1 || list[0].UpdatedBy != tt.wantBy {
				t.Errorf("%s: the list reads %v, %v", tt.name, list, err)
			}
		}
	})
}

// A documents list finds each document's saver by index: without it, each
// document read every user of the account. Checked with each database's
// own plan, on an account large enough for the planner to care.
func TestTheDocumentsListFindsItsSaversByIndex(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		acct, _, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		seedUsers(t, db, acct, "acme", 5_000)
		org := seedDocuments(t, db, acct, 200)
		analyze(t, db)
		prefix := "EXPLAIN "
		if db.Dialect() == store.SQLite {
			prefix = "EXPLAIN QUERY PLAN "
		}
		plan, err := db.Conn().PlanForTest(context.Background(), prefix+store.DocumentListQueryForTest, acct, org.ID, false, "", 0, 51)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "users_id_text_idx") {
			t.Errorf("the plan does not find savers by users_id_text_idx:\n%s", plan)
		}
		if sorts(db, plan) {
			t.Errorf("the plan sorts the documents it read:\n%s", plan)
		}
	})
}
