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

// ssoRecord creates an account's SSO settings as the first visit does.
func ssoRecord(t *testing.T, db *store.DB, accountID int64, publicID string) *store.SSORecord {
	t.Helper()
	r := &store.SSORecord{SSOConfig: padlock.SSOConfig{AccountID: accountID, PublicID: publicID}, SPCertificate: "cert", SPKeySealed: []byte("sealed")}
	if err := db.Conn().CreateSSOConfig(context.Background(), r, time.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := db.Conn().SSOConfig(context.Background(), padlock.SSOTenant{AccountID: accountID})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSSOSettingsAreStoredPerAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, conn := context.Background(), db.Conn()
		a, adminA, userA := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		b, _, _ := createAccountWithUsers(t, db, "Globex", "admin@globex.test", "hank@globex.test")
		rec := ssoRecord(t, db, a, "publicida")
		ssoRecord(t, db, b, "publicidb")

		t.Run("the first settings stay when made twice", func(t *testing.T) {
			again := &store.SSORecord{SSOConfig: padlock.SSOConfig{AccountID: a, PublicID: "another"}, SPCertificate: "other", SPKeySealed: []byte("x")}
			if err := conn.CreateSSOConfig(ctx, again, time.Now()); err != nil {
				t.Fatal(err)
			}
			got, _ := conn.SSOConfigByPublicID(ctx, "publicida")
			if got == nil || got.SPCertificate != "cert" {
				t.Fatalf("the first settings were replaced: %+v", got)
			}
		})
		t.Run("options, domains and break-glass users round-trip", func(t *testing.T) {
			c := rec.SSOConfig
			c.Enabled, c.AcceptIDPMFA, c.MFAContexts, c.JIT, c.JITRole = true, true, []string{"urn:a", "urn:b"}, true, padlock.RoleCreator
			c.Domains, c.BreakGlass = []string{"acme.test"}, []int64{adminA.ID, userA.ID}
			if err := db.InTx(ctx, func(tx *store.Queries) error { return tx.SaveSSOOptions(ctx, &c, time.Now()) }); err != nil {
				t.Fatal(err)
			}
			got, _ := conn.SSOConfig(ctx, padlock.SSOTenant{AccountID: a})
			if !got.Enabled || !got.AcceptIDPMFA || len(got.MFAContexts) != 2 || got.JITRole != padlock.RoleCreator || len(got.BreakGlass) != 2 || got.Domains[0] != "acme.test" {
				t.Fatalf("stored %+v", got.SSOConfig)
			}
			if id, err := conn.SSOPublicIDByDomain(ctx, "acme.test"); err != nil || id != "publicida" {
				t.Fatalf("by domain: %q %v", id, err)
			}
		})
		t.Run("a domain belongs to one account", func(t *testing.T) {
			c := padlock.SSOConfig{AccountID: b, JITRole: padlock.RoleLite, Domains: []string{"acme.test"}}
			err := db.InTx(ctx, func(tx *store.Queries) error { return tx.SaveSSOOptions(ctx, &c, time.Now()) })
			if padlock.ErrorCode(err) != padlock.ECONFLICT {
				t.Fatalf("claiming another account's domain: %v", err)
			}
		})
		t.Run("a break-glass user must be of the account", func(t *testing.T) {
			c := padlock.SSOConfig{AccountID: b, JITRole: padlock.RoleLite, BreakGlass: []int64{adminA.ID}}
			err := db.InTx(ctx, func(tx *store.Queries) error { return tx.SaveSSOOptions(ctx, &c, time.Now()) })
			if !errors.Is(err, padlock.ErrNotFound) {
				t.Fatalf("another account's user as break-glass: %v", err)
			}
		})
		t.Run("a new IdP forgets the last test", func(t *testing.T) {
			if err := conn.RecordSSOTest(ctx, padlock.SSOTenant{AccountID: a}, time.Now()); err != nil {
				t.Fatal(err)
			}
			c := rec.SSOConfig
			c.IDPEntityID, c.IDPSSOURL, c.IDPCertificates = "https://idp", "https://idp/sso", "pem"
			if err := conn.SaveSSOIDP(ctx, &c, time.Now()); err != nil {
				t.Fatal(err)
			}
			if got, _ := conn.SSOConfig(ctx, padlock.SSOTenant{AccountID: a}); !got.LastTestAt.IsZero() || got.IDPEntityID != "https://idp" {
				t.Fatalf("after a new IdP: %+v", got.SSOConfig)
			}
		})
	})
}

