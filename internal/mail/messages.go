package mail

import (
	"fmt"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The messages Padlock sends. Each is short plain text: what happened, the
// one thing to do, and what to do if it was not you.

// InvitationData is what an invitation says: who invites whom to what.
type InvitationData struct {
	To      string
	Inviter string // the inviting user's name
	Account string // the account's name
	// Portal is the client portal the invitee joins, one of the account's;
	// "" when they join the account itself.
	Portal  string
	Link    string // lets the invitee choose a password
	Expires time.Time
}

// Invitation asks d.To to join the account or, when d.Portal is set, that
// client portal of the account.
func Invitation(d InvitationData) padlock.Mail {
	joining, invited := d.Account, fmt.Sprintf("%s has invited you to join %s on Padlock.", d.Inviter, d.Account)
	if d.Portal != "" {
		joining = d.Portal
		invited = fmt.Sprintf("%s, of %s, has invited you to join the client portal %s on Padlock.", d.Inviter, d.Account, d.Portal)
	}
	return padlock.Mail{
		To:      d.To,
		Subject: fmt.Sprintf("You're invited to %s on Padlock", joining),
		Body: fmt.Sprintf(`Hello,

%s

To accept, open this link and choose a password:

%s

The link works once and expires on %s.

If you weren't expecting this invitation, you can ignore this email.
`, invited, d.Link, formatTime(d.Expires)),
	}
}

// InvitationToExistingUser tells to that someone tried to invite them to
// joining although they already have a Padlock user. The inviter is told
// nothing different, so an invitation never reveals who has a user.
func InvitationToExistingUser(to, joining, inviterName string) padlock.Mail {
	return padlock.Mail{
		To:      to,
		Subject: fmt.Sprintf("Someone tried to invite you to %s on Padlock", joining),
		Body: fmt.Sprintf(`Hello,

%s tried to invite you to join %s on Padlock, but this address already
has a Padlock user, so nothing was changed and no new user was created.

A Padlock user belongs to one account or client portal. To join %s as
well, ask them to invite another email address of yours.

If you weren't expecting this, you can ignore this email. If you have
forgotten your password, use "Forgot your password?" on the sign-in page.
`, inviterName, joining, joining),
	}
}

// PasswordReset carries a link to choose a new password.
func PasswordReset(to, link string, expires time.Time) padlock.Mail {
	return padlock.Mail{
		To:      to,
		Subject: "Reset your Padlock password",
		Body: fmt.Sprintf(`Hello,

Someone asked to reset the password for your Padlock sign-in. To choose a new
password, open this link:

%s

The link works once and expires on %s.

If you did not ask for this, ignore this email: your password stays as it is.
`, link, formatTime(expires)),
	}
}

// Unlock tells a user their sign-in was locked after repeated failures and
// carries a link that lifts the lock at once.
func Unlock(to, link string, lockedUntil time.Time) padlock.Mail {
	return padlock.Mail{
		To:      to,
		Subject: "Your Padlock sign-in was locked",
		Body: fmt.Sprintf(`Hello,

After several failed attempts, sign-in to your Padlock account was locked until
%s.

If it was you, open this link to unlock it now:

%s

The link works once.

If it wasn't you, someone may know or be guessing your password: change it
as soon as you can.
`, formatTime(lockedUntil), link),
	}
}

// PasswordChanged confirms a password change, so an unexpected one is
// noticed.
func PasswordChanged(to string, at time.Time) padlock.Mail {
	return padlock.Mail{
		To:      to,
		Subject: "Your Padlock password was changed",
		Body: fmt.Sprintf(`Hello,

The password for your Padlock sign-in was changed on %s.

If this was you, there's nothing else to do.

If it wasn't, reset your password right away from the sign-in page and tell
your administrator.
`, formatTime(at)),
	}
}

// formatTime writes t in UTC, like "27 Nov 2026 14:05 UTC", since the
// reader's time zone is unknown.
func formatTime(t time.Time) string {
	return t.UTC().Format("2 Jan 2006 15:04") + " UTC"
}
