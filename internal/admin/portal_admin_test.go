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

// The services check a portal administrator themselves, whatever portal id
// a caller passes: only their own portal, only its other users who are not
// administrators, and never a role change or deletion.
func TestThePortalAdminServicesKeepToTheirOwnPortal(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		staff := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		as := auth.Actor{User: staff}
		portal := func(name string) *padlock.Portal {
			org := &padlock.Organization{AccountID: staff.AccountID, Name: name}
			if err := db.Conn().CreateOrganization(ctx, org); err != nil {
				t.Fatal(err)
			}
			p, err := svc.CreatePortal(ctx, as, admin.PortalInput{OrganizationID: org.ID, Name: name + " portal"})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		join := func(p *padlock.Portal, email string, role padlock.Role) *padlock.User {
			if _, err := svc.Invite(ctx, as, p.ID, []string{email}, role); err != nil {
				t.Fatal(err)
			}
			return testenv.Credentials(t, db, email).User
		}
		p, p2 := portal("Initech"), portal("Hooli")
		boss := join(p, "boss@initech.test", padlock.RolePortalAdministrator)
		boss2 := join(p, "boss2@initech.test", padlock.RolePortalAdministrator)
		lite := join(p, "lite@initech.test", padlock.RoleLite)
		other := join(p2, "lite@hooli.test", padlock.RoleLite)
		me := auth.Actor{User: boss}

		cases := []struct {
			name         string
			portal, user int64
			code         string
		}{
			{"a user of another portal under its own id", p2.ID, other.ID, padlock.ENOTFOUND},
			{"a user of another portal under their own portal's id", p.ID, other.ID, padlock.ENOTFOUND},
			{"a staff member", p.ID, staff.ID, padlock.ENOTFOUND},
			{"another portal administrator", p.ID, boss2.ID, padlock.EFORBIDDEN},
			{"themselves", p.ID, boss.ID, padlock.ECONFLICT},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for name, fn := range map[string]func(context.Context, auth.Actor, int64, int64) error{
					"deactivate": svc.DeactivatePortalUser, "reactivate": svc.ReactivatePortalUser,
					"resend": svc.ResendPortalInvitation, "reset MFA": svc.ResetPortalUserMFA,
				} {
					if err := fn(ctx, me, tc.portal, tc.user); padlock.ErrorCode(err) != tc.code {
						t.Errorf("%s: %v, want %s", name, err, tc.code)
					}
				}
			})
		}
		if _, err := svc.Invite(ctx, me, p2.ID, []string{"x@hooli.test"}, padlock.RoleLite); padlock.ErrorCode(err) != padlock.ENOTFOUND {
			t.Errorf("invite to another portal: %v", err)
		}
		if _, err := svc.Invite(ctx, me, 0, []string{"x@acme.test"}, padlock.RoleLite); err == nil {
			t.Error("a portal administrator invited staff")
		}
		if _, err := svc.Invite(ctx, me, p.ID, []string{"x@initech.test"}, padlock.RolePortalAdministrator); err == nil {
			t.Error("a portal administrator appointed another")
		}
		if err := svc.SetPortalUserRole(ctx, me, p.ID, lite.ID, padlock.RoleEditor); !refused(err) {
			t.Errorf("a portal administrator changed a role: %v", err)
		}
		if err := svc.DeletePortalUser(ctx, me, p.ID, lite.ID); !refused(err) {
			t.Errorf("a portal administrator deleted a user: %v", err)
		}
		// Their own portal's Lite user, they may.
		if err := svc.DeactivatePortalUser(ctx, me, p.ID, lite.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.ResetPortalUserMFA(ctx, me, p.ID, lite.ID); err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{other.Email, boss2.Email, staff.Email} {
			if u := testenv.Credentials(t, db, email).User; u.Status == padlock.StatusDeactivated {
				t.Errorf("%s was deactivated", email)
			}
		}
	})
}