func TestSSORequestsAreUsedOnceAndExpire(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, conn, now := context.Background(), db.Conn(), time.Now().Truncate(time.Second)
		a, _, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		b, _, _ := createAccountWithUsers(t, db, "Globex", "admin@globex.test", "hank@globex.test")
		req := &store.SSORequest{AccountID: a, RelayHash: []byte("relay"), BindingHash: []byte("browser"), RequestID: "id-1",
			Purpose: "sign-in", Next: "/x", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
		if _, err := conn.CreateSSORequest(ctx, req, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.TakeSSORequest(ctx, padlock.SSOTenant{AccountID: b}, []byte("relay"), now); !errors.Is(err, padlock.ErrNotFound) {
			t.Fatalf("another account took the request: %v", err)
		}
		got, err := conn.TakeSSORequest(ctx, padlock.SSOTenant{AccountID: a}, []byte("relay"), now)
		if err != nil || got.RequestID != "id-1" || string(got.BindingHash) != "browser" || got.Next != "/x" {
			t.Fatalf("take: %+v %v", got, err)
		}
		if _, err := conn.TakeSSORequest(ctx, padlock.SSOTenant{AccountID: a}, []byte("relay"), now); !errors.Is(err, padlock.ErrNotFound) {
			t.Fatalf("taken twice: %v", err)
		}
		req.RelayHash = []byte("late")
		if _, err := conn.CreateSSORequest(ctx, req, 10); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.TakeSSORequest(ctx, padlock.SSOTenant{AccountID: a}, []byte("late"), now.Add(10*time.Minute)); !errors.Is(err, padlock.ErrNotFound) {
			t.Fatalf("an expired request was taken: %v", err)
		}
	})
}

func TestTheReplayCacheAcceptsAnAssertionOncePerAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, conn, now := context.Background(), db.Conn(), time.Now().Truncate(time.Second)
		a, _, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		b, _, _ := createAccountWithUsers(t, db, "Globex", "admin@globex.test", "hank@globex.test")
		if err := conn.ConsumeSSOAssertion(ctx, a, "id-x", now.Add(time.Minute), now); err != nil {
			t.Fatal(err)
		}
		if err := conn.ConsumeSSOAssertion(ctx, a, "id-x", now.Add(time.Minute), now); !errors.Is(err, store.ErrAssertionUsed) {
			t.Fatalf("second use: %v", err)
		}
		if err := conn.ConsumeSSOAssertion(ctx, b, "id-x", now.Add(time.Minute), now); err != nil {
			t.Fatalf("the same ID at another account: %v", err)
		}
		// An expired record is dropped; the assertion itself is refused by
		// its own time limits by then.
		if err := conn.ConsumeSSOAssertion(ctx, a, "id-x", now.Add(3*time.Minute), now.Add(2*time.Minute)); err != nil {
			t.Fatalf("after expiry: %v", err)
		}
	})
}

func TestAnSSOSessionMarkEndsWithItsSession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, conn, now := context.Background(), db.Conn(), time.Now().Truncate(time.Second)
		a, admin, _ := createAccountWithUsers(t, db, "Acme", "admin@acme.test", "bea@acme.test")
		sess := &padlock.Session{UserID: admin.ID, AccountID: a, State: padlock.SessionFull, CredentialVersion: admin.CredentialVersion,
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := conn.CreateSession(ctx, sess, []byte("token-hash"), "test"); err != nil {
			t.Fatal(err)
		}
		if err := conn.MarkSSOSession(ctx, sess.ID, a, "urn:mfa"); err != nil {
			t.Fatal(err)
		}
		if ctxRef, err := conn.SSOSessionContext(ctx, sess.ID); err != nil || ctxRef != "urn:mfa" {
			t.Fatalf("context: %q %v", ctxRef, err)
		}
		if _, err := conn.DeleteSession(ctx, sess.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.SSOSessionContext(ctx, sess.ID); !errors.Is(err, padlock.ErrNotFound) {
			t.Fatalf("the mark outlived its session: %v", err)
		}
	})
}
