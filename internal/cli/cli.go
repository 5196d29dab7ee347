// Package cli is Padlock's command line: serve, migrate, setup, user,
// backup, restore and version, each with --help.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/config"
)

// Version is set at build time with -ldflags "-X …/cli.Version=…".
var Version = "dev"

// Env is what a command reads and writes besides its arguments.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Environ lists every variable as NAME=value, to find misspelt
	// PADLOCK_* names; nil skips that check.
	Environ func() []string
	// Now is the clock; nil means the system's.
	Now func() time.Time
}

func (env Env) now() time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

type command struct {
	summary string
	run     func(ctx context.Context, env Env, args []string) error
}

var commands = map[string]command{
	"serve":   {"run the Padlock server", runServe},
	"migrate": {"apply (up) or show (status) database migrations", runMigrate},
	"setup":   {"create an account and its first Administrator", runSetup},
	"backup":  {"copy the SQLite database while the server runs (PostgreSQL: pg_dump)", runBackup},
	"restore": {"restore a SQLite backup; --after-restore makes any restored database safe", runRestore},
	"user":    {"operator actions on users: unlock, reset-mfa (break glass), list", runUser},
	"version": {"print the version", runVersion},
}

// errUsage means the command printed its own usage; exit 2 without more.
var errUsage = errors.New("usage")

// Main runs the command named by args[0] and returns the exit code.
func Main(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "padlock: unknown command %q\n\n", args[0])
		usage(env.Stderr)
		return 2
	}
	err := cmd.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(env.Stderr, "padlock %s: %v\n", args[0], err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: padlock <command> [flags]\n\nCommands:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun padlock <command> --help for its flags. Settings also come from", strings.Join(config.Env(), ", "))
}

// newFlags returns a flag set whose errors are returned, with help text.
func newFlags(env Env, name, help string) *flag.FlagSet {
	fs := flag.NewFlagSet("padlock "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: padlock %s\n\n", help)
		fs.PrintDefaults()
	}
	return fs
}

// usageWithFlags prints a command's usage with the settings' flags, for
// commands whose action word comes before their flags.
func usageWithFlags(fs *flag.FlagSet) {
	cfg := config.Default()
	cfg.Load(fs, func(string) string { return "" })
	fs.Usage()
}

// loadConfig reads the environment and the command's flags.
func loadConfig(env Env, fs *flag.FlagSet, args []string) (config.Config, error) {
	cfg := config.Default()
	envErr := cfg.Load(fs, env.Getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return cfg, errUsage
	}
	var unknownErr error
	if env.Environ != nil {
		unknownErr = config.CheckEnviron(env.Environ())
	}
	if err := errors.Join(unknownErr, envErr, cfg.Validate()); err != nil {
		return cfg, fmt.Errorf("invalid configuration:\n%w", err)
	}
	return cfg, nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func runVersion(ctx context.Context, env Env, args []string) error {
	fs := newFlags(env, "version", "version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "padlock", Version)
	return nil
}

// Run is main's body: the real process environment.
func Run() int {
	return Main(context.Background(), Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ}, os.Args[1:])
}
