package mail

import (
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// MFARequiredNotice tells a user without MFA that their account now
// requires it, and by when.
func MFARequiredNotice(to, accountName string, deadline time.Time, signInURL string) padlock.Mail {
	when := "The next time you sign in, Padlock will walk you through setting it up."
	if !deadline.IsZero() {
		when = fmt.Sprintf("You can set it up any time before %s from My Settings > MFA;\nafter that, Padlock will walk you through it when you sign in.", formatTime(deadline))
	}
	return padlock.Mail{To: to, Subject: fmt.Sprintf("%s now requires MFA on Padlock", accountName), Body: fmt.Sprintf(`Hello,

%s now requires multi-factor authentication (MFA) for every user.
%s

You'll need a phone with an authenticator app, such as Google Authenticator,
Microsoft Authenticator, Authy or 1Password.

Sign in: %s
`, accountName, when, signInURL)}
}

// PasskeyRequiredNotice tells a user without a passkey that the account or
// portal named now accepts only phishing-resistant MFA, and by when to add
// one (zero: at the next sign-in).
func PasskeyRequiredNotice(to, name string, deadline time.Time, signInURL string) padlock.Mail {
	when := "The next time you sign in, Padlock will ask you to add one."
	if !deadline.IsZero() {
		when = fmt.Sprintf("Add one any time before %s from My Settings > MFA; until then your\nauthenticator app keeps working, and after that Padlock will ask for a\npasskey when you sign in.", formatTime(deadline))
	}
	return padlock.Mail{To: to, Subject: fmt.Sprintf("%s now requires a passkey or security key on Padlock", name), Body: fmt.Sprintf(`Hello,

%s now requires phishing-resistant MFA: a passkey (on your phone,
computer or password manager) or a security key. An authenticator app alone
is no longer enough.
%s

Sign in: %s
`, name, when, signInURL)}
}

// MFAResetNotice tells a user that an administrator removed their factors.
func MFAResetNotice(to, by string, at time.Time) padlock.Mail {
	return notice(to, "Your Padlock MFA was reset", fmt.Sprintf(
		`%s reset the multi-factor authentication of your Padlock sign-in on %s.
Your authenticator app and recovery codes no longer work, and you were signed
out everywhere. You can set MFA up again from My Settings > MFA; if MFA is
required of you, you'll be asked to the next time you sign in.`, by, formatTime(at)))
}

// ReminderData is what a reminder to set up MFA says.
type ReminderData struct {
	To string
	// From is the name of the administrator who sent the reminder.
	From string
	// Of is the account or client portal whose requirement applies.
	Of       string
	Required bool
	// Deadline is when the user must have set MFA up; zero without one.
	Deadline time.Time
	// Passkey asks a user whose only factor is an app for a passkey or
	// security key, which the strict level requires by Deadline.
	Passkey bool
	Now     time.Time
	// SignIn is the user's sign-in page.
	SignIn string
}

// MFAReminder asks a user without MFA to set it up, with their deadline:
// ahead, passed, or none because nothing requires it yet.
func MFAReminder(d ReminderData) padlock.Mail {
	if d.Passkey {
		return passkeyReminder(d)
	}
	var when string
	switch {
	case !d.Required:
		when = fmt.Sprintf("%s asks everyone to protect their sign-in with multi-factor\nauthentication (MFA).", d.Of)
	case d.Now.Before(d.Deadline):
		when = fmt.Sprintf("%s requires multi-factor authentication (MFA). Please set it up\nbefore %s. After that, Padlock will walk you through it when you sign\nin, before anything else.", d.Of, formatTime(d.Deadline))
	default:
		when = fmt.Sprintf("%s requires multi-factor authentication (MFA), and your time to\nset it up has run out: the next time you sign in, Padlock will walk you\nthrough it before anything else.", d.Of)
	}
	return padlock.Mail{To: d.To, Subject: fmt.Sprintf("Reminder: set up MFA for %s on Padlock", d.Of), Body: fmt.Sprintf(`Hello,

%s sent you this reminder: you have not set up MFA on Padlock yet.
%s

It takes a minute: sign in, open My Settings > MFA and scan the QR code
with an authenticator app on your phone, such as Google Authenticator,
Microsoft Authenticator, Authy or 1Password.

Sign in: %s
`, d.From, when, d.SignIn)}
}

// passkeyReminder asks a user whose only factor is an authenticator app to
// add a passkey or security key, which their requirement now asks for.
func passkeyReminder(d ReminderData) padlock.Mail {
	when := fmt.Sprintf("Please add one before %s. Your authenticator app keeps working until\nthen; after that, Padlock will walk you through adding one when you\nsign in, before anything else.", formatTime(d.Deadline))
	if !d.Now.Before(d.Deadline) {
		when = "Your time to add one has run out: the next time you sign in, Padlock\nwill walk you through it before anything else."
	}
	return padlock.Mail{To: d.To, Subject: fmt.Sprintf("Reminder: add a passkey for %s on Padlock", d.Of), Body: fmt.Sprintf(`Hello,

%s sent you this reminder: %s now accepts only phishing-resistant
MFA, a passkey or a security key, and you sign in with an authenticator
app only.
%s

It takes a minute: sign in, open My Settings > MFA, choose "Add a passkey
or security key" and follow your browser. It can keep the passkey on this
device, on your phone or on a security key.

Sign in: %s
`, d.From, d.Of, when, d.SignIn)}
}
