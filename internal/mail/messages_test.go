package mail_test

import (
	"strings"
	"testing"
	"time"

	padmail "github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

func TestMessages(t *testing.T) {
	t.Parallel()
	// 15:05 in Paris is 14:05 UTC: messages state times in UTC.
	paris := time.FixedZone("CET", 3600)
	at := time.Date(2026, 11, 27, 15, 5, 0, 0, paris)
	const link = "https://padlock.example.com/t/abc"
	tests := []struct {
		name string
		mail padlock.Mail
		want []string
	}{
		{"an invitation names the account, the inviter, the link and the expiry",
			padmail.Invitation(padmail.InvitationData{To: "ada@example.com", Inviter: "Grace Hopper", Account: "Acme", Link: link, Expires: at}),
			[]string{"join Acme on Padlock", "Grace Hopper", link, "27 Nov 2026 14:05 UTC"}},
		{"a portal invitation names the portal it joins and the account whose portal it is",
			padmail.Invitation(padmail.InvitationData{To: "ada@example.com", Inviter: "Grace Hopper", Account: "Acme", Portal: "Initech portal", Link: link, Expires: at}),
			[]string{"client portal Initech portal", "Grace Hopper, of Acme,", link, "27 Nov 2026 14:05 UTC"}},
		{"an invitation to an address that has a user names what it was for and says nothing changed",
			padmail.InvitationToExistingUser("ada@example.com", "Acme", "Grace Hopper"),
			[]string{"Acme", "Grace Hopper", "already", "nothing was changed"}},
		{"a password reset says to ignore it if you did not ask and that the link works once",
			padmail.PasswordReset("ada@example.com", link, at),
			[]string{link, "did not ask", "works once", "27 Nov 2026 14:05 UTC"}},
		{"an unlock mail gives the lock's end, the link, and what to do if it wasn't you",
			padmail.Unlock("ada@example.com", link, at),
			[]string{link, "27 Nov 2026 14:05 UTC", "change it"}},
		{"a password change notice gives the time and what to do if it wasn't you",
			padmail.PasswordChanged("ada@example.com", at),
			[]string{"27 Nov 2026 14:05 UTC", "If it wasn't"}},
		{"a reminder before the deadline gives the deadline, who sent it and the sign-in link",
			padmail.MFAReminder(padmail.ReminderData{To: "ada@example.com", From: "Grace Hopper", Of: "Acme", Required: true, Deadline: at, Now: at.Add(-time.Hour), SignIn: link}),
			[]string{"Grace Hopper", "Acme requires", "before 27 Nov 2026 14:05 UTC", link}},
		{"a reminder after the deadline says the next sign-in walks through it",
			padmail.MFAReminder(padmail.ReminderData{To: "ada@example.com", From: "Grace Hopper", Of: "Acme", Required: true, Deadline: at, Now: at, SignIn: link}),
			[]string{"run out", "next time you sign in", link}},
		{"a deactivation says who did it, to what, and that they were signed out",
			padmail.AccessDeactivated("ada@example.com", "Initech portal", "Grace Hopper"),
			[]string{"Grace Hopper deactivated", "Initech portal", "signed out"}},
		{"a reactivation says they may sign in again and where",
			padmail.AccessReactivated("ada@example.com", "Initech portal", "Grace Hopper", link),
			[]string{"Grace Hopper reactivated", "Initech portal", link}},
		{"a role change names the old role and the new",
			padmail.RoleChanged("ada@example.com", "Initech portal", "Grace Hopper", padlock.RoleLite, padlock.RoleEditor),
			[]string{"Grace Hopper changed", "Initech portal", "from Lite to Editor"}},
		{"a copied passkey's notice names its kind and name, says it stays refused and what to do",
			padmail.PasskeyCopied("ada@example.com", "security key", "Blue key", at),
			[]string{`security key "Blue key"`, "27 Nov 2026 14:05 UTC", "counter", "It will not", "remove it on My Settings > MFA", "Your administrator was"}},
		{"the administrators' notice of a copied passkey names the user and suggests Reset MFA",
			padmail.PasskeyCopiedAdmin("ada@example.com", "bea@example.com", "passkey", "Phone", at),
			[]string{"bea@example.com", `passkey "Phone"`, "27 Nov 2026 14:05 UTC", "Reset MFA", "Passkey counter went backwards"}},
		{"a passkey reminder before the strict deadline asks for a passkey and says the app works until then",
			padmail.MFAReminder(padmail.ReminderData{To: "ada@example.com", From: "Grace Hopper", Of: "Acme", Required: true, Passkey: true, Deadline: at, Now: at.Add(-time.Hour), SignIn: link}),
			[]string{"Grace Hopper", "Acme now accepts only phishing-resistant", "before 27 Nov 2026 14:05 UTC", "keeps working", "Add a passkey", link}},
		{"a passkey reminder after the strict deadline says the next sign-in walks through it",
			padmail.MFAReminder(padmail.ReminderData{To: "ada@example.com", From: "Grace Hopper", Of: "Acme", Required: true, Passkey: true, Deadline: at, Now: at, SignIn: link}),
			[]string{"run out", "next time you sign in", link}},
		{"a reminder while nothing is required asks without a deadline",
			padmail.MFAReminder(padmail.ReminderData{To: "ada@example.com", From: "Grace Hopper", Of: "Acme", SignIn: link}),
			[]string{"Acme asks", link}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.mail.To != "ada@example.com" || tt.mail.Subject == "" {
				t.Errorf("To %q, Subject %q", tt.mail.To, tt.mail.Subject)
			}
			for _, w := range tt.want {
				if !strings.Contains(tt.mail.Body, w) {
					t.Errorf("body lacks %q:\n%s", w, tt.mail.Body)
				}
			}
		})
	}
}
