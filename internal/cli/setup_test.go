package cli_test

import (
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestSetupCreatesAnAccount(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		env := dbEnv(t, d)
		env["PADLOCK_SETUP_PASSWORD"] = testenv.Password
		r := mustRun(t, env, "setup", "--account", "Acme IT", "--email", "Ada@Example.com")
		if !strings.Contains(r.stdout, `created account "Acme IT" with Administrator ada@example.com`) {
			t.Errorf("stdout does not confirm the account:\n%s", r.stdout)
		}
		if !strings.Contains(r.stdout, "/login") {
			t.Errorf("stdout does not say where to sign in:\n%s", r.stdout)
		}
		if strings.Contains(r.stdout+r.stderr, testenv.Password) {
			t.Error("setup echoed the password")
		}

		status := mustRun(t, env, "migrate", "status")
		if strings.Contains(status.stdout, "pending") || !strings.Contains(status.stdout, "applied") {
			t.Errorf("after setup every migration should be applied:\n%s", status.stdout)
		}
	})
}

func TestSetupTheAdministratorCanSignIn(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		env := dbEnv(t, d)
		env["PADLOCK_SETUP_PASSWORD"] = testenv.Password
		mustRun(t, env, "setup", "--account", "Acme IT", "--email", "ada@example.com", "--name", "Ada Lovelace")

		a := testenv.StartApp(t, d, testenv.Options{DatabaseURL: env["PADLOCK_DATABASE_URL"], DataDir: env["PADLOCK_DATA_DIR"]})
		c := a.NewClient()
		c.SignIn(t, "ada@example.com", testenv.Password)
		status, _, body := c.Get(t, "/api/v1/me")
		if status != 200 || !strings.Contains(body, "Ada Lovelace") || !strings.Contains(body, "administrator") {
			t.Errorf("GET /api/v1/me: %d\n%s", status, body)
		}
	})
}

func TestSetupRefusesAWeakPassword(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		tests := []struct {
			name, password, message string
		}{
			{"a short one", "short", "Use at least 12 characters."},
			{"a common one", "password1234", "too easy to guess"},
			{"one made of the email", "ada@example.com", "too easy to guess"},
		}
		env := dbEnv(t, d)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				env["PADLOCK_SETUP_PASSWORD"] = tt.password
				r := run(t, env, "", "setup", "--account", "Acme IT", "--email", "ada@example.com")
				if r.code != 1 {
					t.Errorf("exit %d, want 1", r.code)
				}
				if !strings.Contains(r.stderr, "password: ") || !strings.Contains(r.stderr, tt.message) {
					t.Errorf("the message does not name the field and the rule:\n%s", r.stderr)
				}
			})
		}
		if r := run(t, env, "", "user", "unlock", "--email", "ada@example.com"); r.code != 1 {
			t.Errorf("a refused setup left a user behind: %s", r.stdout)
		}
	})
}

func TestSetupReportsEveryBadField(t *testing.T) {
	t.Parallel()
	env := dbEnv(t, "sqlite")
	env["PADLOCK_SETUP_PASSWORD"] = "short"
	r := run(t, env, "", "setup", "--account", " ", "--email", "not-an-email")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	for _, field := range []string{"account: ", "email: ", "password: "} {
		if !strings.Contains(r.stderr, field) {
			t.Errorf("the message does not name %q:\n%s", field, r.stderr)
		}
	}
}

func TestSetupRefusesADuplicateEmail(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		env := dbEnv(t, d)
		env["PADLOCK_SETUP_PASSWORD"] = testenv.Password
		mustRun(t, env, "setup", "--account", "Acme IT", "--email", "ada@example.com")
		r := run(t, env, "", "setup", "--account", "Other IT", "--email", "ADA@example.com")
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
		if !strings.Contains(r.stderr, "already exists") {
			t.Errorf("the message does not say the email is taken:\n%s", r.stderr)
		}
		// A second account with another email is the operator's right.
		mustRun(t, env, "setup", "--account", "Other IT", "--email", "grace@example.com")
	})
}

func TestSetupReadsThePasswordFromStdin(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		env := dbEnv(t, d)
		r := run(t, env, testenv.Password+"\n", "setup", "--account", "Acme IT", "--email", "ada@example.com")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		a := testenv.StartApp(t, d, testenv.Options{DatabaseURL: env["PADLOCK_DATABASE_URL"], DataDir: env["PADLOCK_DATA_DIR"]})
		a.NewClient().SignIn(t, "ada@example.com", testenv.Password)
	})
}

func TestSetupWithoutAPasswordSaysHowToGiveOne(t *testing.T) {
	t.Parallel()
	env := dbEnv(t, "sqlite")
	r := run(t, env, "", "setup", "--account", "Acme IT", "--email", "ada@example.com")
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if !strings.Contains(r.stderr, "PADLOCK_SETUP_PASSWORD") {
		t.Errorf("the message does not say how to give a password:\n%s", r.stderr)
	}
}
