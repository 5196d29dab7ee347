package cli

import (
	"context"
	"fmt"
	"net"
	"os/signal"
	"syscall"
	"time"

	"github.com/padlock-mfa/padlock/internal/app"
)

func runServe(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "serve", "serve [flags]\n\nRuns Padlock. With no settings it keeps an SQLite database in ./padlock-data and listens on 127.0.0.1:8080.")
	cfg, err := loadConfig(env, fs, args)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	started := time.Now()
	// The port first: a node that cannot listen fails before it creates a
	// data directory, a key or a database.
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (PADLOCK_LISTEN): %w; is another server using that port?", cfg.Listen, err)
	}
	defer l.Close()
	logger := newLogger(cfg, env.Stderr)
	rt := tuneRuntime(env.Getenv, cfg.HashConcurrency)
	a, err := app.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	a.Start()
	logger.Info("padlock listening", "address", l.Addr().String(), "base_url", cfg.BaseURL,
		"database", string(a.DB.Dialect()), "gogc", rt.gogc, "gomemlimit", rt.memLimit, "gomaxprocs", rt.maxProcs, "startup_ms", time.Since(started).Milliseconds())
	if err := printSetupLink(ctx, env, a); err != nil {
		return err
	}
	err = a.Serve(ctx, l)
	logger.Info("padlock stopped")
	return err
}

// printSetupLink shows the one-time setup link on the terminal while no
// account exists. It goes to the terminal, not to the log.
func printSetupLink(ctx context.Context, env Env, a *app.App) error {
	token, err := a.Auth.IssueSetupToken(ctx)
	if err != nil || token == "" {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nPadlock has no account yet. Open this link to create one (it works once):\n\n    %s/setup/%s\n\n", a.Config.BaseURL, token)
	return nil
}
