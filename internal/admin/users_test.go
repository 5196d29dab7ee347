package admin_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// refused tells whether err is a refusal on grounds of rank: forbidden, or a
// field error on the role.
func refused(err error) bool {
	var e *padlock.Error
	return errors.As(err, &e) && (e.Code == padlock.EFORBIDDEN || e.Code == padlock.EINVALID && e.Fields.Message("role") != "")
}

func TestAManagerManagesOnlyUsersOfLowerRank(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		manager := addUser(t, svc, admin, "manager@acme.test", padlock.RoleManager)
		other := addUser(t, svc, admin, "admin2@acme.test", padlock.RoleAdministrator)
		peer := addUser(t, svc, admin, "manager2@acme.test", padlock.RoleManager)
		editor := addUser(t, svc, admin, "editor@acme.test", padlock.RoleEditor)
		as := auth.Actor{User: manager}

		tests := []struct {
			name    string
			do      func() error
			allowed bool
		}{
			{"a Manager may not invite an Administrator", func() error {
				_, err := svc.Invite(ctx, as, 0, []string{"boss@acme.test"}, padlock.RoleAdministrator)
				return err
			}, false},
			{"a Manager may not invite a Manager", func() error {
				_, err := svc.Invite(ctx, as, 0, []string{"boss@acme.test"}, padlock.RoleManager)
				return err
			}, false},
			{"a Manager may not change an Administrator's role", func() error { return svc.SetRole(ctx, as, other.ID, padlock.RoleLite) }, false},
			{"a Manager may not deactivate an Administrator", func() error { return svc.Deactivate(ctx, as, admin.ID) }, false},
			{"a Manager may not change another Manager's role", func() error { return svc.SetRole(ctx, as, peer.ID, padlock.RoleLite) }, false},
			{"a Manager may not deactivate another Manager", func() error { return svc.Deactivate(ctx, as, peer.ID) }, false},
			{"a Manager may not promote an Editor to Administrator", func() error { return svc.SetRole(ctx, as, editor.ID, padlock.RoleAdministrator) }, false},
			{"a Manager may not promote an Editor to Manager", func() error { return svc.SetRole(ctx, as, editor.ID, padlock.RoleManager) }, false},
			{"a Manager may not promote themself", func() error { return svc.SetRole(ctx, as, manager.ID, padlock.RoleAdministrator) }, false},
			{"a Manager may invite an Editor", func() error {
				_, err := svc.Invite(ctx, as, 0, []string{"new@acme.test"}, padlock.RoleEditor)
				return err
			}, true},
			{"a Manager may change an Editor's role", func() error { return svc.SetRole(ctx, as, editor.ID, padlock.RoleCreator) }, true},
			{"a Manager may deactivate an Editor", func() error { return svc.Deactivate(ctx, as, editor.ID) }, true},
			{"a Manager may reactivate an Editor", func() error { return svc.Reactivate(ctx, as, editor.ID) }, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.do()
				if tt.allowed && err != nil {
					t.Errorf("refused: %v", err)
				}
				if !tt.allowed && !refused(err) {
					t.Errorf("got %v, want EFORBIDDEN or a field error on role", err)
				}
			})
		}
		t.Run("nothing refused was changed", func(t *testing.T) {
			for _, want := range []*padlock.User{admin, other, peer} {
				got := testenv.Credentials(t, db, want.Email).User
				if got.Role != want.Role || got.Status != padlock.StatusActive {
					t.Errorf("%s is now %s, %s", want.Email, got.Role, got.Status)
				}
			}
			if _, err := db.Conn().CredentialsByEmail(ctx, "boss@acme.test"); !errors.Is(err, padlock.ErrNotFound) {
				t.Errorf("boss@acme.test was invited: %v", err)
			}
		})
	})
}

func TestRolesWithoutUserManagementManageNobody(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		lite := addUser(t, svc, admin, "lite@acme.test", padlock.RoleLite)
		for _, role := range []padlock.Role{padlock.RoleEditor, padlock.RoleCreator, padlock.RoleReadOnly, padlock.RoleLite} {
			t.Run("an "+role.Label()+" may not invite, change or deactivate", func(t *testing.T) {
				as := auth.Actor{User: &padlock.User{ID: admin.ID + 1000, AccountID: admin.AccountID, Role: role}}
				if _, err := svc.Invite(ctx, as, 0, []string{"x@acme.test"}, padlock.RoleLite); !refused(err) {
					t.Errorf("Invite: %v", err)
				}
				if err := svc.SetRole(ctx, as, lite.ID, padlock.RoleReadOnly); !refused(err) {
					t.Errorf("SetRole: %v", err)
				}
				if err := svc.Deactivate(ctx, as, lite.ID); !refused(err) {
					t.Errorf("Deactivate: %v", err)
				}
			})
		}
	})
}

