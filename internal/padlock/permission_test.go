package padlock

import (
	"errors"
	"slices"
	"testing"
)

// TestPermissionTable states the role table of docs/ADMIN_GUIDE.md ("Who can
// do what") one permission a row, so a change to who may do what shows here.
func TestPermissionTable(t *testing.T) {
	want := []struct {
		perm  Permission
		roles [7]bool // Administrator, Manager, Editor, Creator, Read-only, Lite | Portal administrator
	}{
		{PermManageUsers, [7]bool{Y, Y, N, N, N, N, N}},
		{PermManageSecurity, [7]bool{Y, Y, N, N, N, N, N}},
		{PermManageSSO, [7]bool{Y, N, N, N, N, N, N}},
		{PermManagePortals, [7]bool{Y, Y, N, N, N, N, N}},
		{PermManagePortalUsers, [7]bool{N, N, N, N, N, N, Y}},
		{PermManageOrganizations, [7]bool{Y, Y, N, N, N, N, N}},
		{PermViewDocuments, [7]bool{Y, Y, Y, Y, Y, Y, Y}},
		{PermCreateDocuments, [7]bool{Y, Y, Y, Y, N, N, Y}},
		{PermEditDocuments, [7]bool{Y, Y, Y, Y, N, N, Y}},
		{PermDeleteDocuments, [7]bool{Y, Y, Y, N, N, N, Y}},
	}
	roles := append(slices.Clone(Roles), RolePortalAdministrator)
	var listed []Permission
	for _, row := range want {
		listed = append(listed, row.perm)
		for i, r := range roles {
			if got := r.Can(row.perm); got != row.roles[i] {
				t.Errorf("%s.Can(%s) = %v, want %v", r, row.perm, got, row.roles[i])
			}
			if err := r.Permit(row.perm); (err == nil) != row.roles[i] || err != nil && !errors.Is(err, ErrNoAccess) {
				t.Errorf("%s.Permit(%s) = %v", r, row.perm, err)
			}
		}
	}
	if !slices.Equal(listed, Permissions) {
		t.Errorf("the table has rows %v, Permissions lists %v", listed, Permissions)
	}
}

// TestThePortalAdministratorIsNeverAStaffRole: no staff role may give it,
// and the account's role names do not include it.
func TestThePortalAdministratorIsNeverAStaffRole(t *testing.T) {
	if RolePortalAdministrator.IsAccountRole() || slices.Contains(Roles, RolePortalAdministrator) {
		t.Fatal("Portal administrator is an account role")
	}
	if _, err := ParseRole(string(RolePortalAdministrator)); err == nil {
		t.Error("ParseRole accepts portal_administrator")
	}
	for _, r := range append(slices.Clone(Roles), RolePortalAdministrator) {
		if r.CanManage(RolePortalAdministrator) || slices.Contains(r.AssignableRoles(), RolePortalAdministrator) {
			t.Errorf("%s may give a staff member the Portal administrator role", r)
		}
	}
}

func TestAssignablePortalRoles(t *testing.T) {
	cases := []struct {
		name string
		role Role
		want []Role
	}{
		{"an Administrator gives every portal role", RoleAdministrator, []Role{RolePortalAdministrator, RoleEditor, RoleCreator, RoleLite}},
		{"a Manager gives every portal role", RoleManager, []Role{RolePortalAdministrator, RoleEditor, RoleCreator, RoleLite}},
		{"a portal administrator gives all but their own", RolePortalAdministrator, []Role{RoleEditor, RoleCreator, RoleLite}},
		{"an Editor gives none", RoleEditor, nil},
		{"a Lite user gives none", RoleLite, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.role.AssignablePortalRoles(); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, in := range []string{"administrator", "manager", "read_only", "", "Portal administrator"} {
		if _, err := ParsePortalRole(in); err == nil {
			t.Errorf("ParsePortalRole accepts %q", in)
		}
	}
	if r, err := ParsePortalRole("portal_administrator"); err != nil || r != RolePortalAdministrator {
		t.Errorf("ParsePortalRole(portal_administrator) = %v, %v", r, err)
	}
}

func TestPermissionsListsEveryPermissionARoleGrants(t *testing.T) {
	for role, granted := range permissions {
		for _, p := range granted {
			if !slices.Contains(Permissions, p) {
				t.Errorf("%s grants %q, which Permissions does not list", role, p)
			}
		}
	}
}

func TestAnUnknownRoleOrPermissionGrantsNothing(t *testing.T) {
	for _, p := range Permissions {
		for _, r := range []Role{"", "owner"} {
			if r.Can(p) || r.Permit(p) == nil {
				t.Errorf("%q may %s", r, p)
			}
		}
	}
	for _, r := range Roles {
		if r.Can("manage_everything") {
			t.Errorf("%s has a permission that does not exist", r)
		}
	}
}

// TestCanManage follows "Invite, change the role of, deactivate users": an
// Administrator any user, a Manager only users of lower rank.
func TestCanManage(t *testing.T) {
	checkGrid(t, map[Role][6]bool{
		RoleAdministrator: {Y, Y, Y, Y, Y, Y},
		RoleManager:       {N, N, Y, Y, Y, Y},
		RoleEditor:        {N, N, N, N, N, N},
		RoleCreator:       {N, N, N, N, N, N},
		RoleReadOnly:      {N, N, N, N, N, N},
		RoleLite:          {N, N, N, N, N, N},
	}, Role.CanManage)
}

func TestAnUnknownRoleManagesNoOne(t *testing.T) {
	for _, target := range Roles {
		if Role("owner").CanManage(target) || Role("").CanManage(target) || Role("owner").CanResetMFA(target) {
			t.Errorf("an unknown role may manage or reset %s", target)
		}
	}
}

func TestAssignableRoles(t *testing.T) {
	cases := []struct {
		name string
		role Role
		want []Role
	}{
		{"an Administrator gives any role", RoleAdministrator, Roles},
		{"a Manager gives only the roles below Manager", RoleManager, []Role{RoleEditor, RoleCreator, RoleReadOnly, RoleLite}},
		{"an Editor gives none", RoleEditor, nil},
		{"a Creator gives none", RoleCreator, nil},
		{"a Read-only user gives none", RoleReadOnly, nil},
		{"a Lite user gives none", RoleLite, nil},
		{"an unknown role gives none", "owner", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.role.AssignableRoles(); !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
