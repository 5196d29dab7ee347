package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// route is one line of a route table: who may reach which handler, on
// which surface.
type route struct {
	method  string
	path    string
	access  Access
	handler http.HandlerFunc
	surface padlock.Surface
	// form is, for a POST from a page of the application, the page its
	// form is on (a GET route's path, with the same path values): a form
	// sent while MFA has to come first is held and given back there
	// (held.go).
	form string
}

// routes is every route: the account's, the ways in shared by both surfaces
// (once for each, SSO included), and the client portal's. Reading the tables tells who
// can reach what.
func (s *Server) routes() []route {
	out := on(padlock.SurfaceAccount, s.accountRoutes())
	for _, sf := range []padlock.Surface{padlock.SurfaceAccount, padlock.SurfacePortal} {
		out = append(out, on(sf, s.signInRoutes())...)
		out = append(out, on(sf, s.ssoRoutes())...)
	}
	return append(out, on(padlock.SurfacePortal, s.portalRoutes())...)
}

// on places routes on a surface, under its prefix.
func on(sf padlock.Surface, rs []route) []route {
	for i := range rs {
		rs[i].surface = sf
		rs[i].path = sf.Prefix() + rs[i].path
		if rs[i].form != "" {
			rs[i].form = sf.Prefix() + rs[i].form
		}
	}
	return rs
}

// signInRoutes are the ways in and a user's own settings, the same on both
// surfaces.
func (s *Server) signInRoutes() []route {
	return []route{
		{method: "GET", path: "/login", access: Public, handler: s.signInForm},
		{method: "POST", path: "/login", access: Public, handler: s.signInSubmit},
		{method: "POST", path: "/login/passkey/begin", access: Public, handler: s.passkeySignInBegin, form: "/login"},
		{method: "POST", path: "/login/passkey", access: Public, handler: s.passkeySignInSubmit, form: "/login"},
		{method: "POST", path: "/logout", access: AnySession, handler: s.signOut},
		{method: "GET", path: "/login/mfa", access: Challenge, handler: s.challengeForm},
		{method: "POST", path: "/login/mfa", access: Challenge, handler: s.challengeSubmit},
		{method: "POST", path: "/login/mfa/passkey", access: Challenge, handler: s.challengePasskeySubmit},
		{method: "GET", path: "/forgot", access: Public, handler: s.forgotForm},
		{method: "POST", path: "/forgot", access: Public, handler: s.forgotSubmit},
		{method: "GET", path: "/reset/{token}", access: Public, handler: s.resetForm},
		{method: "POST", path: "/reset/{token}", access: Public, handler: s.resetSubmit},
		{method: "GET", path: "/unlock/{token}", access: Public, handler: s.unlockForm},
		{method: "POST", path: "/unlock/{token}", access: Public, handler: s.unlockSubmit},
		{method: "GET", path: "/invitation/{token}", access: Public, handler: s.invitationForm},
		{method: "POST", path: "/invitation/{token}", access: Public, handler: s.invitationSubmit},

		{method: "GET", path: "/settings", access: SignedIn, handler: s.mySettings},
		{method: "POST", path: "/settings/profile", access: SignedIn, handler: s.myProfileSubmit, form: "/settings"},
		{method: "POST", path: "/settings/password", access: SignedIn, handler: s.myPasswordSubmit, form: "/settings"},
		{method: "GET", path: "/settings/mfa", access: SignedIn, handler: s.myMFA},
		{method: "POST", path: "/settings/mfa/enroll", access: Enrollment, handler: s.myMFAEnroll},
		{method: "GET", path: "/settings/mfa/enroll", access: Enrollment, handler: s.myMFAEnrollForm},
		{method: "POST", path: "/settings/mfa/verify", access: Enrollment, handler: s.myMFAVerify},
		{method: "GET", path: "/settings/mfa/recovery-codes", access: Enrollment, handler: s.myRecoveryCodes},
		{method: "GET", path: "/settings/mfa/recovery-codes.txt", access: Enrollment, handler: s.myRecoveryCodesFile},
		{method: "POST", path: "/settings/mfa/recovery-codes/saved", access: Enrollment, handler: s.myRecoveryCodesSaved},
		{method: "POST", path: "/settings/mfa/recovery-codes/regenerate", access: SignedIn, handler: s.myRecoveryCodesRegenerate, form: "/settings/mfa"},
		{method: "POST", path: "/settings/mfa/disable", access: SignedIn, handler: s.myMFADisable, form: "/settings/mfa"},
		{method: "POST", path: "/settings/mfa/passkeys/begin", access: Enrollment, handler: s.myPasskeyBegin, form: "/settings/mfa"},
		{method: "GET", path: "/settings/mfa/passkeys/new", access: Enrollment, handler: s.myPasskeyNew},
		{method: "POST", path: "/settings/mfa/passkeys", access: Enrollment, handler: s.myPasskeyCreate, form: "/settings/mfa"},
		{method: "POST", path: "/settings/mfa/passkeys/{id}/rename", access: SignedIn, handler: s.myPasskeyRename, form: "/settings/mfa"},
		{method: "POST", path: "/settings/mfa/passkeys/{id}/remove", access: SignedIn, handler: s.myPasskeyRemove, form: "/settings/mfa"},
	}
}

