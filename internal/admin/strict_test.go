package admin_test

import (
	"context"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// A portal's level follows the account's rule: a Manager may raise it to
// phishing-resistant MFA only, only an Administrator may lower it, and
// turning the requirement off forgets the level.
func TestOnlyAnAdministratorLowersAPortalsStrictLevel(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clock := newService(t, db)
		boss := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		manager := addUser(t, svc, boss, "manager@acme.test", padlock.RoleManager)
		org := &padlock.Organization{AccountID: boss.AccountID, Name: "Initech"}
		if err := db.Conn().CreateOrganization(ctx, org); err != nil {
			t.Fatal(err)
		}
		in := admin.PortalInput{OrganizationID: org.ID, Name: "Initech portal", RequireMFA: true, GraceDays: 3}
		p, err := svc.CreatePortal(ctx, auth.Actor{User: boss}, in)
		if err != nil {
			t.Fatal(err)
		}
		level := func() padlock.Requirement {
			t.Helper()
			got, err := db.Conn().PortalByID(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Requirement()
		}
		in.PhishingResistant = true
		if err := svc.UpdatePortal(ctx, auth.Actor{User: manager}, p.ID, in); err != nil {
			t.Fatalf("a Manager raises the level: %v", err)
		}
		raisedAt := level().StrictAt
		if !level().Strict() || !raisedAt.Equal(clock.Now().Truncate(time.Second)) {
			t.Fatalf("after raising: %+v", level())
		}
		in.PhishingResistant = false
		err = svc.UpdatePortal(ctx, auth.Actor{User: manager}, p.ID, in)
		if padlock.ErrorCode(err) != padlock.EFORBIDDEN || !level().Strict() {
			t.Fatalf("a Manager lowers the level: %v, strict %v", err, level().Strict())
		}
		// Saving it again keeps when it was raised: the grace does not restart.
		clock.Advance(time.Hour)
		in.PhishingResistant = true
		if err := svc.UpdatePortal(ctx, auth.Actor{User: manager}, p.ID, in); err != nil || !level().StrictAt.Equal(raisedAt) {
			t.Fatalf("saving the strict level again: %v, raised at %v, want %v", err, level().StrictAt, raisedAt)
		}
		in.PhishingResistant = false
		if err := svc.UpdatePortal(ctx, auth.Actor{User: boss}, p.ID, in); err != nil || level().Strict() {
			t.Fatalf("an Administrator lowers the level: %v, strict %v", err, level().Strict())
		}
		in.PhishingResistant, in.RequireMFA = true, false
		if err := svc.UpdatePortal(ctx, auth.Actor{User: boss}, p.ID, in); err != nil || level().Strict() || !level().StrictAt.IsZero() {
			t.Fatalf("the level without the requirement: %v, %+v", err, level())
		}
	})
}
