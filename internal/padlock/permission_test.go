package padlock

import (
	"slices"
	"testing"
)

func TestPermissionsListsEveryPermissionARoleGrants(t *testing.T) {
	for role, granted := range permissions {
		for _, p := range granted {
			if !slices.Contains(Permissions, p) {
				t.Errorf("%s grants %q, which Permissions does not list", role, p)
			}
		}
	}
}
