package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/cli"
	"github.com/padlock-mfa/padlock/internal/config"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// result is what one run of the command line left behind.
type result struct {
	code           int
	stdout, stderr string
}

// run calls cli.Main as the process would, with env as the whole
// environment and stdin as the terminal's input.
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Main(context.Background(), cli.Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
		Environ: func() []string {
			var out []string
			for k, v := range env {
				out = append(out, k+"="+v)
			}
			return out
		},
	}, args)
	return result{code, stdout.String(), stderr.String()}
}

// mustRun runs a command that has to succeed.
func mustRun(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	r := run(t, env, "", args...)
	if r.code != 0 {
		t.Fatalf("padlock %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// dbEnv returns the environment of a fresh installation on the dialect: a
// new data directory and, for PostgreSQL, a new empty database.
func dbEnv(t *testing.T, d string) map[string]string {
	t.Helper()
	env := map[string]string{"PADLOCK_DATA_DIR": t.TempDir()}
	if url := testenv.DatabaseURL(t, store.Dialect(d)); url != "" {
		env["PADLOCK_DATABASE_URL"] = url
	}
	return env
}

func TestVersionPrintsTheVersion(t *testing.T) {
	t.Parallel()
	r := mustRun(t, nil, "version")
	if r.stdout != "padlock dev\n" {
		t.Errorf("stdout = %q, want %q", r.stdout, "padlock dev\n")
	}
}

func TestHelpListsTheCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"help asked for exits 0", []string{"help"}, 0},
		{"--help exits 0", []string{"--help"}, 0},
		{"no command at all exits 2", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			for _, cmd := range []string{"serve", "migrate", "setup", "user", "version"} {
				if !strings.Contains(r.stderr, "  "+cmd+" ") {
					t.Errorf("usage does not list %q:\n%s", cmd, r.stderr)
				}
			}
			if !strings.Contains(r.stderr, "PADLOCK_DATABASE_URL") {
				t.Errorf("usage does not name the environment variables:\n%s", r.stderr)
			}
		})
	}
}

func TestUnknownCommandExits2(t *testing.T) {
	t.Parallel()
	r := run(t, nil, "", "frobnicate")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("stderr does not name the command and list the others:\n%s", r.stderr)
	}
}

func TestEachCommandsHelpPrintsItsFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		flags []string
	}{
		{[]string{"serve", "--help"}, []string{"-listen", "-data-dir", "-database-url", "-base-url", "-smtp-url", "-trust-proxy", "-log-level"}},
		{[]string{"migrate", "--help"}, []string{"up|status", "-data-dir", "-database-url"}},
		{[]string{"migrate", "up", "--help"}, []string{"-data-dir", "-database-url"}},
		{[]string{"setup", "--help"}, []string{"-account", "-email", "-name", "PADLOCK_SETUP_PASSWORD", "-data-dir", "-database-url"}},
		{[]string{"user", "--help"}, []string{"unlock", "-email", "-data-dir", "-database-url"}},
		{[]string{"user", "unlock", "-h"}, []string{"-email", "-data-dir"}},
		{[]string{"version", "--help"}, []string{"Usage: padlock version"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := run(t, nil, "", tt.args...)
			if r.code != 0 {
				t.Errorf("exit %d, want 0", r.code)
			}
			for _, f := range tt.flags {
				if !strings.Contains(r.stderr, f) {
					t.Errorf("help does not mention %s:\n%s", f, r.stderr)
				}
			}
		})
	}
}

func TestEverySettingHasAFlagInServeHelp(t *testing.T) {
	t.Parallel()
	r := run(t, nil, "", "serve", "--help")
	for _, name := range config.Env() {
		if name == "PADLOCK_SECRET_KEY" {
			continue // a secret belongs in the environment, not on the command line
		}
		if !strings.Contains(r.stderr, "["+name+"]") {
			t.Errorf("serve --help does not show %s:\n%s", name, r.stderr)
		}
	}
}

func TestMisusedCommandsExit2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"migrate without an action", []string{"migrate"}},
		{"migrate with an unknown action", []string{"migrate", "sideways"}},
		{"user without an action", []string{"user"}},
		{"user unlock without an email", []string{"user", "unlock"}},
		{"setup without an email", []string{"setup", "--account", "Acme"}},
		{"an unknown flag", []string{"serve", "--colour"}},
		{"a stray argument", []string{"serve", "now"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, map[string]string{"PADLOCK_DATA_DIR": t.TempDir()}, "", tt.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2\nstderr:\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "Usage") && !strings.Contains(r.stderr, "unexpected arguments") && !strings.Contains(r.stderr, "not defined") {
				t.Errorf("stderr does not say how to use the command:\n%s", r.stderr)
			}
		})
	}
}

func TestInvalidConfigurationNamesEveryProblem(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PADLOCK_DATA_DIR":  t.TempDir(),
		"PADLOCK_LISTEN":    "nonsense",
		"PADLOCK_LOG_LEVEL": "loud",
	}
	r := run(t, env, "", "serve")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, name := range []string{"PADLOCK_LISTEN", "PADLOCK_LOG_LEVEL"} {
		if !strings.Contains(r.stderr, name) {
			t.Errorf("the message does not name %s:\n%s", name, r.stderr)
		}
	}
	if !strings.Contains(r.stderr, "invalid configuration") {
		t.Errorf("the message does not say what is wrong:\n%s", r.stderr)
	}
}

func TestUnparsableSettingsAreReportedWithTheOthers(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"PADLOCK_DATA_DIR":     t.TempDir(),
		"PADLOCK_SESSION_IDLE": "soon",
		"PADLOCK_TRUST_PROXY":  "perhaps",
		"PADLOCK_LOG_FORMAT":   "xml",
	}
	r := run(t, env, "", "migrate", "status")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, name := range []string{"PADLOCK_SESSION_IDLE", "PADLOCK_TRUST_PROXY", "PADLOCK_LOG_FORMAT"} {
		if !strings.Contains(r.stderr, name) {
			t.Errorf("the message does not name %s:\n%s", name, r.stderr)
		}
	}
}
