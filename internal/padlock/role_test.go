package padlock

import (
	"slices"
	"testing"
)

// Y and N fill the role grids of these tests. A grid has one row per role
// and its columns follow Roles: Administrator, Manager, Editor, Creator,
// Read-only, Lite.
const Y, N = true, false

// checkGrid compares f(row, column) with the grid over every pair of roles.
func checkGrid(t *testing.T, want map[Role][6]bool, f func(r, other Role) bool) {
	t.Helper()
	if len(want) != len(Roles) {
		t.Fatalf("the grid has %d rows for %d roles", len(want), len(Roles))
	}
	for _, r := range Roles {
		row, ok := want[r]
		if !ok {
			t.Errorf("the grid has no row for %s", r)
			continue
		}
		for i, other := range Roles {
			if got := f(r, other); got != row[i] {
				t.Errorf("%s, %s: got %v, want %v", r, other, got, row[i])
			}
		}
	}
}

func TestRolesAreListedFromTheHighestRank(t *testing.T) {
	want := []Role{RoleAdministrator, RoleManager, RoleEditor, RoleCreator, RoleReadOnly, RoleLite}
	if !slices.Equal(Roles, want) {
		t.Fatalf("Roles = %v, want %v", Roles, want)
	}
}

func TestParseRoleAcceptsOnlyTheStoredNames(t *testing.T) {
	cases := []struct {
		name, in string
		want     Role
		ok       bool
	}{
		{"administrator is a role", "administrator", RoleAdministrator, true},
		{"manager is a role", "manager", RoleManager, true},
		{"editor is a role", "editor", RoleEditor, true},
		{"creator is a role", "creator", RoleCreator, true},
		{"read_only is a role", "read_only", RoleReadOnly, true},
		{"lite is a role", "lite", RoleLite, true},
		{"an empty name is refused", "", "", false},
		{"a label is not a name", "Read-only", "", false},
		{"a capitalised name is refused", "Administrator", "", false},
		{"spaces are not trimmed", " manager", "", false},
		{"an unknown name is refused", "owner", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRole(tc.in)
			if got != tc.want || (err == nil) != tc.ok {
				t.Fatalf("ParseRole(%q) = %q, %v", tc.in, got, err)
			}
			if err != nil && ErrorCode(err) != EINVALID {
				t.Fatalf("error code %q, want %q", ErrorCode(err), EINVALID)
			}
		})
	}
}

func TestRoleLabelNamesEachRoleAndAdmitsAnUnknownOne(t *testing.T) {
	cases := []struct {
		role Role
		want string
	}{
		{RoleAdministrator, "Administrator"},
		{RoleManager, "Manager"},
		{RoleEditor, "Editor"},
		{RoleCreator, "Creator"},
		{RoleReadOnly, "Read-only"},
		{RoleLite, "Lite"},
		{"owner", "Unknown (owner)"},
		{"", "Unknown ()"},
	}
	for _, tc := range cases {
		if got := tc.role.Label(); got != tc.want {
			t.Errorf("%q.Label() = %q, want %q", tc.role, got, tc.want)
		}
	}
}

func TestOutranksFollowsTheOrderOfRoles(t *testing.T) {
	checkGrid(t, map[Role][6]bool{
		RoleAdministrator: {N, Y, Y, Y, Y, Y},
		RoleManager:       {N, N, Y, Y, Y, Y},
		RoleEditor:        {N, N, N, Y, Y, Y},
		RoleCreator:       {N, N, N, N, Y, Y},
		RoleReadOnly:      {N, N, N, N, N, Y},
		RoleLite:          {N, N, N, N, N, N},
	}, Role.Outranks)
}

func TestAnUnknownRoleRanksBelowEveryRole(t *testing.T) {
	for _, r := range Roles {
		if !r.Outranks("owner") || Role("owner").Outranks(r) {
			t.Errorf("%s and an unknown role: %v, %v", r, r.Outranks("owner"), Role("owner").Outranks(r))
		}
	}
}

// TestCanResetMFA follows "Reset another user's MFA" in the role table: an
// Administrator anyone's, a Manager anyone's but an Administrator's (portal
// users have the roles Editor, Creator and Lite).
func TestCanResetMFA(t *testing.T) {
	checkGrid(t, map[Role][6]bool{
		RoleAdministrator: {Y, Y, Y, Y, Y, Y},
		RoleManager:       {N, Y, Y, Y, Y, Y},
		RoleEditor:        {N, N, N, N, N, N},
		RoleCreator:       {N, N, N, N, N, N},
		RoleReadOnly:      {N, N, N, N, N, N},
		RoleLite:          {N, N, N, N, N, N},
	}, Role.CanResetMFA)
}
