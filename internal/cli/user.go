package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

const userHelp = `user unlock --email EMAIL | user reset-mfa --email EMAIL | user list --no-mfa [flags]

unlock    clears a user's failed sign-in count and lock.
reset-mfa removes a user's authenticator app and recovery codes and signs them
          out everywhere: the break-glass answer when the only Administrator
          has lost their phone. Audited as done from the command line.
list      lists users; --no-mfa only those without MFA.`

// userActions are the operator's actions on users, by name.
var userActions = map[string]func(ctx context.Context, env Env, a *app.App, email string, noMFA bool) error{
	"unlock":    unlockUser,
	"reset-mfa": resetUserMFA,
	"list":      listUsers,
}

func runUser(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "user", userHelp)
	email := fs.String("email", "", "the user's email (unlock, reset-mfa)")
	noMFA := fs.Bool("no-mfa", false, "list only users without MFA (list)")
	var action func(context.Context, Env, *app.App, string, bool) error
	if len(args) > 0 {
		action = userActions[args[0]]
	}
	if action == nil {
		usageWithFlags(fs)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	cfg, err := loadConfig(env, fs, args[1:])
	if err != nil {
		return err
	}
	if *email == "" && args[0] != "list" {
		fs.Usage()
		return errUsage
	}
	a, err := openOperatorApp(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	return action(ctx, env, a, *email, *noMFA)
}

func unlockUser(ctx context.Context, env Env, a *app.App, email string, _ bool) error {
	u, err := a.Auth.UnlockByOperator(ctx, email)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "unlocked %s\n", u.Email)
	return nil
}

func resetUserMFA(ctx context.Context, env Env, a *app.App, email string, _ bool) error {
	u, err := a.Admin.ResetMFAByOperator(ctx, email)
	if err != nil {
		return describe(err)
	}
	// Deliver the notice now: this process ends before a worker would.
	if _, err := a.Mail.DeliverDue(ctx); err != nil {
		fmt.Fprintf(env.Stderr, "the notice to %s stays queued: %v\n", u.Email, err)
	}
	fmt.Fprintf(env.Stdout, "reset MFA of %s: signed out everywhere; they set MFA up again at their next sign-in if it is required if MFA is required of them\n", u.Email)
	return nil
}

func listUsers(ctx context.Context, env Env, a *app.App, _ string, noMFA bool) error {
	users, err := a.DB.Conn().AllUsers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tPORTAL\tEMAIL\tROLE\tSTATUS\tMFA")
	for _, u := range users {
		if noMFA && (u.HasMFA() || u.Status != padlock.StatusActive) {
			continue
		}
		portal := "-"
		if u.IsPortalUser() {
			portal = fmt.Sprint(u.PortalID)
		}
		mfa := "not set up"
		if u.HasMFA() {
			mfa = "set up " + u.MFASince.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.AccountID, portal, u.Email, u.Role.Label(), u.Status, mfa)
	}
	return tw.Flush()
}
