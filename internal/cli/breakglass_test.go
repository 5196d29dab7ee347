package cli_test

import (
	"encoding/base32"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// breakGlassApp is a running node and the environment of a command line on
// the same server: same database, same data directory, same mail relay.
func breakGlassApp(t *testing.T, d string) (*testenv.TestApp, map[string]string) {
	t.Helper()
	env := dbEnv(t, d)
	a := testenv.StartApp(t, d, testenv.Options{DatabaseURL: env["PADLOCK_DATABASE_URL"], DataDir: env["PADLOCK_DATA_DIR"]})
	env["PADLOCK_SMTP_URL"] = a.SMTP.URL()
	return a, env
}

// withMFA signs the user in and sets MFA up through the auth service, as the
// enrollment screens would; it returns the session's token.
func withMFA(t *testing.T, a *testenv.TestApp, email string) string {
	t.Helper()
	ctx := t.Context()
	s, err := a.Auth.SignIn(ctx, email, testenv.Password, "test")
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	c, err := a.Auth.Authenticate(ctx, s.Token)
	if err == nil {
		err = a.Auth.BeginEnrollment(ctx, c)
	}
	var e *auth.Enrollment
	if err == nil {
		e, err = a.Auth.PendingEnrollment(ctx, c)
	}
	if err != nil {
		t.Fatalf("enroll %s: %v", email, err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Auth.ConfirmEnrollment(ctx, c, mfa.Code(secret, mfa.Step(a.Clock.Now()), mfa.Digits), "test"); err != nil {
		t.Fatalf("confirm %s: %v", email, err)
	}
	return s.Token
}

func TestUserResetMFARemovesTheFactorsAndEndsEverySession(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		ctx := t.Context()
		a, env := breakGlassApp(t, d)
		ada := a.CreateAccount(t, "Acme IT", "ada@example.com")
		bob := a.AddUser(t, ada, "bob@example.com", padlock.RoleLite)
		session := withMFA(t, a, "bob@example.com")
		pending, err := a.Auth.SignIn(ctx, "bob@example.com", testenv.Password, "test")
		if err != nil || pending.Session.State != padlock.SessionMFAPending {
			t.Fatalf("sign-in with MFA on: %v, want a pending sign-in", err)
		}

		r := mustRun(t, env, "user", "reset-mfa", "--email", "Bob@Example.com")
		if !strings.Contains(r.stdout, "reset MFA of bob@example.com") {
			t.Errorf("stdout does not confirm the reset:\n%s", r.stdout)
		}
		if r.stderr != "" {
			t.Errorf("stderr:\n%s", r.stderr)
		}

		u, err := a.DB.Conn().User(ctx, ada.AccountID, bob.ID)
		if err != nil || u.HasMFA() {
			t.Fatalf("bob still has MFA after the reset (%v)", err)
		}
		if _, err := a.DB.Conn().TOTP(ctx, bob.ID); !errors.Is(err, padlock.ErrNotFound) {
			t.Errorf("the authenticator app is still stored: %v", err)
		}
		if n, err := a.DB.Conn().RecoveryCodesLeft(ctx, bob.ID); err != nil || n != 0 {
			t.Errorf("%d recovery codes left (%v)", n, err)
		}
		for name, token := range map[string]string{"session": session, "pending sign-in": pending.Token} {
			if _, err := a.Auth.Authenticate(ctx, token); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("bob's %s survived the reset: %v", name, err)
			}
		}

		events, err := a.DB.Conn().Events(ctx, ada.AccountID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var resets []padlock.Event
		for _, e := range events {
			if e.Kind == "mfa_reset" {
				resets = append(resets, e)
			}
		}
		if len(resets) != 1 || resets[0].Address != "command line" || resets[0].TargetID != bob.ID || resets[0].ActorID != 0 {
			t.Errorf("audit log has these MFA resets, want one of bob from the command line: %+v", resets)
		}

		notice := a.SMTP.WaitFor(t, "bob@example.com", "Your Padlock MFA was reset")
		if !strings.Contains(notice.Body, "operator") {
			t.Errorf("the notice does not say who reset MFA:\n%s", notice.Body)
		}
		s, err := a.Auth.SignIn(ctx, "bob@example.com", testenv.Password, "test")
		if err != nil || s.Session.State != padlock.SessionFull {
			t.Fatalf("bob signs in after the reset: %v, want a full session without a challenge", err)
		}
	})
}

func TestUserResetMFARefusesAnUnknownOrMissingEmail(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, env := breakGlassApp(t, d)
		r := run(t, env, "", "user", "reset-mfa", "--email", "nobody@example.com")
		if r.code != 1 || !strings.Contains(r.stderr, "No user has the email nobody@example.com") {
			t.Errorf("unknown email: exit %d, want 1 and a message naming it:\n%s", r.code, r.stderr)
		}
		r = run(t, env, "", "user", "reset-mfa")
		if r.code != 2 || !strings.Contains(r.stderr, "Usage") || !strings.Contains(r.stderr, "-email") {
			t.Errorf("no email: exit %d, want 2 and the usage:\n%s", r.code, r.stderr)
		}
	})
}

