package padlock

import "strings"

// Category groups event kinds for the Activity screen's filter.
type Category struct {
	Name  string // the value in a URL, like "sign-in"
	Label string
	Kinds []string
}

// EventCategories lists the categories in the order the filter shows them.
// Each event kind belongs to at most one.
var EventCategories = []Category{
	{Name: "sign-in", Label: "Sign-in", Kinds: []string{EventSignIn, EventSignInFailed, EventSignOut, EventUnlock, EventMFAFailed}},
	{Name: "lockout", Label: "Lockout", Kinds: []string{EventLockout}},
	{Name: "mfa", Label: "MFA", Kinds: []string{EventMFAEnabled, EventMFADisabled, EventRecoveryCodesRegenerated, EventRecoveryCodeUsed, EventMFAReset,
		EventPasskeyAdded, EventPasskeyRenamed, EventPasskeyRemoved, EventPasskeyUsed, EventPasskeyCloneWarning}},
	{Name: "policy", Label: "Policy", Kinds: []string{EventMFARequiredOn, EventMFARequiredOff, EventMFAGraceChanged, EventMFALevelChanged, EventSessionLimits, EventEnforcementNotice, EventMFAReminder}},
	{Name: "users", Label: "Users", Kinds: []string{EventInvited, EventInviteRefused, EventInviteAccepted, EventRoleChanged, EventDeactivated, EventReactivated, EventUserDeleted, EventAccountCreated, EventNameChanged}},
	{Name: "password", Label: "Password", Kinds: []string{EventPasswordChanged, EventPasswordReset, EventPasswordResetRequested}},
	{Name: "portals", Label: "Client portals", Kinds: []string{EventPortalCreated, EventPortalChanged, EventPortalDeleted}},
	{Name: "organizations", Label: "Organizations", Kinds: []string{EventOrganizationCreated}},
	{Name: "documents", Label: "Documents", Kinds: []string{EventDocumentCreated, EventDocumentEdited, EventDocumentDeleted, EventDocumentShared, EventDocumentUnshared}},
	{Name: "sso", Label: "Single sign-on", Kinds: []string{EventSSOSignIn, EventSSOFailed, EventSSOSettings, EventSSOIDPChanged, EventSSOTested, EventSSOUserCreated}},
	{Name: "api-keys", Label: "API keys", Kinds: []string{EventAPIKeyCreated, EventAPIKeyRevoked, EventAPIKeySuspended, EventAPIKeyResumed}},
}

// KindsOf returns the event kinds of the named category, nil for a name
// that is not a category.
func KindsOf(category string) []string {
	for _, c := range EventCategories {
		if c.Name == category {
			return c.Kinds
		}
	}
	return nil
}

// eventLabels names every kind of EventCategories as the Activity screen
// shows it.
var eventLabels = map[string]string{
	EventPortalCreated:            "Client portal created",
	EventPortalChanged:            "Client portal changed",
	EventPortalDeleted:            "Client portal deleted",
	EventOrganizationCreated:      "Organization created",
	EventDocumentCreated:          "Document created",
	EventDocumentEdited:           "Document edited",
	EventDocumentDeleted:          "Document deleted",
	EventDocumentShared:           "Document shared with portal",
	EventDocumentUnshared:         "Document unshared from portal",
	EventSignIn:                   "Signed in",
	EventSignInFailed:             "Sign-in failed",
	EventLockout:                  "Locked out",
	EventUnlock:                   "Unlocked",
	EventSignOut:                  "Signed out",
	EventPasswordChanged:          "Password changed",
	EventPasswordReset:            "Password reset",
	EventPasswordResetRequested:   "Password reset requested",
	EventInvited:                  "User invited",
	EventInviteRefused:            "Invitation refused",
	EventInviteAccepted:           "Invitation accepted",
	EventRoleChanged:              "Role changed",
	EventDeactivated:              "User deactivated",
	EventReactivated:              "User reactivated",
	EventUserDeleted:              "User deleted",
	EventAccountCreated:           "Account created",
	EventNameChanged:              "Name changed",
	EventMFAEnabled:               "MFA set up",
	EventMFADisabled:              "MFA removed",
	EventMFAFailed:                "MFA code rejected",
	EventRecoveryCodesRegenerated: "Recovery codes regenerated",
	EventRecoveryCodeUsed:         "Recovery code used",
	EventMFAReset:                 "MFA reset",
	EventPasskeyAdded:             "Passkey added",
	EventPasskeyRenamed:           "Passkey renamed",
	EventPasskeyRemoved:           "Passkey removed",
	EventPasskeyUsed:              "Passkey used",
	EventPasskeyCloneWarning:      "Passkey counter went backwards",
	EventMFARequiredOn:            "MFA required turned on",
	EventMFARequiredOff:           "MFA required turned off",
	EventMFAGraceChanged:          "MFA grace period changed",
	EventMFALevelChanged:          "MFA level changed",
	EventSessionLimits:            "Session limits changed",
	EventEnforcementNotice:        "MFA enforcement notice sent",
	EventMFAReminder:              "MFA reminder sent",
	EventSSOSignIn:                "SSO sign-in",
	EventSSOFailed:                "SSO sign-in failed",
	EventSSOSettings:              "SSO settings changed",
	EventSSOIDPChanged:            "SSO identity provider changed",
	EventSSOTested:                "SSO connection tested",
	EventSSOUserCreated:           "User created by SSO",
	EventAPIKeyCreated:            "API key created",
	EventAPIKeyRevoked:            "API key revoked",
	EventAPIKeySuspended:          "API key suspended",
	EventAPIKeyResumed:            "API key working again",
}

// EventLabel is an event kind as people read it; a kind without a label
// (one newer than this table) reads as its words, "some_kind" → "Some kind".
func EventLabel(kind string) string {
	if l, ok := eventLabels[kind]; ok {
		return l
	}
	s := strings.ReplaceAll(kind, "_", " ")
	if s == "" {
		return ""
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