// accountRoutes are the pages of the account's staff.
func (s *Server) accountRoutes() []route {
	var (
		viewDocs      = Permitted(padlock.PermViewDocuments)
		createDocs    = Permitted(padlock.PermCreateDocuments)
		editDocs      = Permitted(padlock.PermEditDocuments)
		deleteDocs    = Permitted(padlock.PermDeleteDocuments)
		manageOrgs    = Permitted(padlock.PermManageOrganizations)
		manageUsers   = Permitted(padlock.PermManageUsers)
		security      = Permitted(padlock.PermManageSecurity)
		managePortals = Permitted(padlock.PermManagePortals)
		manageSSO     = Permitted(padlock.PermManageSSO)
	)
	return []route{
		// Operations.
		{method: "GET", path: "/healthz", access: Public, handler: s.healthz},
		{method: "GET", path: "/readyz", access: Public, handler: s.readyz},
		{method: "GET", path: "/metrics", access: Public, handler: s.metricsHandler},
		{method: "GET", path: "/static/{file...}", access: Public, handler: s.assets.ServeHTTP},

		// First run.
		{method: "GET", path: "/setup/{token}", access: Public, handler: s.setupForm},
		{method: "POST", path: "/setup/{token}", access: Public, handler: s.setupSubmit},

		{method: "GET", path: "/{$}", access: SignedIn, handler: s.home},

		{method: "GET", path: "/organizations", access: viewDocs, handler: s.organizations},
		{method: "GET", path: "/organizations/new", access: manageOrgs, handler: s.organizationNew},
		{method: "POST", path: "/organizations", access: manageOrgs, handler: s.organizationCreate, form: "/organizations/new"},
		{method: "GET", path: "/organizations/{org}", access: viewDocs, handler: s.organization},
		{method: "GET", path: "/organizations/{org}/documents/new", access: createDocs, handler: s.documentNew},
		{method: "POST", path: "/organizations/{org}/documents", access: createDocs, handler: s.documentCreate, form: "/organizations/{org}/documents/new"},
		{method: "GET", path: "/organizations/{org}/documents/{doc}", access: viewDocs, handler: s.document},
		{method: "GET", path: "/organizations/{org}/documents/{doc}/edit", access: editDocs, handler: s.documentEdit},
		{method: "POST", path: "/organizations/{org}/documents/{doc}", access: editDocs, handler: s.documentUpdate, form: "/organizations/{org}/documents/{doc}/edit"},
		{method: "POST", path: "/organizations/{org}/documents/{doc}/delete", access: deleteDocs, handler: s.documentDelete, form: "/organizations/{org}/documents/{doc}"},

		{method: "GET", path: "/account/users", access: manageUsers, handler: s.users},
		{method: "GET", path: "/account/users.csv", access: manageUsers, handler: s.usersCSV},
		{method: "GET", path: "/account/users/new", access: manageUsers, handler: s.userNew},
		{method: "POST", path: "/account/users", access: manageUsers, handler: s.userInvite, form: "/account/users/new"},
		{method: "GET", path: "/account/users/{id}", access: manageUsers, handler: s.userEdit},
		{method: "POST", path: "/account/users/{id}/role", access: manageUsers, handler: s.userRoleSubmit, form: "/account/users/{id}"},
		{method: "POST", path: "/account/users/{id}/deactivate", access: manageUsers, handler: s.userDeactivate, form: "/account/users/{id}"},
		{method: "POST", path: "/account/users/{id}/reactivate", access: manageUsers, handler: s.userReactivate, form: "/account/users/{id}"},
		{method: "POST", path: "/account/users/{id}/resend", access: manageUsers, handler: s.userResend, form: "/account/users/{id}"},
		{method: "GET", path: "/account/users/{id}/reset-mfa", access: manageUsers, handler: s.userResetMFAConfirm},
		{method: "POST", path: "/account/users/{id}/reset-mfa", access: manageUsers, handler: s.userResetMFA, form: "/account/users/{id}/reset-mfa"},
		{method: "POST", path: "/account/users/{id}/remind", access: manageUsers, handler: s.userRemind, form: "/account/users/{id}"},
		{method: "POST", path: "/account/users/remind-all", access: manageUsers, handler: s.usersRemindAll, form: "/account/users"},
		{method: "GET", path: "/account/coverage", access: manageUsers, handler: s.coverage},
		{method: "GET", path: "/account/coverage.csv", access: manageUsers, handler: s.coverageCSV},

		{method: "GET", path: "/account/settings", access: security, handler: s.accountSettings},
		{method: "POST", path: "/account/settings/authentication", access: security, handler: s.accountSettingsSubmit, form: "/account/settings"},
		{method: "GET", path: "/account/activity", access: security, handler: s.activity},
		{method: "GET", path: "/account/activity.csv", access: security, handler: s.activityCSV},

		{method: "GET", path: "/account/settings/sso", access: manageSSO, handler: s.ssoSettings},
		{method: "POST", path: "/account/settings/sso/idp", access: manageSSO, handler: s.ssoIDPSubmit, form: "/account/settings/sso"},
		{method: "POST", path: "/account/settings/sso/options", access: manageSSO, handler: s.ssoOptionsSubmit, form: "/account/settings/sso"},
		{method: "POST", path: "/account/settings/sso/test", access: manageSSO, handler: s.ssoTestStart, form: "/account/settings/sso"},

		{method: "GET", path: "/account/api-keys", access: manageSSO, handler: s.apiKeys},
		{method: "POST", path: "/account/api-keys", access: manageSSO, handler: s.apiKeyCreate, form: "/account/api-keys"},
		{method: "GET", path: "/account/api-keys/{id}/revoke", access: manageSSO, handler: s.apiKeyRevokeConfirm},
		{method: "POST", path: "/account/api-keys/{id}/revoke", access: manageSSO, handler: s.apiKeyRevoke, form: "/account/api-keys/{id}/revoke"},

		// "Sign in with SSO" by email, on the account's sign-in page; each
		// tenant's SSO addresses are ssoRoutes (sso.go).
		{method: "POST", path: "/sso", access: Public, handler: s.ssoByEmail},

		{method: "GET", path: "/account/portals", access: managePortals, handler: s.portals},
		{method: "GET", path: "/account/portals/new", access: managePortals, handler: s.portalNew},
		{method: "POST", path: "/account/portals", access: managePortals, handler: s.portalCreate, form: "/account/portals/new"},
		{method: "GET", path: "/account/portals/{portal}", access: managePortals, handler: s.portalPage},
		{method: "GET", path: "/account/portals/{portal}/edit", access: managePortals, handler: s.portalEdit},
		{method: "POST", path: "/account/portals/{portal}", access: managePortals, handler: s.portalUpdate, form: "/account/portals/{portal}/edit"},
		{method: "GET", path: "/account/portals/{portal}/delete", access: managePortals, handler: s.portalDeleteConfirm},
		{method: "POST", path: "/account/portals/{portal}/delete", access: managePortals, handler: s.portalDelete, form: "/account/portals/{portal}/delete"},
		{method: "POST", path: "/account/portals/{portal}/users", access: managePortals, handler: s.portalInvite, form: "/account/portals/{portal}"},
		{method: "GET", path: "/account/portals/{portal}/users.csv", access: managePortals, handler: s.portalUsersCSV},
		{method: "GET", path: "/account/portals/{portal}/users/{id}", access: managePortals, handler: s.portalUser},
		{method: "GET", path: "/account/portals/{portal}/users/{id}/reset-mfa", access: managePortals, handler: s.portalUserResetConfirm},
		{method: "POST", path: "/account/portals/{portal}/users/{id}/reset-mfa", access: managePortals, handler: s.portalUserReset, form: "/account/portals/{portal}/users/{id}/reset-mfa"},
		{method: "POST", path: "/account/portals/{portal}/users/{id}/remind", access: managePortals, handler: s.portalUserRemind, form: "/account/portals/{portal}/users/{id}"},
		{method: "POST", path: "/account/portals/{portal}/users/{id}/role", access: managePortals, handler: s.portalUserRoleSubmit, form: "/account/portals/{portal}/users/{id}"},
		{method: "POST", path: "/account/portals/{portal}/users/{id}/deactivate", access: managePortals, handler: s.portalUserDeactivate, form: "/account/portals/{portal}/users/{id}"},
		{method: "POST", path: "/account/portals/{portal}/users/{id}/reactivate", access: managePortals, handler: s.portalUserReactivate, form: "/account/portals/{portal}/users/{id}"},
		{method: "POST", path: "/account/portals/{portal}/users/{id}/resend", access: managePortals, handler: s.portalUserResend, form: "/account/portals/{portal}/users/{id}"},
		{method: "GET", path: "/account/portals/{portal}/users/{id}/delete", access: managePortals, handler: s.portalUserDeleteConfirm},
		{method: "POST", path: "/account/portals/{portal}/users/{id}/delete", access: managePortals, handler: s.portalUserDelete, form: "/account/portals/{portal}/users/{id}/delete"},
		{method: "POST", path: "/account/portals/{portal}/remind-all", access: managePortals, handler: s.portalRemindAll, form: "/account/portals/{portal}"},
		// The portal's own SSO, on its Edit screen: the handlers of Account >
		// SSO, for the tenant {portal} names.
		{method: "GET", path: "/account/portals/{portal}/sso", access: manageSSO, handler: s.ssoSettings},
		{method: "POST", path: "/account/portals/{portal}/sso/idp", access: manageSSO, handler: s.ssoIDPSubmit, form: "/account/portals/{portal}/sso"},
		{method: "POST", path: "/account/portals/{portal}/sso/options", access: manageSSO, handler: s.ssoOptionsSubmit, form: "/account/portals/{portal}/sso"},
		{method: "POST", path: "/account/portals/{portal}/sso/test", access: manageSSO, handler: s.ssoTestStart, form: "/account/portals/{portal}/sso"},

		// JSON API (docs/API.md): API keys or the browser's session.
		{method: "GET", path: "/api/v1/openapi.json", access: Public, handler: s.apiOpenAPI},
		{method: "GET", path: "/api/v1/me", access: API(""), handler: s.apiMe},
		{method: "GET", path: "/api/v1/users", access: API(padlock.PermManageUsers), handler: s.apiUsers},
		{method: "POST", path: "/api/v1/users", access: API(padlock.PermManageUsers), handler: s.apiUsersInvite},
		{method: "GET", path: "/api/v1/users/{id}", access: API(padlock.PermManageUsers), handler: s.apiUser},
		{method: "PATCH", path: "/api/v1/users/{id}", access: API(padlock.PermManageUsers), handler: s.apiUserUpdate},
		{method: "POST", path: "/api/v1/users/{id}/reset-mfa", access: API(padlock.PermManageUsers), handler: s.apiUserResetMFA},
		{method: "GET", path: "/api/v1/settings", access: API(padlock.PermManageSecurity), handler: s.apiSettings},
		{method: "PATCH", path: "/api/v1/settings", access: API(padlock.PermManageSecurity), handler: s.apiSettingsUpdate},
		{method: "GET", path: "/api/v1/activity", access: API(padlock.PermManageSecurity), handler: s.apiActivity},
		{method: "GET", path: "/api/v1/coverage", access: API(padlock.PermManagePortals), handler: s.apiCoverage},
		{method: "GET", path: "/api/v1/organizations", access: API(padlock.PermViewDocuments), handler: s.apiOrganizations},
		{method: "POST", path: "/api/v1/organizations", access: API(padlock.PermManageOrganizations), handler: s.apiOrganizationCreate},
		{method: "GET", path: "/api/v1/organizations/{org}", access: API(padlock.PermViewDocuments), handler: s.apiOrganization},
		{method: "GET", path: "/api/v1/organizations/{org}/documents", access: API(padlock.PermViewDocuments), handler: s.apiDocuments},
		{method: "POST", path: "/api/v1/organizations/{org}/documents", access: API(padlock.PermCreateDocuments), handler: s.apiDocumentCreate},
		{method: "GET", path: "/api/v1/organizations/{org}/documents/{doc}", access: API(padlock.PermViewDocuments), handler: s.apiDocument},
		{method: "PATCH", path: "/api/v1/organizations/{org}/documents/{doc}", access: API(padlock.PermEditDocuments), handler: s.apiDocumentUpdate},
		{method: "GET", path: "/api/v1/portals", access: API(padlock.PermManagePortals), handler: s.apiPortals},
		{method: "POST", path: "/api/v1/portals", access: API(padlock.PermManagePortals), handler: s.apiPortalCreate},
		{method: "GET", path: "/api/v1/portals/{portal}", access: API(padlock.PermManagePortals), handler: s.apiPortal},
		{method: "PATCH", path: "/api/v1/portals/{portal}", access: API(padlock.PermManagePortals), handler: s.apiPortalUpdate},
		{method: "DELETE", path: "/api/v1/portals/{portal}", access: API(padlock.PermManagePortals), handler: s.apiPortalDelete},
		{method: "GET", path: "/api/v1/portals/{portal}/users", access: API(padlock.PermManagePortals), handler: s.apiPortalUsers},
		{method: "POST", path: "/api/v1/portals/{portal}/users", access: API(padlock.PermManagePortals), handler: s.apiPortalInvite},
		{method: "GET", path: "/api/v1/portals/{portal}/users/{id}", access: API(padlock.PermManagePortals), handler: s.apiPortalUser},
		{method: "PATCH", path: "/api/v1/portals/{portal}/users/{id}", access: API(padlock.PermManagePortals), handler: s.apiPortalUserUpdate},
		{method: "DELETE", path: "/api/v1/portals/{portal}/users/{id}", access: API(padlock.PermManagePortals), handler: s.apiPortalUserDelete},
		{method: "POST", path: "/api/v1/portals/{portal}/users/{id}/resend", access: API(padlock.PermManagePortals), handler: s.apiPortalUserResend},
		{method: "POST", path: "/api/v1/portals/{portal}/users/{id}/reset-mfa", access: API(padlock.PermManagePortals), handler: s.apiPortalUserResetMFA},
	}
}