// listedUser is one row of `padlock user list`.
type listedUser struct{ email, status, mfa string }

func listUsers(t *testing.T, env map[string]string, args ...string) []listedUser {
	t.Helper()
	r := mustRun(t, env, append([]string{"user", "list"}, args...)...)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if got := strings.Fields(lines[0]); !slices.Equal(got, []string{"ACCOUNT", "PORTAL", "EMAIL", "ROLE", "STATUS", "MFA"}) {
		t.Fatalf("header %q", lines[0])
	}
	var out []listedUser
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 6 {
			t.Fatalf("row %q", l)
		}
		out = append(out, listedUser{f[2], f[4], strings.Join(f[5:], " ")})
	}
	return out
}

func TestUserListShowsWhoHasMFA(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		ctx := t.Context()
		a, env := breakGlassApp(t, d)
		ada := a.CreateAccount(t, "Acme IT", "ada@example.com")
		a.AddUser(t, ada, "bob@example.com", padlock.RoleLite)
		a.AddUser(t, ada, "cy@example.com", padlock.RoleReadOnly)
		eve := a.AddUser(t, ada, "eve@example.com", padlock.RoleEditor)
		if _, err := a.Admin.Invite(ctx, auth.Actor{User: ada}, 0, []string{"dee@example.com"}, padlock.RoleCreator); err != nil {
			t.Fatal(err)
		}
		if err := a.Admin.Deactivate(ctx, auth.Actor{User: ada}, eve.ID); err != nil {
			t.Fatal(err)
		}
		a.CreateAccount(t, "Beta IT", "zed@beta.example")
		withMFA(t, a, "bob@example.com")
		since := "set up " + a.Clock.Now().UTC().Format("2006-01-02")

		var withoutMFA []string
		for _, u := range listUsers(t, env, "--no-mfa") {
			withoutMFA = append(withoutMFA, u.email)
		}
		if want := []string{"ada@example.com", "cy@example.com", "zed@beta.example"}; !slices.Equal(withoutMFA, want) {
			t.Errorf("user list --no-mfa = %v, want the active users without MFA %v", withoutMFA, want)
		}

		want := []listedUser{
			{"ada@example.com", "active", "not set up"},
			{"bob@example.com", "active", since},
			{"cy@example.com", "active", "not set up"},
			{"dee@example.com", "invited", "not set up"},
			{"eve@example.com", "deactivated", "not set up"},
			{"zed@beta.example", "active", "not set up"},
		}
		if got := listUsers(t, env); !slices.Equal(got, want) {
			t.Errorf("user list =\n%v\nwant\n%v", got, want)
		}
	})
}
