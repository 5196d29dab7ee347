package padlock

import "time"

// Portal is a client portal: the client-facing side of one organization,
// with its own users and its own MFA requirement.
type Portal struct {
	ID             int64
	AccountID      int64
	OrganizationID int64
	Name           string
	// MFARequiredAt is when "Require MFA for access to this portal" was
	// turned on; zero while it is off.
	MFARequiredAt time.Time
	// MFAStrictAt is when the requirement was raised to phishing-resistant
	// MFA only; zero at the level "any MFA".
	MFAStrictAt time.Time
	// MFAGraceDays gives portal users without MFA this long before they
	// must set it up (0: from their next sign-in), as the account's does.
	MFAGraceDays int
	CreatedAt    time.Time
}

// RequiresMFA reports whether the portal requires MFA of its users.
func (p *Portal) RequiresMFA() bool { return !p.MFARequiredAt.IsZero() }

// GraceEnds is when the grace ends for the portal users who were there when
// the requirement was turned on; zero while it is off.
func (p *Portal) GraceEnds() time.Time { return GraceEnds(p.MFARequiredAt, p.MFAGraceDays) }

// PortalRoles are the roles a portal user may have: Lite users view the
// documents shared with the portal; Creators and Editors may also add and
// edit documents of their organization; a Portal administrator, whom only
// the MSP's staff appoint, also manages the portal's users.
var PortalRoles = []Role{RolePortalAdministrator, RoleEditor, RoleCreator, RoleLite}

// ParsePortalRole turns a submitted portal role name into a Role; an
// account-only role is as unknown as any other name.
func ParsePortalRole(s string) (Role, error) {
	for _, r := range PortalRoles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "unknown portal role %q", s)
}

// AssignablePortalRoles lists the portal roles r may give to a portal user:
// every one for the staff who manage portals, all but Portal administrator
// for a portal administrator, none for anyone else.
func (r Role) AssignablePortalRoles() []Role {
	switch {
	case r.Can(PermManagePortals):
		return PortalRoles
	case r.Can(PermManagePortalUsers):
		return PortalRoles[1:]
	}
	return nil
}

// IsPortalRole reports whether r may be given to a portal user.
func (r Role) IsPortalRole() bool {
	for _, x := range PortalRoles {
		if x == r {
			return true
		}
	}
	return false
}

// IsPortalUser tells a portal user from an account user.
func (u *User) IsPortalUser() bool { return u.PortalID != 0 }

// Surface is one of the two ways in: the account's staff sign in to the
// account, a client's staff to their portal. A session of one never opens
// the other.
type Surface string

const (
	SurfaceAccount Surface = "account"
	SurfacePortal  Surface = "portal"
)

// Prefix is where the surface's pages live.
func (s Surface) Prefix() string {
	if s == SurfacePortal {
		return "/portal"
	}
	return ""
}

// Surface is where the user signs in.
func (u *User) Surface() Surface {
	if u.IsPortalUser() {
		return SurfacePortal
	}
	return SurfaceAccount
}
