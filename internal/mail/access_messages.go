package mail

import (
	"fmt"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

// The notices about a user's access, sent when someone else changes it: a
// person should learn from Padlock, not from a refused sign-in, that they
// were let out, back in, or given other rights. where names what they have
// access to (a client portal's name), by who changed it.

// AccessDeactivated tells a user they can no longer sign in.
func AccessDeactivated(to, where, by string) padlock.Mail {
	return padlock.Mail{To: to, Subject: fmt.Sprintf("Your access to %s on Padlock was deactivated", where), Body: fmt.Sprintf(`Hello,

%s deactivated your access to %s on Padlock. You have been
signed out, and you can no longer sign in.

If you think this is a mistake, ask %s.
`, by, where, by)}
}

// AccessReactivated tells a user they may sign in again.
func AccessReactivated(to, where, by, signInURL string) padlock.Mail {
	return padlock.Mail{To: to, Subject: fmt.Sprintf("Your access to %s on Padlock is back", where), Body: fmt.Sprintf(`Hello,

%s reactivated your access to %s on Padlock. You can sign in
again with your email address and password:

%s
`, by, where, signInURL)}
}

// RoleChanged tells a user what they may now do.
func RoleChanged(to, where, by string, from, role padlock.Role) padlock.Mail {
	return padlock.Mail{To: to, Subject: fmt.Sprintf("Your role in %s on Padlock changed", where), Body: fmt.Sprintf(`Hello,

%s changed your role in %s on Padlock from %s to %s.
You'll see what it allows the next time you open a page.

If you think this is a mistake, ask %s.
`, by, where, from.Label(), role.Label(), by)}
}