// portalRoutes are the client portal's own pages: the documents of its
// organization that are shared with it, and for its administrator its users
// and activity.
func (s *Server) portalRoutes() []route {
	var (
		view    = Permitted(padlock.PermViewDocuments)
		create  = Permitted(padlock.PermCreateDocuments)
		edit    = Permitted(padlock.PermEditDocuments)
		clients = Permitted(padlock.PermManagePortalUsers)
	)
	return []route{
		{method: "GET", path: "/{$}", access: view, handler: s.portalDocuments},
		{method: "GET", path: "/documents/new", access: create, handler: s.portalDocumentNew},
		{method: "POST", path: "/documents", access: create, handler: s.portalDocumentCreate, form: "/documents/new"},
		{method: "GET", path: "/documents/{doc}", access: view, handler: s.portalDocument},
		{method: "GET", path: "/documents/{doc}/edit", access: edit, handler: s.portalDocumentEdit},
		{method: "POST", path: "/documents/{doc}", access: edit, handler: s.portalDocumentUpdate, form: "/documents/{doc}/edit"},

		// The portal's own administrator (portal_admin.go): always their
		// own portal, taken from the session.
		{method: "GET", path: "/users", access: clients, handler: s.clientUsers},
		{method: "GET", path: "/users.csv", access: clients, handler: s.clientUsersCSV},
		{method: "POST", path: "/users", access: clients, handler: s.clientInvite, form: "/users"},
		{method: "GET", path: "/users/{id}", access: clients, handler: s.clientUser},
		{method: "POST", path: "/users/{id}/deactivate", access: clients, handler: s.clientUserDeactivate, form: "/users/{id}"},
		{method: "POST", path: "/users/{id}/reactivate", access: clients, handler: s.clientUserReactivate, form: "/users/{id}"},
		{method: "POST", path: "/users/{id}/resend", access: clients, handler: s.clientUserResend, form: "/users/{id}"},
		{method: "GET", path: "/users/{id}/reset-mfa", access: clients, handler: s.clientUserResetConfirm},
		{method: "POST", path: "/users/{id}/reset-mfa", access: clients, handler: s.clientUserReset, form: "/users/{id}/reset-mfa"},
		{method: "GET", path: "/activity", access: clients, handler: s.activity},
	}
}

// RouteInfo describes one route for tests and documentation.
type RouteInfo struct {
	Method, Path string
	Access       Access
	Surface      padlock.Surface
	// Form is the page a POST's form is on, where a form held by MFA is
	// given back; "" for the others.
	Form string
}

// Public reports whether the route admits callers without a session.
func (r RouteInfo) Public() bool { return r.Access.kind == accessPublic }

// Permission returns the permission a route needs, or "".
func (r RouteInfo) Permission() padlock.Permission { return r.Access.perm }

// RouteTable lists every route with its access class and surface.
func (s *Server) RouteTable() []RouteInfo {
	var out []RouteInfo
	for _, rt := range s.routes() {
		out = append(out, RouteInfo{rt.method, rt.path, rt.access, rt.surface, rt.form})
	}
	return out
}
