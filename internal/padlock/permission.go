package padlock

// Permission is one capability of the role table in docs/ADMIN_GUIDE.md
// ("Who can do what").
type Permission string

const (
	// PermManageUsers covers the users list, invitations, role changes and
	// deactivation, limited further by CanManage.
	PermManageUsers Permission = "manage_users"
	// PermManageSecurity covers the account's authentication settings and
	// the activity log.
	PermManageSecurity Permission = "manage_security"
	// PermManageSSO covers single sign-on settings and API keys.
	PermManageSSO Permission = "manage_sso"
	// PermManagePortals covers client portals: creating, editing, deleting,
	// inviting portal users and resetting their MFA.
	PermManagePortals Permission = "manage_portals"
	// PermManagePortalUsers is the portal administrator's: on their own
	// portal's pages, its users (invite, deactivate, reactivate, resend an
	// invitation, reset MFA) and its activity. Nothing of the account.
	PermManagePortalUsers Permission = "manage_portal_users"
	// PermManageOrganizations covers adding client organizations.
	PermManageOrganizations Permission = "manage_organizations"
	PermViewDocuments       Permission = "view_documents"
	PermCreateDocuments     Permission = "create_documents"
	PermEditDocuments       Permission = "edit_documents"
	PermDeleteDocuments     Permission = "delete_documents"
)

// Permissions lists every permission, for whoever names one by its string
// (the web templates) and must check that it exists.
var Permissions = []Permission{
	PermManageUsers, PermManageSecurity, PermManageSSO, PermManagePortals, PermManagePortalUsers, PermManageOrganizations,
	PermViewDocuments, PermCreateDocuments, PermEditDocuments, PermDeleteDocuments,
}

var permissions = map[Role][]Permission{
	RoleAdministrator: {PermManageUsers, PermManageSecurity, PermManageSSO, PermManagePortals, PermManageOrganizations, PermViewDocuments, PermCreateDocuments, PermEditDocuments, PermDeleteDocuments},
	RoleManager:       {PermManageUsers, PermManageSecurity, PermManagePortals, PermManageOrganizations, PermViewDocuments, PermCreateDocuments, PermEditDocuments, PermDeleteDocuments},
	RoleEditor:        {PermViewDocuments, PermCreateDocuments, PermEditDocuments, PermDeleteDocuments},
	RoleCreator:       {PermViewDocuments, PermCreateDocuments, PermEditDocuments},
	RoleReadOnly:      {PermViewDocuments},
	RoleLite:          {PermViewDocuments},
	// A portal role: a portal Editor's documents, and its portal's users.
	RolePortalAdministrator: {PermManagePortalUsers, PermViewDocuments, PermCreateDocuments, PermEditDocuments, PermDeleteDocuments},
}

// Can reports whether the role grants the permission.
func (r Role) Can(p Permission) bool {
	for _, x := range permissions[r] {
		if x == p {
			return true
		}
	}
	return false
}

// ErrNoAccess refuses a caller whose role lacks a permission, the same
// from the route table and from a service that checks again.
var ErrNoAccess = &Error{Code: EFORBIDDEN, Message: "You do not have access to this page."}

// Permit returns nil when the role grants p, and ErrNoAccess otherwise.
func (r Role) Permit(p Permission) error {
	if r.Can(p) {
		return nil
	}
	return ErrNoAccess
}

// CanManage reports whether a user with role r may invite, edit or
// deactivate a user with role target: an Administrator anyone, a Manager
// only users of lower rank (never an Administrator). Only account roles are
// given to staff: a portal role such as Portal administrator is never.
func (r Role) CanManage(target Role) bool {
	if !target.IsAccountRole() {
		return false
	}
	switch r {
	case RoleAdministrator:
		return true
	case RoleManager:
		return r.Outranks(target)
	}
	return false
}

// AssignableRoles lists the roles r may give to others.
func (r Role) AssignableRoles() []Role {
	var out []Role
	for _, x := range Roles {
		if r.CanManage(x) {
			out = append(out, x)
		}
	}
	return out
}