func TestTheLastAdministratorStays(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		admin := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		second := addUser(t, svc, admin, "admin2@acme.test", padlock.RoleAdministrator)
		as := auth.Actor{User: admin}

		tests := []struct {
			name string
			do   func() error
			code string
		}{
			{"an Administrator may not deactivate themself", func() error { return svc.Deactivate(ctx, as, admin.ID) }, padlock.ECONFLICT},
			{"with two Administrators one may demote the other", func() error { return svc.SetRole(ctx, as, second.ID, padlock.RoleManager) }, ""},
			{"the last Administrator may not demote themself", func() error { return svc.SetRole(ctx, as, admin.ID, padlock.RoleManager) }, padlock.ECONFLICT},
			{"the last Administrator may not be deactivated", func() error { return svc.Deactivate(ctx, as, admin.ID) }, padlock.ECONFLICT},
			{"a second Administrator may be made again", func() error { return svc.SetRole(ctx, as, second.ID, padlock.RoleAdministrator) }, ""},
			{"with two Administrators one may deactivate the other", func() error { return svc.Deactivate(ctx, as, second.ID) }, ""},
			{"a deactivated Administrator does not count: the last active one may not demote themself", func() error {
				return svc.SetRole(ctx, as, admin.ID, padlock.RoleEditor)
			}, padlock.ECONFLICT},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if got := padlock.ErrorCode(tt.do()); got != tt.code {
					t.Errorf("error code %q, want %q", got, tt.code)
				}
			})
		}
		if got := testenv.Credentials(t, db, admin.Email).User; got.Role != padlock.RoleAdministrator || got.Status != padlock.StatusActive {
			t.Errorf("the first Administrator is now %s, %s", got.Role, got.Status)
		}
	})
}

// Two Administrators demoting each other at the same moment must leave one.
func TestTwoAdministratorsDemotingEachOtherAtOnceLeaveOne(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		a := setupAccount(t, svc, "Acme IT", "a@acme.test")
		for round := 0; round < 20; round++ {
			b := addUser(t, svc, a, "b"+string(rune('a'+round))+"@acme.test", padlock.RoleAdministrator)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, pair := range [][2]*padlock.User{{a, b}, {b, a}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					svc.SetRole(ctx, auth.Actor{User: pair[0]}, pair[1].ID, padlock.RoleEditor)
				}()
			}
			close(start)
			wg.Wait()
			n, err := db.Conn().CountAdministrators(ctx, a.AccountID)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("round %d: %d active Administrators, want 1", round, n)
			}
			if testenv.Credentials(t, db, a.Email).User.Role != padlock.RoleAdministrator {
				a = b // b won; the next round's pair is b and a new user
			}
		}
	})
}

func TestAnAdministratorCannotReachAnotherAccountsUsers(t *testing.T) {
	t.Parallel()
	testenv.ForEachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		adminA := setupAccount(t, svc, "Acme IT", "admin@acme.test")
		adminB := setupAccount(t, svc, "Globex IT", "admin@globex.test")
		userB := addUser(t, svc, adminB, "editor@globex.test", padlock.RoleEditor)
		invite(t, svc, adminB, "invited@globex.test", padlock.RoleEditor)
		invitedB := testenv.Credentials(t, db, "invited@globex.test").User
		as := auth.Actor{User: adminA}

		tests := []struct {
			name string
			do   func() error
		}{
			{"changing the role of another account's user is not found", func() error { return svc.SetRole(ctx, as, userB.ID, padlock.RoleLite) }},
			{"deactivating another account's user is not found", func() error { return svc.Deactivate(ctx, as, userB.ID) }},
			{"reactivating another account's user is not found", func() error { return svc.Reactivate(ctx, as, userB.ID) }},
			{"resending another account's invitation is not found", func() error { return svc.ResendInvitation(ctx, as, invitedB.ID) }},
			{"demoting another account's Administrator is not found", func() error { return svc.SetRole(ctx, as, adminB.ID, padlock.RoleLite) }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.do(); !errors.Is(err, padlock.ErrNotFound) {
					t.Errorf("got %v, want ErrNotFound", err)
				}
			})
		}
		t.Run("inviting an address used in another account answers like any invitation and changes nothing there", func(t *testing.T) {
			if n, err := svc.Invite(ctx, as, 0, []string{"editor@globex.test"}, padlock.RoleLite); err != nil || n != 1 {
				t.Errorf("Invite: %d, %v; want it answered like any other", n, err)
			}
		})
		for _, u := range []*padlock.User{userB, adminB} {
			got := testenv.Credentials(t, db, u.Email).User
			if got.Role != u.Role || got.Status != padlock.StatusActive || got.AccountID != adminB.AccountID {
				t.Errorf("%s is now %s, %s in account %d", u.Email, got.Role, got.Status, got.AccountID)
			}
		}
		signIn(t, svc, "editor@globex.test")
	})
}
