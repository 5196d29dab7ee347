package web

import (
	"html/template"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// nav is the place a page belongs to in the menus: the layout marks the
// top-level section and the tab it names as the current page. Each value is
// one tab; Section tells which top-level entry holds it.
type nav string

const (
	navNone          nav = "" // pages outside the menus: sign-in, setup, errors
	navOrganizations nav = "organizations"
	navDocuments     nav = "documents" // the portal's documents

	// navClientUsers is the portal's Users, for its administrator, the
	// section's first tab; navClientActivity is its other.
	navClientUsers    nav = "client-users"
	navClientActivity nav = "client-activity"

	// navAccount is Account > Users, the section's first tab; the other
	// Account tabs follow.
	navAccount         nav = "account"
	navPortals         nav = "portals"
	navAccountSettings nav = "account-settings"
	navActivity        nav = "activity"
	navSSO             nav = "sso"
	navAPIKeys         nav = "api-keys"
	// navPortalSSO is the SSO tab of a client portal's Edit screen, under
	// Client portals.
	navPortalSSO nav = "portal-sso"
	// navCoverage is Account > MFA coverage, reached from Users and Client
	// portals.
	navCoverage nav = "coverage"

	// navSettings is My Settings > Profile and password; navMFA is its
	// other tab.
	navSettings nav = "settings"
	navMFA      nav = "mfa"
)

// Section is the top-level menu entry that holds the tab n.
func (n nav) Section() nav {
	switch n {
	case navPortals, navPortalSSO, navAccountSettings, navActivity, navSSO, navAPIKeys, navCoverage:
		return navAccount
	case navMFA:
		return navSettings
	case navClientActivity:
		return navClientUsers
	}
	return n
}

// navFuncs names every nav for the templates, so a template compares
// against a function ({{if eq .Nav navActivity}}) and a misspelt one stops
// parsing, as an unknown function does.
func navFuncs() template.FuncMap {
	funcs := template.FuncMap{}
	for name, n := range map[string]nav{
		"navOrganizations":   navOrganizations,
		"navDocuments":       navDocuments,
		"navClientUsers":     navClientUsers,
		"navClientActivity":  navClientActivity,
		"navAccount":         navAccount,
		"navPortals":         navPortals,
		"navAccountSettings": navAccountSettings,
		"navActivity":        navActivity,
		"navSSO":             navSSO,
		"navPortalSSO":       navPortalSSO,
		"navAPIKeys":         navAPIKeys,
		"navCoverage":        navCoverage,
		"navSettings":        navSettings,
		"navMFA":             navMFA,
	} {
		funcs[name] = func() nav { return n }
	}
	return funcs
}

// menuKey is everything the layout's menu depends on: the page's surface,
// whether its caller is held at a step of MFA or signed in at all, which of
// the menu's entries their role opens, and the section marked as current.
// The menu of each key is written once (pages.menu) instead of on every
// page.
type menuKey struct {
	Base                          string
	Restricted, SignedIn          bool
	Portal                        bool // a portal user's menu
	Documents, Users, PortalUsers bool
	Section                       nav
}

// menuKey is the menu of the page's caller.
func (p Page) menuKey() menuKey {
	k := menuKey{Base: p.Base, Restricted: p.Restricted, SignedIn: p.Current != nil, Section: p.Nav.Section()}
	if c := p.Current; c != nil {
		role := c.User.Role
		k.Portal = c.Portal != nil
		k.Documents = role.Can(padlock.PermViewDocuments)
		k.Users = role.Can(padlock.PermManageUsers)
		k.PortalUsers = role.Can(padlock.PermManagePortalUsers)
	}
	return k
}
