package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// portalWithUser gives the account a portal for a new organization, with
// one active user, and returns both.
func portalWithUser(t *testing.T, db *store.DB, acct int64, name, email string) (*padlock.Portal, *padlock.User) {
	t.Helper()
	ctx := context.Background()
	org := &padlock.Organization{AccountID: acct, Name: name, CreatedAt: time.Now()}
	p := &padlock.Portal{AccountID: acct, Name: name + " portal", CreatedAt: time.Now()}
	u := &padlock.User{AccountID: acct, Email: email, Role: padlock.RoleLite, Status: padlock.StatusActive, CreatedAt: time.Now()}
	err := db.InTx(ctx, func(tx *store.Queries) error {
		if err := tx.CreateOrganization(ctx, org); err != nil {
			return err
		}
		p.OrganizationID = org.ID
		if err := tx.CreatePortal(ctx, p); err != nil {
			return err
		}
		u.PortalID = p.ID
		return tx.CreateUser(ctx, u, "x")
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, u
}

// tenantRecord creates a tenant's SSO settings as the first visit does.
func tenantRecord(t *testing.T, db *store.DB, tenant padlock.SSOTenant, publicID string) *store.SSORecord {
	t.Helper()
	r := &store.SSORecord{SSOConfig: padlock.SSOConfig{AccountID: tenant.AccountID, PortalID: tenant.PortalID, PublicID: publicID},
		SPCertificate: "cert of " + publicID, SPKeySealed: []byte("sealed")}
	if err := db.Conn().CreateSSOConfig(context.Background(), r, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := db.Conn().SSOConfig(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The account and each of its portals have settings of their own: found by
// tenant, with their own break-glass users and requests; a portal's are
// deleted with it; the account-wide lookups (domains, "is SSO on for an
// email domain") never see a portal's.
func TestSSOSettingsAreStoredPerTenant(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, conn, now := context.Background(), db.Conn(), time.Now().Truncate(time.Second)
		acct, admin, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		px, ux := portalWithUser(t, db, acct, "Initech", "boss@initech.test")
		py, uy := portalWithUser(t, db, acct, "Hooli", "boss@hooli.test")
		account, x, y := padlock.SSOTenant{AccountID: acct}, padlock.SSOTenant{AccountID: acct, PortalID: px.ID}, padlock.SSOTenant{AccountID: acct, PortalID: py.ID}
		tenantRecord(t, db, account, "publicidacct")
		recX := tenantRecord(t, db, x, "publicidx")
		tenantRecord(t, db, y, "publicidy")
		save := func(c padlock.SSOConfig) error {
			return db.InTx(ctx, func(tx *store.Queries) error { return tx.SaveSSOOptions(ctx, &c, now) })
		}

		t.Run("each tenant finds its own, by tenant and by address", func(t *testing.T) {
			for tenant, id := range map[padlock.SSOTenant]string{account: "publicidacct", x: "publicidx", y: "publicidy"} {
				got, err := conn.SSOConfig(ctx, tenant)
				if err != nil || got.PublicID != id || got.Tenant() != tenant {
					t.Errorf("%+v: %+v %v", tenant, got, err)
				}
				if got, _ := conn.SSOConfigByPublicID(ctx, id); got == nil || got.Tenant() != tenant {
					t.Errorf("%s names %+v", id, got)
				}
			}
			again := &store.SSORecord{SSOConfig: padlock.SSOConfig{AccountID: acct, PortalID: px.ID, PublicID: "another"}, SPCertificate: "other", SPKeySealed: []byte("x")}
			if err := conn.CreateSSOConfig(ctx, again, now); err != nil {
				t.Fatal(err)
			}
			if got, _ := conn.SSOConfig(ctx, x); got.PublicID != "publicidx" {
				t.Fatalf("the portal's first settings were replaced: %+v", got.SSOConfig)
			}
		})
		t.Run("break-glass users are kept per tenant, and only the tenant's own", func(t *testing.T) {
			c := recX.SSOConfig
			c.Enabled, c.JITRole, c.BreakGlass = true, padlock.RoleCreator, []int64{ux.ID}
			if err := save(c); err != nil {
				t.Fatal(err)
			}
			if err := save(padlock.SSOConfig{AccountID: acct, JITRole: padlock.RoleLite, BreakGlass: []int64{admin.ID}, Domains: []string{"acme.test"}}); err != nil {
				t.Fatal(err)
			}
			if got, _ := conn.SSOConfig(ctx, x); len(got.BreakGlass) != 1 || got.BreakGlass[0] != ux.ID || len(got.Domains) != 0 || got.JITRole != padlock.RoleCreator {
				t.Fatalf("the portal's settings after the account's were saved: %+v", got.SSOConfig)
			}
			if got, _ := conn.SSOConfig(ctx, account); len(got.BreakGlass) != 1 || got.BreakGlass[0] != admin.ID {
				t.Fatalf("the account's break-glass users: %v", got.BreakGlass)
			}
			for _, other := range []int64{admin.ID, uy.ID} {
				c.BreakGlass = []int64{other}
				if err := save(c); !errors.Is(err, padlock.ErrNotFound) {
					t.Errorf("user %d made a break-glass user of portal %d: %v", other, px.ID, err)
				}
			}
		})
		t.Run("the account-wide lookups see the account's settings only", func(t *testing.T) {
			if err := save(padlock.SSOConfig{AccountID: acct, JITRole: padlock.RoleLite, Domains: []string{"acme.test"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.SSOPublicIDByDomain(ctx, "acme.test"); !errors.Is(err, padlock.ErrNotFound) {
				t.Fatalf("a domain of an account whose SSO is off leads to an SSO address (a portal's is on): %v", err)
			}
			if offered, err := conn.SSOByEmailOffered(ctx); err != nil || offered {
				t.Fatalf("SSO by email offered while only a portal's SSO is on: %v %v", offered, err)
			}
		})
		t.Run("a request is taken only by its tenant", func(t *testing.T) {
			req := &store.SSORequest{AccountID: acct, PortalID: px.ID, RelayHash: []byte("relay-x"), BindingHash: []byte("browser"), RequestID: "id-x",
				Purpose: "sign-in", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
			if _, err := conn.CreateSSORequest(ctx, req, 10); err != nil {
				t.Fatal(err)
			}
			for _, other := range []padlock.SSOTenant{account, y} {
				if _, err := conn.TakeSSORequest(ctx, other, []byte("relay-x"), now); !errors.Is(err, padlock.ErrNotFound) {
					t.Fatalf("%+v took portal %d's request: %v", other, px.ID, err)
				}
			}
			if got, err := conn.TakeSSORequest(ctx, x, []byte("relay-x"), now); err != nil || got.RequestID != "id-x" || got.PortalID != px.ID {
				t.Fatalf("the portal's own: %+v %v", got, err)
			}
		})
		t.Run("deleting a portal deletes its settings and nothing else", func(t *testing.T) {
			if err := conn.DeletePortal(ctx, acct, py.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.SSOConfigByPublicID(ctx, "publicidy"); !errors.Is(err, padlock.ErrNotFound) {
				t.Fatalf("the deleted portal's settings: %v", err)
			}
			for _, tenant := range []padlock.SSOTenant{account, x} {
				if _, err := conn.SSOConfig(ctx, tenant); err != nil {
					t.Errorf("%+v: %v", tenant, err)
				}
			}
		})
	})
}
