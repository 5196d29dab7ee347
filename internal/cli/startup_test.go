package cli_test

import (
	"bufio"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// waitExit waits for the process to end by itself and returns its exit
// status.
func (p *process) waitExit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(within):
		t.Fatalf("padlock serve was still running after %v", within)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		t.Fatal(p.err)
	}
	return 0
}

// wantRefused checks that serve exited 1 with every phrase in its message
// and left no data directory behind.
func wantRefused(t *testing.T, p *process, dataDir string, phrases ...string) {
	t.Helper()
	if code := p.waitExit(t, 10*time.Second); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, s := range phrases {
		if !strings.Contains(p.stderr.String(), s) {
			t.Errorf("the message does not say %q:\n%s", s, p.stderr)
		}
	}
	if _, err := os.Stat(dataDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory exists after a refused start (%v)", err)
	}
}

func TestServeOnAPortInUseFailsBeforeCreatingAnything(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dataDir := filepath.Join(t.TempDir(), "padlock-data")
	p := startServe(t, map[string]string{"PADLOCK_DATA_DIR": dataDir, "PADLOCK_LISTEN": busy.Addr().String()})
	wantRefused(t, p, dataDir, "cannot listen on "+busy.Addr().String(), "address already in use")
}

func TestServeRefusesAMisspeltVariableAndNamesTheRightOne(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "padlock-data")
	p := startServe(t, map[string]string{"PADLOCK_DATA_DIR": dataDir, "PADLOCK_DATABSE_URL": "postgres://db.internal/padlock"})
	wantRefused(t, p, dataDir, "PADLOCK_DATABSE_URL", "did you mean PADLOCK_DATABASE_URL?")
}

func TestServeReportsABadSecretKeyTogetherWithEveryOtherProblem(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "padlock-data")
	p := startServe(t, map[string]string{"PADLOCK_DATA_DIR": dataDir, "PADLOCK_SECRET_KEY": "c2hvcnQ=",
		"PADLOCK_LOG_LEVEL": "loud", "PADLOCK_LSTEN": "0.0.0.0:80"})
	wantRefused(t, p, dataDir, "PADLOCK_SECRET_KEY: must be base64 of exactly 32 bytes", "PADLOCK_LOG_LEVEL", "did you mean PADLOCK_LISTEN?")
}

func TestServeExitsCleanlyWhenASlowClientOutlastsTheDrainWindow(t *testing.T) {
	p := startServe(t, map[string]string{"PADLOCK_DATA_DIR": t.TempDir(), "PADLOCK_SHUTDOWN_TIMEOUT": "200ms"})
	p.waitReady(t)
	slow := startSlowUpload(t, p.base)
	defer slow.Close()
	took := p.stop(t, 10*time.Second) // fails unless the exit status is 0
	if took < 200*time.Millisecond {
		t.Errorf("serve exited after %v, before the drain window of 200ms was over", took)
	}
	if !strings.Contains(p.stderr.String(), "cut off") {
		t.Errorf("the log does not say a request was cut off:\n%s", p.stderr)
	}
}

// startSlowUpload begins a sign-in form whose body never finishes, and
// returns once the server is reading it (it has answered 100 Continue), so
// the request is in flight.
func startSlowUpload(t *testing.T, base string) net.Conn {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	req := "POST /login HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + base +
		"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 100 ") {
		t.Fatalf("the server did not start reading the form: %q, %v", line, err)
	}
	if _, err := conn.Write([]byte("email=slow%40example.com")); err != nil {
		t.Fatal(err)
	}
	return conn
}

func TestServeGivesUpOnADatabaseThatAcceptsAndNeverAnswers(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() { // accept, hold and say nothing
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	p := startServe(t, map[string]string{"PADLOCK_DATA_DIR": t.TempDir(),
		"PADLOCK_DATABASE_URL": "postgres://padlock@" + silent.Addr().String() + "/padlock?sslmode=disable&connect_timeout=1"})
	if code := p.waitExit(t, 15*time.Second); code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	if !strings.Contains(p.stderr.String(), "the database did not answer in time") {
		t.Errorf("the message does not say the database did not answer:\n%s", p.stderr)
	}
}

func TestASecondNodeWithAnotherSecretKeyRefusesToStart(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		first := map[string]string{"PADLOCK_DATA_DIR": t.TempDir()}
		second := map[string]string{"PADLOCK_DATA_DIR": first["PADLOCK_DATA_DIR"], "PADLOCK_SECRET_KEY": testenv.SharedSecretKey}
		if d == "postgres" { // its own data directory, so its own generated key
			first["PADLOCK_DATABASE_URL"] = testenv.DatabaseURL(t, "postgres")
			second = map[string]string{"PADLOCK_DATA_DIR": t.TempDir(), "PADLOCK_DATABASE_URL": first["PADLOCK_DATABASE_URL"]}
		}
		one := startServe(t, first)
		one.waitReady(t)
		two := startServe(t, second)
		if code := two.waitExit(t, 15*time.Second); code != 1 {
			t.Errorf("the node with another key exited with status %d, want 1", code)
		}
		if !strings.Contains(two.stderr.String(), "the secret key does not match the one this database was set up with") {
			t.Errorf("the message does not say the key does not match:\n%s", two.stderr)
		}
		again := startServe(t, first) // the first node's key still starts
		again.waitReady(t)
		again.stop(t, 10*time.Second)
		one.stop(t, 10*time.Second)
	})
}

func TestBreakGlassCommandsWorkWithALostSecretKeyButSetupDoesNot(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		env := dbEnv(t, d)
		env["PADLOCK_SETUP_PASSWORD"] = testenv.Password
		mustRun(t, env, "setup", "--account", "Acme IT", "--email", "ada@example.com")
		env["PADLOCK_SECRET_KEY"] = testenv.SharedSecretKey // not the generated key setup used
		mustRun(t, env, "user", "reset-mfa", "--email", "ada@example.com")
		r := run(t, env, "", "setup", "--account", "Other IT", "--email", "bob@example.com")
		if r.code != 1 || !strings.Contains(r.stderr, "does not match the one this database was set up with") {
			t.Errorf("setup with another key: exit %d\n%s", r.code, r.stderr)
		}
	})
}
