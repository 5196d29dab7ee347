package padlock

import "fmt"

// Role is an account user's role. Roles are ordered by rank: a lower number
// outranks a higher one.
type Role string

const (
	RoleAdministrator Role = "administrator"
	RoleManager       Role = "manager"
	RoleEditor        Role = "editor"
	RoleCreator       Role = "creator"
	RoleReadOnly      Role = "read_only"
	RoleLite          Role = "lite"
	// RolePortalAdministrator is a portal role only: a person at the client
	// who manages the portal's own users. It is never an account role.
	RolePortalAdministrator Role = "portal_administrator"
)

// Roles lists the account roles from the highest rank to the lowest.
var Roles = []Role{RoleAdministrator, RoleManager, RoleEditor, RoleCreator, RoleReadOnly, RoleLite}

// ParseRole turns a stored or submitted role name into a Role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown role %q", s)
}

// Label is the role's name as people read it.
func (r Role) Label() string {
	switch r {
	case RoleAdministrator:
		return "Administrator"
	case RoleManager:
		return "Manager"
	case RoleEditor:
		return "Editor"
	case RoleCreator:
		return "Creator"
	case RoleReadOnly:
		return "Read-only"
	case RoleLite:
		return "Lite"
	case RolePortalAdministrator:
		return "Portal administrator"
	}
	return fmt.Sprintf("Unknown (%s)", string(r))
}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return len(Roles)
}

// IsAccountRole reports whether r may be given to a member of the account's
// staff.
func (r Role) IsAccountRole() bool { return r.rank() < len(Roles) }

// Outranks reports whether r is strictly above other.
func (r Role) Outranks(other Role) bool { return r.rank() < other.rank() }

// CanResetMFA reports whether r may reset the MFA of another user with role
// target: an Administrator anyone's, a Manager anyone's below Administrator.
func (r Role) CanResetMFA(target Role) bool {
	switch r {
	case RoleAdministrator:
		return true
	case RoleManager:
		return target != RoleAdministrator
	}
	return false
}
