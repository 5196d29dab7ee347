package cli

import (
	"context"
	"fmt"
)

func runUser(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "user", "user unlock --email EMAIL [flags]\n\nunlock clears a user's failed sign-in count and lock.")
	email := fs.String("email", "", "the user's email")
	if len(args) == 0 || args[0] != "unlock" {
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
	if *email == "" {
		fs.Usage()
		return errUsage
	}
	a, err := openApp(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.UnlockByOperator(ctx, *email)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "unlocked %s\n", u.Email)
	return nil
}
