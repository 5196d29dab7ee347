package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestAcceptingAnInvitation(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, clock := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		accept := func(token string) error {
			_, err := svc.AcceptInvitation(ctx, token, "Grace Hopper", strongPassword, "test")
			return err
		}

		t.Run("a password the policy refuses is reported on its field and leaves the link usable", func(t *testing.T) {
			token := invite(t, svc, admin, "grace.hopper@acme.test", padlock.RoleEditor)
			_, err := svc.AcceptInvitation(ctx, token, "Grace Hopper", "grace.hopper@acme.test", "test")
			var e *padlock.Error
			if !errors.As(err, &e) || e.Fields.Message("password") == "" {
				t.Fatalf("AcceptInvitation with the email as password = %v, want an error on password", err)
			}
			if _, err := svc.PeekInvitation(ctx, token); err != nil {
				t.Errorf("the link no longer works: %v", err)
			}
		})
		t.Run("an invited user signs in only after accepting", func(t *testing.T) {
			token := invite(t, svc, admin, "ada@acme.test", padlock.RoleEditor)
			if _, err := svc.SignIn(ctx, "ada@acme.test", strongPassword, "test"); err != auth.ErrBadCredentials {
				t.Errorf("sign-in before accepting: %v", err)
			}
			if err := accept(token); err != nil {
				t.Fatalf("AcceptInvitation: %v", err)
			}
			if c := testenv.Credentials(t, db, "ada@acme.test"); c.User.Status != padlock.StatusActive || c.User.Name != "Grace Hopper" {
				t.Errorf("after accepting: %s, %q", c.User.Status, c.User.Name)
			}
			signIn(t, svc, "ada@acme.test")
		})
		t.Run("a used link is refused", func(t *testing.T) {
			token := invite(t, svc, admin, "used@acme.test", padlock.RoleEditor)
			if err := accept(token); err != nil {
				t.Fatal(err)
			}
			if err := accept(token); err != auth.ErrLinkInvalid {
				t.Errorf("second use: %v, want ErrLinkInvalid", err)
			}
		})
		t.Run("a link replaced by a resent invitation is refused", func(t *testing.T) {
			old := invite(t, svc, admin, "resent@acme.test", padlock.RoleEditor)
			u := testenv.Credentials(t, db, "resent@acme.test").User
			if err := administer(svc).ResendInvitation(ctx, auth.Actor{User: admin}, u.ID); err != nil {
				t.Fatal(err)
			}
			fresh := testenv.MailToken(t, db, "resent@acme.test", "invited", "/invitation/")
			if err := accept(old); err != auth.ErrLinkInvalid {
				t.Errorf("the old link: %v, want ErrLinkInvalid", err)
			}
			if err := accept(fresh); err != nil {
				t.Errorf("the new link: %v", err)
			}
		})
		t.Run("the link of a deactivated invitee is refused", func(t *testing.T) {
			token := invite(t, svc, admin, "dropped@acme.test", padlock.RoleEditor)
			u := testenv.Credentials(t, db, "dropped@acme.test").User
			if err := administer(svc).Deactivate(ctx, auth.Actor{User: admin}, u.ID); err != nil {
				t.Fatal(err)
			}
			if err := accept(token); err != auth.ErrLinkInvalid {
				t.Errorf("AcceptInvitation: %v, want ErrLinkInvalid", err)
			}
		})
		t.Run("an invitation expires after 72 hours", func(t *testing.T) {
			early := invite(t, svc, admin, "early@acme.test", padlock.RoleEditor)
			late := invite(t, svc, admin, "late@acme.test", padlock.RoleEditor)
			clock.Advance(72*time.Hour - time.Second)
			if err := accept(early); err != nil {
				t.Errorf("a second before 72 hours: %v", err)
			}
			clock.Advance(time.Second)
			if _, err := svc.PeekInvitation(ctx, late); err != auth.ErrLinkInvalid {
				t.Errorf("PeekInvitation at 72 hours: %v, want ErrLinkInvalid", err)
			}
			if err := accept(late); err != auth.ErrLinkInvalid {
				t.Errorf("AcceptInvitation at 72 hours: %v, want ErrLinkInvalid", err)
			}
			if c := testenv.Credentials(t, db, "late@acme.test"); c.User.Status != padlock.StatusInvited {
				t.Errorf("late@acme.test is %s", c.User.Status)
			}
		})
		t.Run("an unknown link is refused", func(t *testing.T) {
			token, _ := auth.NewToken()
			if err := accept(token); err != auth.ErrLinkInvalid {
				t.Errorf("AcceptInvitation: %v, want ErrLinkInvalid", err)
			}
		})
	})
}
