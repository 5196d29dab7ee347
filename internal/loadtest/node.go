package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Launcher says how to start a `padlock serve` process.
type Launcher struct {
	Path string   // the executable
	Args []string // its arguments, ending with "serve"
	Env  []string // added to the environment
}

// SelfLauncher runs this executable as `padlock` (see RunChild), so the
// harness needs no separate build of the server.
func SelfLauncher() (Launcher, error) {
	exe, err := os.Executable()
	return Launcher{Path: exe, Args: []string{"serve"}, Env: []string{childEnv + "=" + childPadlock}}, err
}

// BinaryLauncher runs a padlock binary built from cmd/padlock.
func BinaryLauncher(path string) Launcher { return Launcher{Path: path, Args: []string{"serve"}} }

// NodeConfig is one node's settings, handed over as PADLOCK_* variables.
type NodeConfig struct {
	DataDir         string
	DatabaseURL     string
	SecretKey       string
	HashConcurrency int // 0: the server's default
	HashQueue       int // 0: the server's default
	TrustProxy      bool
	CPUs            string   // a taskset CPU list to pin the node to; "" for all
	LogPath         string   // where its standard output and error go
	Extra           []string // more KEY=VALUE settings, last so they win
}

func (c NodeConfig) env(listen string) []string {
	env := []string{"PADLOCK_LISTEN=" + listen, "PADLOCK_DATA_DIR=" + c.DataDir, "PADLOCK_DATABASE_URL=" + c.DatabaseURL,
		"PADLOCK_SECRET_KEY=" + c.SecretKey, "PADLOCK_TRUST_PROXY=" + strconv.FormatBool(c.TrustProxy)}
	if c.HashConcurrency > 0 {
		env = append(env, "PADLOCK_HASH_CONCURRENCY="+strconv.Itoa(c.HashConcurrency))
	}
	if c.HashQueue > 0 {
		env = append(env, "PADLOCK_HASH_QUEUE="+strconv.Itoa(c.HashQueue))
	}
	return append(env, c.Extra...)
}

// Process is a child process serving HTTP on a loopback port: a Padlock
// node or the bare handler.
type Process struct {
	URL    string
	Addr   string
	cmd    *exec.Cmd
	exited chan struct{}
	log    *os.File
}

// StartNode starts `padlock serve` with the settings and waits until
// /readyz answers 200.
func StartNode(ctx context.Context, l Launcher, c NodeConfig) (*Process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	path, args := l.Path, l.Args
	if c.CPUs != "" {
		path, args = "taskset", append([]string{"-c", c.CPUs, l.Path}, l.Args...)
	}
	env := append(withoutPadlockEnv(os.Environ()), l.Env...)
	return startProcess(ctx, path, args, append(env, c.env(addr)...), addr, c.LogPath, "/readyz")
}

// withoutPadlockEnv drops the caller's PADLOCK_* settings, so a node gets
// only those the harness gives it.
func withoutPadlockEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PADLOCK_") {
			out = append(out, kv)
		}
	}
	return out
}

func startProcess(ctx context.Context, path string, args, env []string, addr, logPath, ready string) (*Process, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, log, log
	// The child dies with the harness, whatever way the harness ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	p := &Process{URL: "http://" + addr, Addr: addr, cmd: cmd, exited: make(chan struct{}), log: log}
	go func() { cmd.Wait(); close(p.exited) }()
	if err := p.waitReady(ctx, ready, time.Minute); err != nil {
		p.Kill()
		return nil, fmt.Errorf("%w\n%s", err, tail(logPath, 2000))
	}
	return p, nil
}

// waitReady polls path until it answers 200, the process exits, or the
// time is up.
func (p *Process) waitReady(ctx context.Context, path string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		if resp, err := client.Get(p.URL + path); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready", p.cmd.Path)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s after %s", p.cmd.Path, p.URL, limit)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Stop asks the process to finish (SIGTERM: requests in flight complete)
// and waits for it; after 30 seconds it is killed.
func (p *Process) Stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		p.Kill()
		return errors.New("the process did not stop within 30s and was killed")
	}
	p.log.Close()
	return nil
}

// Kill ends the process at once (SIGKILL), as a crash would, and waits.
func (p *Process) Kill() {
	p.cmd.Process.Kill()
	<-p.exited
	p.log.Close()
}

// Exited is closed when the process has ended.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// tail returns the last n bytes of a file, for error messages.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
