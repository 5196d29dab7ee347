package cli_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/testenv"
)

// padlockBinary is the padlock command built once for the process tests.
var padlockBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "padlock-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	padlockBinary = filepath.Join(dir, "padlock")
	if err := buildPadlock(padlockBinary); err != nil {
		fmt.Fprintln(os.Stderr, "build padlock:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	testenv.WidenParallel()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildPadlock runs `go build -o out ./cmd/padlock` in the module root.
func buildPadlock(out string) error {
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", out, "./cmd/padlock")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// process is a `padlock serve` running as its own program.
type process struct {
	cmd     *exec.Cmd
	base    string
	stdout  *testenv.SyncBuffer
	stderr  *testenv.SyncBuffer
	started time.Time
	exited  chan struct{}
	err     error // set when exited is closed
}

// startServe starts `padlock serve` with env (plus PATH) on a free loopback
// port; it is killed at cleanup if still running.
func startServe(t *testing.T, env map[string]string) *process {
	t.Helper()
	addr := freeAddress(t)
	p := &process{base: "http://" + addr, stdout: &testenv.SyncBuffer{}, stderr: &testenv.SyncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(padlockBinary, "serve")
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PADLOCK_LISTEN=" + addr}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.started = time.Now()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("padlock serve stdout:\n%s\nstderr:\n%s", p.stdout, p.stderr)
		}
	})
	return p
}

func freeAddress(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitReady polls /readyz until it answers 200 and returns how long the
// process took from its start.
func (p *process) waitReady(t *testing.T) time.Duration {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(2 * time.Minute) // a busy machine starts it slowly
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("padlock serve exited before it was ready: %v", p.err)
		default:
		}
		if resp, err := client.Get(p.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(p.started)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("padlock serve was not ready within 30s")
	return 0
}

// stop sends SIGTERM and returns how long the process took to exit; it
// fails the test unless the exit status is 0.
func (p *process) stop(t *testing.T, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(within):
		t.Fatalf("padlock serve did not exit within %v of SIGTERM", within)
	}
	if p.err != nil {
		t.Errorf("padlock serve exited with %v after SIGTERM, want status 0", p.err)
	}
	return time.Since(start)
}

// rss reads the resident set size of the process from /proc.
func (p *process) rss(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Logf("no /proc: %v", err)
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// waitStdout waits until the process's standard output matches re: the
// output reaches the test through a pipe, which may lag behind /readyz.
func (p *process) waitStdout(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if m := re.FindStringSubmatch(p.stdout.String()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing matching %s on stdout:\n%s", re, p.stdout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var setupLink = regexp.MustCompile(`(http://\S+)/setup/(\S+)`)

func TestServeAsAProcess(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		dataDir := filepath.Join(t.TempDir(), "padlock-data") // created by serve
		env := map[string]string{"PADLOCK_DATA_DIR": dataDir}
		if d == "postgres" {
			env["PADLOCK_DATABASE_URL"] = testenv.DatabaseURL(t, "postgres")
		}
		p := startServe(t, env)
		startup := p.waitReady(t)
		rss := p.rss(t)
		t.Logf("%s: start-up (process start to /readyz 200) %v, VmRSS after start-up %s", d, startup.Round(time.Millisecond), rss)

		m := p.waitStdout(t, setupLink)
		if m[1] != p.base {
			t.Errorf("setup link starts with %s, want the base URL %s", m[1], p.base)
		}
		token := m[2]

		for _, path := range []string{"/healthz", "/readyz", "/setup/" + token, "/login"} {
			resp, err := http.Get(p.base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d, want 200", strings.Replace(path, token, "{token}", 1), resp.StatusCode)
			}
		}

		wantMode(t, dataDir, 0o700)
		wantMode(t, filepath.Join(dataDir, "secret.key"), 0o600)
		if d == "sqlite" {
			wantMode(t, filepath.Join(dataDir, "padlock.db"), 0o600)
			for _, extra := range []string{"padlock.db-wal", "padlock.db-shm"} {
				if _, err := os.Stat(filepath.Join(dataDir, extra)); err == nil {
					wantMode(t, filepath.Join(dataDir, extra), 0o600)
				}
			}
		} else if _, err := os.Stat(filepath.Join(dataDir, "padlock.db")); err == nil {
			t.Error("serve on PostgreSQL created an SQLite database too")
		}

		shutdown := p.stop(t, 5*time.Second)
		t.Logf("%s: exit after SIGTERM took %v", d, shutdown.Round(time.Millisecond))
		logs := p.stderr.String()
		if !strings.Contains(logs, "padlock listening") || !strings.Contains(logs, "padlock stopped") {
			t.Errorf("the log does not show start and stop:\n%s", logs)
		}
		if strings.Contains(logs, token) {
			t.Error("the setup token appears in the log; it belongs on the terminal only")
		}
		if !strings.Contains(logs, "GET /setup/{token}") {
			t.Errorf("the log does not carry the route pattern of the setup page:\n%s", logs)
		}
	})
}

func TestServeAfterSetupPrintsNoLink(t *testing.T) {
	t.Parallel()
	env := map[string]string{"PADLOCK_DATA_DIR": t.TempDir(), "PADLOCK_SETUP_PASSWORD": testenv.Password}
	mustRun(t, env, "setup", "--account", "Acme IT", "--email", "ada@example.com")
	p := startServe(t, map[string]string{"PADLOCK_DATA_DIR": env["PADLOCK_DATA_DIR"]})
	p.waitReady(t)
	p.stop(t, 5*time.Second)
	if strings.Contains(p.stdout.String(), "/setup/") {
		t.Errorf("serve printed a setup link although an account exists:\n%s", p.stdout)
	}
}

func TestServeRefusesABadConfigurationAsAProcess(t *testing.T) {
	t.Parallel()
	p := startServe(t, map[string]string{"PADLOCK_DATA_DIR": t.TempDir(), "PADLOCK_LOG_LEVEL": "loud", "PADLOCK_INVITATION_TTL": "1m"})
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("serve kept running with a bad configuration")
	}
	var exit *exec.ExitError
	if !errors.As(p.err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("exit %v, want status 1", p.err)
	}
	for _, name := range []string{"PADLOCK_LOG_LEVEL", "PADLOCK_INVITATION_TTL"} {
		if !strings.Contains(p.stderr.String(), name) {
			t.Errorf("the message does not name %s:\n%s", name, p.stderr)
		}
	}
}

func wantMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %#o, want %#o", filepath.Base(path), got, want)
	}
}
