package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/padlock-mfa/padlock/internal/cli"
)

// The harness starts copies of its own executable as child processes; this
// variable tells a copy which part to play.
const (
	childEnv     = "PADLOCK_BENCH_CHILD"
	childPadlock = "padlock" // the padlock command line: `padlock serve`
	childBare    = "bare"    // the bare net/http handler, for B
)

// cpuProfileEnv, given to the nodes with -node-env, names a file for each
// node's CPU profile over its whole life (stopped by the harness, it exits
// cleanly): the file name followed by a dot and the node's process id.
const cpuProfileEnv = "PADLOCK_BENCH_CPUPROFILE"

// profileCPU starts a CPU profile into path.<pid>, and returns what stops
// it; nil without a path, or when it cannot (said on standard error).
func profileCPU(path string) (stop func()) {
	if path == "" {
		return nil
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpu profile:", err)
		return nil
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// RunChild plays the part the harness gave this process, if any, and
// returns its exit code; ok is false in a process that is no child. Call it
// first thing in main (and in TestMain).
func RunChild() (code int, ok bool) {
	switch os.Getenv(childEnv) {
	case childPadlock:
		env := cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Environ: os.Environ}
		if stop := profileCPU(os.Getenv(cpuProfileEnv)); stop != nil {
			defer stop()
		}
		return cli.Main(context.Background(), env, os.Args[1:]), true
	case childBare:
		return serveBare(os.Getenv("PADLOCK_LISTEN")), true
	}
	return 0, false
}

// serveBare answers every GET with a 200 and the body it was last given by
// a PUT (at first a short text): the ceiling that any Go HTTP handler on
// this machine, with this client, can reach serving the same bytes as the
// page it is compared with.
func serveBare(addr string) int {
	var body atomic.Pointer[[]byte]
	first := []byte("ok\n")
	body.Store(&first)
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			body.Store(&b)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(*body.Load())
	})}
	if err := srv.ListenAndServe(); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

// StartBare starts the bare handler as a child process.
func StartBare(ctx context.Context, logPath string) (*Process, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := append(withoutPadlockEnv(os.Environ()), childEnv+"="+childBare, "PADLOCK_LISTEN="+addr)
	return startProcess(ctx, exe, nil, env, addr, logPath, "/")
}
