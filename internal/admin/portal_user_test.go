package admin_test

import (
	"context"
	"testing"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// An invited portal user never had access: deactivating them voids their
// link without a mail, and reactivating puts them back to "invited", still
// without one, for a new invitation to follow.
func TestAnInvitedPortalUsersLifecycleSendsOnlyInvitations(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		boss := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		as := auth.Actor{User: boss}
		org := &padlock.Organization{AccountID: boss.AccountID, Name: "Initech"}
		if err := db.Conn().CreateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		p, err := svc.CreatePortal(ctx, as, admin.PortalInput{OrganizationID: org.ID, Name: "Initech portal"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Invite(ctx, as, p.ID, []string{"dee@initech.test"}, padlock.RoleLite); err != nil {
			t.Fatal(err)
		}
		testenv.TakeMail(t, db)
		dee := testenv.Credentials(t, db, "dee@initech.test").User

		if err := svc.DeactivatePortalUser(ctx, as, p.ID, dee.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.ReactivatePortalUser(ctx, as, p.ID, dee.ID); err != nil {
			t.Fatal(err)
		}
		if got := testenv.Credentials(t, db, dee.Email).User.Status; got != padlock.StatusInvited {
			t.Fatalf("status %s after reactivation, want invited", got)
		}
		if msgs := testenv.TakeMail(t, db); len(msgs) != 0 {
			t.Fatalf("mail to a user who never had access: %+v", msgs)
		}
		if err := svc.ResendPortalInvitation(ctx, as, p.ID, dee.ID); err != nil {
			t.Fatal(err)
		}
		if msgs := testenv.MailsTo(testenv.TakeMail(t, db), dee.Email, "invited"); len(msgs) != 1 {
			t.Fatalf("%d invitations after the resend, want 1", len(msgs))
		}
		for _, role := range []padlock.Role{padlock.RoleAdministrator, padlock.RoleManager, padlock.RoleReadOnly} {
			if err := svc.SetPortalUserRole(ctx, as, p.ID, dee.ID, role); !refused(err) {
				t.Errorf("a portal user made %s: %v", role, err)
			}
		}
	})
}
