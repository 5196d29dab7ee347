package mail

import (
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The notices about a user's second factor: each change is reported so an
// unexpected one is noticed.

// MFAEnabled confirms that an authenticator app now protects the sign-in.
func MFAEnabled(to string, at time.Time) padlock.Mail {
	return notice(to, "MFA is now on for your Padlock sign-in", fmt.Sprintf(
		`Multi-factor authentication was turned on for your Padlock sign-in on %s.
From now on you'll enter a code from your authenticator app after your
password. Keep your recovery codes somewhere safe.`, formatTime(at)))
}

// MFADisabled warns that the second factor was removed by the user.
func MFADisabled(to string, at time.Time) padlock.Mail {
	return notice(to, "MFA was turned off for your Padlock sign-in", fmt.Sprintf(
		`Multi-factor authentication was turned off for your Padlock sign-in on %s.
Your password alone now signs you in.`, formatTime(at)))
}

// RecoveryCodesRegenerated says the old recovery codes no longer work.
func RecoveryCodesRegenerated(to string, at time.Time) padlock.Mail {
	return notice(to, "New Padlock recovery codes were made", fmt.Sprintf(
		`A new set of recovery codes was made for your Padlock sign-in on %s.
The old codes no longer work.`, formatTime(at)))
}

// SecondStepFailed tells a user that someone knows their password.
func SecondStepFailed(to string, at time.Time, address string) padlock.Mail {
	return padlock.Mail{To: to, Subject: "Someone entered your Padlock password", Body: fmt.Sprintf(`Hello,

Your Padlock password was entered correctly on %s from %s,
but the MFA code that followed was wrong.

If this was you, there's nothing else to do.

If it wasn't, someone knows your password: change it now from My Settings
(or with "Forgot your password?" on the sign-in page) and tell your
administrator.
`, formatTime(at), address)}
}

// RecoveryCodesLow suggests making new codes before they run out.
func RecoveryCodesLow(to string, left int) padlock.Mail {
	return notice(to, "You are running out of Padlock recovery codes", fmt.Sprintf(
		`A recovery code was just used to sign in to Padlock. You have %d left.
Make a new set from My Settings > MFA before they run out.`, left))
}

// notice wraps a short text in the usual greeting and "not you?" advice.
func notice(to, subject, text string) padlock.Mail {
	return padlock.Mail{To: to, Subject: subject, Body: "Hello,\n\n" + text + `

If this wasn't you, change your password right away and tell your
administrator.
`}
}

// PasskeyAdded tells a user that a passkey or security key can now be used
// for their sign-in.
func PasskeyAdded(to, name string, at time.Time) padlock.Mail {
	return notice(to, "A passkey was added to your Padlock sign-in", fmt.Sprintf(
		`A passkey or security key named %q was added to your Padlock sign-in
on %s. It can now be used after your password.`, name, formatTime(at)))
}

// PasskeyRemoved tells a user that a passkey no longer signs them in.
func PasskeyRemoved(to, name string, at time.Time) padlock.Mail {
	return notice(to, "A passkey was removed from your Padlock sign-in", fmt.Sprintf(
		`The passkey or security key named %q was removed from your Padlock
sign-in on %s. It no longer works for your sign-in.`, name, formatTime(at)))
}

// PasskeyCopied tells a user that one of their passkeys was refused because
// its signature counter went backwards, and stays refused.
func PasskeyCopied(to, kind, name string, at time.Time) padlock.Mail {
	return notice(to, "A passkey of your Padlock sign-in may have been copied", fmt.Sprintf(
		`Padlock refused your %s %q on %s: its signature counter
went backwards, which happens when two copies of the key exist. It will not
be accepted again. Sign in with another passkey, your authenticator app or a
recovery code, then remove it on My Settings > MFA. Your administrator was
told.`, kind, name, formatTime(at)))
}

// PasskeyCopiedAdmin tells an administrator that a user's passkey was
// refused as possibly copied.
func PasskeyCopiedAdmin(to, user, kind, name string, at time.Time) padlock.Mail {
	return padlock.Mail{To: to, Subject: "A passkey of " + user + " may have been copied", Body: fmt.Sprintf(`Hello,

Padlock refused the %s %q of %s on %s: its signature counter
went backwards, which happens when two copies of the key exist. Padlock
refuses it from now on and has told the user.

If the user did not expect this, treat the key as stolen: their password may
be known too. Consider Reset MFA and a password reset for them. Activity shows
the event as "Passkey counter went backwards".
`, kind, name, user, formatTime(at))}
}
