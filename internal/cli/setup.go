package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/config"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"golang.org/x/term"
)

func runSetup(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "setup", "setup --account NAME --email EMAIL [--name NAME] [flags]\n\nCreates an account and its Administrator. The password is read from PADLOCK_SETUP_PASSWORD or asked for.")
	account := fs.String("account", "", "the account's name")
	email := fs.String("email", "", "the Administrator's email")
	name := fs.String("name", "", "the Administrator's name (default: the part of the email before @)")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	if *account == "" || *email == "" {
		fs.Usage()
		return errUsage
	}
	if *name == "" {
		*name, _, _ = strings.Cut(*email, "@")
	}
	password, err := readPassword(env)
	if err != nil {
		return err
	}
	in := auth.SetupInput{AccountName: *account, Name: *name, Email: *email, Password: password}
	// Refuse bad input before anything is created on disk.
	if err := in.Validate(); err != nil {
		return describe(err)
	}
	a, err := openApp(ctx, env, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.SetupFromCLI(ctx, in)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "created account %q with Administrator %s; sign in at %s/login\n", *account, u.Email, cfg.BaseURL)
	return nil
}

// readPassword takes PADLOCK_SETUP_PASSWORD, or asks twice on a terminal.
func readPassword(env Env) (string, error) {
	if p := env.Getenv("PADLOCK_SETUP_PASSWORD"); p != "" {
		return p, nil
	}
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return readLine(env.Stdin)
	}
	fmt.Fprint(env.Stderr, "Password: ")
	p1, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(env.Stderr, "Repeat password: ")
	p2, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(env.Stderr)
	if err != nil {
		return "", err
	}
	if string(p1) != string(p2) {
		return "", errors.New("the passwords do not match")
	}
	return string(p1), nil
}

func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password: set PADLOCK_SETUP_PASSWORD or type it on a terminal")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// describe spells out validation errors field by field for the terminal.
func describe(err error) error {
	var e *padlock.Error
	if errors.As(err, &e) {
		// The message of one field's error, or every field of a collected one.
		return errors.New(e.Error())
	}
	return errors.New(padlock.ErrorMessage(err))
}

// openApp builds the app for a one-shot command; it logs only warnings.
func openApp(ctx context.Context, env Env, cfg config.Config) (*app.App, error) {
	cfg.LogLevel = "warn"
	return app.New(ctx, cfg, newLogger(cfg, env.Stderr))
}

// openOperatorApp is openApp for `padlock user`, which must work even with
// a lost secret key (see app.NewForOperator).
func openOperatorApp(ctx context.Context, env Env, cfg config.Config) (*app.App, error) {
	cfg.LogLevel = "warn"
	return app.NewForOperator(ctx, cfg, newLogger(cfg, env.Stderr))
}

func prepareDir(dir, databaseURL string) error {
	if databaseURL != "" || dir == "" {
		return nil
	}
	return os.MkdirAll(dir, 0o700)
}
