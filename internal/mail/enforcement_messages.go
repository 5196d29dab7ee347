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

// MFAResetNotice tells a user that an administrator removed their factors.
func MFAResetNotice(to, by string, at time.Time) padlock.Mail {
	return notice(to, "Your Padlock MFA was reset", fmt.Sprintf(
		`%s reset the multi-factor authentication of your Padlock sign-in on %s.
Your authenticator app and recovery codes no longer work, and you were signed
out everywhere. You can set MFA up again from My Settings > MFA; if MFA is
required of you, you'll be asked to the next time you sign in.`, by, formatTime(at)))
}
