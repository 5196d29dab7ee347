package web

import (
	"net/http"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// route is one line of a route table: who may reach which handler.
type route struct {
	method  string
	path    string
	access  Access
	handler http.HandlerFunc
}

// routes is the account surface. Reading it tells who can reach what.
func (s *Server) routes() []route {
	var (
		viewDocs    = Permitted(padlock.PermViewDocuments)
		createDocs  = Permitted(padlock.PermCreateDocuments)
		editDocs    = Permitted(padlock.PermEditDocuments)
		deleteDocs  = Permitted(padlock.PermDeleteDocuments)
		manageOrgs  = Permitted(padlock.PermManageOrganizations)
		manageUsers = Permitted(padlock.PermManageUsers)
		security    = Permitted(padlock.PermManageSecurity)
	)
	return []route{
		// Operations.
		{"GET", "/healthz", Public, s.healthz},
		{"GET", "/readyz", Public, s.readyz},
		{"GET", "/metrics", Public, s.metricsHandler},
		{"GET", "/static/{file...}", Public, s.assets.ServeHTTP},

		// First run and sign-in.
		{"GET", "/setup/{token}", Public, s.setupForm},
		{"POST", "/setup/{token}", Public, s.setupSubmit},
		{"GET", "/login", Public, s.signInForm},
		{"POST", "/login", Public, s.signInSubmit},
		{"POST", "/logout", AnySession, s.signOut},
		{"GET", "/login/mfa", Challenge, s.challengeForm},
		{"POST", "/login/mfa", Challenge, s.challengeSubmit},
		{"GET", "/forgot", Public, s.forgotForm},
		{"POST", "/forgot", Public, s.forgotSubmit},
		{"GET", "/reset/{token}", Public, s.resetForm},
		{"POST", "/reset/{token}", Public, s.resetSubmit},
		{"GET", "/unlock/{token}", Public, s.unlockForm},
		{"POST", "/unlock/{token}", Public, s.unlockSubmit},
		{"GET", "/invitation/{token}", Public, s.invitationForm},
		{"POST", "/invitation/{token}", Public, s.invitationSubmit},

		// The application.
		{"GET", "/{$}", SignedIn, s.home},
		{"GET", "/settings", SignedIn, s.mySettings},
		{"POST", "/settings/profile", SignedIn, s.myProfileSubmit},
		{"POST", "/settings/password", SignedIn, s.myPasswordSubmit},
		{"GET", "/settings/mfa", SignedIn, s.myMFA},
		{"POST", "/settings/mfa/enroll", Enrollment, s.myMFAEnroll},
		{"GET", "/settings/mfa/enroll", Enrollment, s.myMFAEnrollForm},
		{"POST", "/settings/mfa/verify", Enrollment, s.myMFAVerify},
		{"GET", "/settings/mfa/recovery-codes", Enrollment, s.myRecoveryCodes},
		{"GET", "/settings/mfa/recovery-codes.txt", Enrollment, s.myRecoveryCodesFile},
		{"POST", "/settings/mfa/recovery-codes/saved", Enrollment, s.myRecoveryCodesSaved},
		{"POST", "/settings/mfa/recovery-codes/regenerate", SignedIn, s.myRecoveryCodesRegenerate},
		{"POST", "/settings/mfa/disable", SignedIn, s.myMFADisable},

		{"GET", "/organizations", viewDocs, s.organizations},
		{"GET", "/organizations/new", manageOrgs, s.organizationNew},
		{"POST", "/organizations", manageOrgs, s.organizationCreate},
		{"GET", "/organizations/{org}", viewDocs, s.organization},
		{"GET", "/organizations/{org}/documents/new", createDocs, s.documentNew},
		{"POST", "/organizations/{org}/documents", createDocs, s.documentCreate},
		{"GET", "/organizations/{org}/documents/{doc}", viewDocs, s.document},
		{"GET", "/organizations/{org}/documents/{doc}/edit", editDocs, s.documentEdit},
		{"POST", "/organizations/{org}/documents/{doc}", editDocs, s.documentUpdate},
		{"POST", "/organizations/{org}/documents/{doc}/delete", deleteDocs, s.documentDelete},

		{"GET", "/account/users", manageUsers, s.users},
		{"GET", "/account/users/new", manageUsers, s.userNew},
		{"POST", "/account/users", manageUsers, s.userInvite},
		{"GET", "/account/users/{id}", manageUsers, s.userEdit},
		{"POST", "/account/users/{id}/role", manageUsers, s.userRoleSubmit},
		{"POST", "/account/users/{id}/deactivate", manageUsers, s.userDeactivate},
		{"POST", "/account/users/{id}/reactivate", manageUsers, s.userReactivate},
		{"POST", "/account/users/{id}/resend", manageUsers, s.userResend},
		{"GET", "/account/users.csv", manageUsers, s.usersCSV},
		{"GET", "/account/users/{id}/reset-mfa", manageUsers, s.userResetMFAConfirm},
		{"POST", "/account/users/{id}/reset-mfa", manageUsers, s.userResetMFA},
		{"GET", "/account/settings", security, s.accountSettings},
		{"POST", "/account/settings/authentication", security, s.accountSettingsSubmit},
		{"GET", "/account/activity", security, s.activity},
		{"GET", "/account/activity.csv", security, s.activityCSV},

		// JSON API.
		{"GET", "/api/v1/me", SignedIn, s.apiMe},
		{"GET", "/api/v1/users", manageUsers, s.apiUsers},
	}
}

// RouteInfo describes one route for tests and documentation.
type RouteInfo struct {
	Method, Path string
	Access       Access
}

// Public reports whether the route admits callers without a session.
func (r RouteInfo) Public() bool { return r.Access.kind == accessPublic }

// Permission returns the permission a route needs, or "".
func (r RouteInfo) Permission() padlock.Permission { return r.Access.perm }

// RouteTable lists every route with its access class.
func (s *Server) RouteTable() []RouteInfo {
	var out []RouteInfo
	for _, rt := range s.routes() {
		out = append(out, RouteInfo{rt.method, rt.path, rt.access})
	}
	return out
}
