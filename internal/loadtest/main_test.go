package loadtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/padlock-mfa/padlock/internal/loadtest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// padlockBinary is cmd/padlock built for the crash tests, which kill it.
var padlockBinary string

// TestMain lets the harness start this test binary as its child processes
// (see loadtest.RunChild), and builds the padlock binary once.
func TestMain(m *testing.M) {
	if code, ok := loadtest.RunChild(); ok {
		os.Exit(code)
	}
	testenv.WidenParallel()
	dir, err := os.MkdirTemp("", "padlock-loadtest-")
	if err == nil {
		padlockBinary, err = buildPadlock(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildPadlock runs `go build` on cmd/padlock, with -race when the tests
// have it, so the packages compiled for the tests are reused.
func buildPadlock(dir string) (string, error) {
	bin := filepath.Join(dir, "padlock")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "github.com/padlock-mfa/padlock/cmd/padlock")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build cmd/padlock: %v\n%s", err, out)
	}
	return bin, nil
}
