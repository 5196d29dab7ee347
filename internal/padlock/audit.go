package padlock

import "time"

// Event kinds written to the audit log.
const (
	EventSignIn                   = "sign_in"
	EventSignInFailed             = "sign_in_failed"
	EventLockout                  = "lockout"
	EventUnlock                   = "unlock"
	EventSignOut                  = "sign_out"
	EventPasswordChanged          = "password_changed"
	EventPasswordReset            = "password_reset"
	EventPasswordResetRequested   = "password_reset_requested"
	EventInvited                  = "user_invited"
	EventInviteRefused            = "invitation_refused" // the address already has a Padlock sign-in
	EventInviteAccepted           = "invitation_accepted"
	EventRoleChanged              = "role_changed"
	EventDeactivated              = "user_deactivated"
	EventReactivated              = "user_reactivated"
	EventUserDeleted              = "user_deleted"
	EventAccountCreated           = "account_created"
	EventNameChanged              = "name_changed"
	EventMFAEnabled               = "mfa_enabled"
	EventMFADisabled              = "mfa_disabled"
	EventMFAFailed                = "mfa_failed"
	EventRecoveryCodesRegenerated = "recovery_codes_regenerated"
	EventRecoveryCodeUsed         = "recovery_code_used"
	EventPasskeyAdded             = "passkey_added"
	EventPasskeyRenamed           = "passkey_renamed"
	EventPasskeyRemoved           = "passkey_removed"
	EventPasskeyUsed              = "passkey_used"
	EventPasskeyCloneWarning      = "passkey_clone_warning"
	EventMFARequiredOn            = "mfa_required_on"
	EventMFARequiredOff           = "mfa_required_off"
	EventMFAGraceChanged          = "mfa_grace_changed"
	EventMFALevelChanged          = "mfa_level_changed" // any MFA ↔ phishing-resistant only
	EventSessionLimits            = "session_limits_changed"
	EventMFAReset                 = "mfa_reset"
	EventEnforcementNotice        = "mfa_enforcement_notice"
	EventMFAReminder              = "mfa_reminder_sent"
	EventPortalCreated            = "portal_created"
	EventPortalChanged            = "portal_changed"
	EventPortalDeleted            = "portal_deleted"
	EventOrganizationCreated      = "organization_created"
	EventDocumentCreated          = "document_created"
	EventDocumentEdited           = "document_edited"
	EventDocumentDeleted          = "document_deleted"
	EventDocumentShared           = "document_shared"
	EventDocumentUnshared         = "document_unshared"
	EventAPIKeyCreated            = "api_key_created"
	EventAPIKeyRevoked            = "api_key_revoked"
	// A key stops working when the Administrator who made it stops being
	// an active Administrator, and works again if they become one again.
	EventAPIKeySuspended = "api_key_suspended"
	EventAPIKeyResumed   = "api_key_resumed"
)

// Event is one entry of the audit log. ActorID and TargetID are zero when
// there is no such user (a failed sign-in for an unknown email, the command
// line).
type Event struct {
	ID        int64
	AccountID int64
	PortalID  int64 // set for events of a portal's users
	ActorID   int64
	// ActorLabel names an actor that is not a user (an API key), when
	// ActorID is zero.
	ActorLabel string
	TargetID   int64
	Kind       string
	Detail     string
	Address    string
	At         time.Time
}

// Mail is one outgoing message, queued with the change that causes it.
type Mail struct {
	ID      int64
	To      string
	Subject string
	Body    string
	// MessageID is the unique left part of the message's Message-ID, chosen
	// once when it is queued; the sender adds "@" and the domain of its From
	// address, so every delivery attempt carries the same Message-ID.
	MessageID string
}
