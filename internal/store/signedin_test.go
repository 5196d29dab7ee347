package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The one query of a signed-in request reads the same session, user,
// account and portal as the separate look-ups it replaces, for staff and
// for a portal user, and finds nothing under an unknown token.
func TestSignedInReadsWhatTheSeparateLookUpsRead(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx, conn := t.Context(), db.Conn()
		now := time.Now().Truncate(time.Second)
		acct := &padlock.Account{Name: "Acme IT", SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour, CreatedAt: now}
		must(t, conn.CreateAccount(ctx, acct))
		staff := &padlock.User{AccountID: acct.ID, Email: "ada@acme.test", Name: "Ada", Role: padlock.RoleAdministrator, Status: padlock.StatusActive, CreatedAt: now}
		must(t, conn.CreateUser(ctx, staff, "hash"))
		must(t, conn.ActivateTOTP(ctx, staff.ID, []byte("sealed"), 1, now))
		org := &padlock.Organization{AccountID: acct.ID, Name: "Client", CreatedAt: now}
		must(t, conn.CreateOrganization(ctx, org))
		portal := &padlock.Portal{AccountID: acct.ID, OrganizationID: org.ID, Name: "Client portal", MFARequiredAt: now, CreatedAt: now}
		must(t, conn.CreatePortal(ctx, portal))
		client := &padlock.User{AccountID: acct.ID, PortalID: portal.ID, Email: "cy@client.test", Role: padlock.RoleLite, Status: padlock.StatusActive, CreatedAt: now, MFADeadline: now.Add(time.Hour)}
		must(t, conn.CreateUser(ctx, client, "hash"))

		for i, u := range []*padlock.User{staff, client} {
			token := []byte{byte(i + 1)}
			s := &padlock.Session{UserID: u.ID, AccountID: acct.ID, State: padlock.SessionFull, FirstStep: padlock.FirstPassword,
				Proved: padlock.ProofTOTP, CredentialVersion: u.CredentialVersion, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
			must(t, conn.CreateSession(ctx, s, token, "127.0.0.1"))

			got, err := conn.SignedInByTokenHash(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			wantSession, _ := conn.SessionByTokenHash(ctx, token)
			wantUser, _ := conn.UserByID(ctx, u.ID)
			wantAccount, _ := conn.Account(ctx, acct.ID)
			if *got.Session != *wantSession || *got.User != *wantUser || *got.Account != *wantAccount {
				t.Errorf("%s: signed in as\n%+v\n%+v\n%+v\nwant\n%+v\n%+v\n%+v", u.Email, got.Session, got.User, got.Account, wantSession, wantUser, wantAccount)
			}
			if u.PortalID == 0 && got.Portal != nil {
				t.Errorf("a staff member's session has a portal: %+v", got.Portal)
			}
			if u.PortalID != 0 {
				wantPortal, _ := conn.PortalByID(ctx, u.PortalID)
				if got.Portal == nil || *got.Portal != *wantPortal {
					t.Errorf("the portal user's portal is %+v, want %+v", got.Portal, wantPortal)
				}
			}
		}
		if got, err := conn.SignedInByTokenHash(ctx, []byte{9}); !errors.Is(err, padlock.ErrNotFound) {
			t.Errorf("an unknown token: %+v, %v; want not found", got, err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
