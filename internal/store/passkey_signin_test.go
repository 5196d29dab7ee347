package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// Whoever administers a user hears of their copied passkey: the account's
// active Administrators and, for a portal user, that portal's
// administrators; never the user, a deactivated one or another portal's.
func TestTheAdministratorsOfAUserAreTheAccountsAndTheirPortals(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		acct, admin, editor := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "ed@acme.test")
		createAccountWithUsers(t, db, "Globex", "admin@globex.test", "hank@globex.test")
		portal := portalWithSeededUsers(t, db, acct, 2)
		err := db.InTx(ctx, func(tx *store.Queries) error {
			org := &padlock.Organization{AccountID: acct, Name: "Umbrella", CreatedAt: time.Now()}
			if err := tx.CreateOrganization(ctx, org); err != nil {
				return err
			}
			p := &padlock.Portal{AccountID: acct, OrganizationID: org.ID, Name: "Umbrella portal", CreatedAt: time.Now()}
			if err := tx.CreatePortal(ctx, p); err != nil {
				return err
			}
			return tx.ExecForTest(ctx, `INSERT INTO users (account_id, portal_id, email, role, status, created_at) VALUES
				($1, $2, 'boss@initech.test', 'portal_administrator', 'active', 1),
				($1, $2, 'gone@initech.test', 'portal_administrator', 'deactivated', 1),
				($1, $3, 'boss@other.test', 'portal_administrator', 'active', 1),
				($1, NULL, 'ops@acme.test', 'administrator', 'active', 1),
				($1, NULL, 'left@acme.test', 'administrator', 'deactivated', 1)`, acct, portal, p.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		client, err := db.Conn().CredentialsByEmail(ctx, "client1@initech.test")
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name             string
			portalID, userID int64
			want             string
		}{
			{"a member of the staff", 0, editor.ID, "admin@acme.test ops@acme.test"},
			{"an Administrator", 0, admin.ID, "ops@acme.test"},
			{"a portal user", portal, client.User.ID, "admin@acme.test boss@initech.test ops@acme.test"},
		} {
			got, err := db.Conn().AdministratorEmails(ctx, acct, tc.portalID, tc.userID)
			if err != nil || strings.Join(got, " ") != tc.want {
				t.Errorf("%s: %v, want %s (%v)", tc.name, got, tc.want, err)
			}
		}
	})
}
