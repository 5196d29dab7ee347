// Package loadtest is Padlock's load harness: it starts Padlock nodes as
// separate `padlock serve` processes on loopback, over SQLite or PostgreSQL,
// seeds an account with users who have TOTP, and measures side by side, on
// the same cores, the figures docs/PERFORMANCE.md reports. It also holds the
// node-loss and crash-safety tests.
package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Main runs padlock-bench with the command-line arguments and returns the
// exit code. A copy of the executable started as a child plays its part
// instead.
func Main(args []string) int {
	if code, ok := RunChild(); ok {
		return code
	}
	o := DefaultOptions()
	if err := o.parseFlags(args, os.Stderr); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "padlock-bench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	r, err := Run(ctx, o)
	r.PrintTable(o.Out)
	if o.JSON != "" {
		if werr := r.WriteJSON(o.JSON); werr != nil {
			fmt.Fprintln(os.Stderr, "padlock-bench:", werr)
			return 1
		}
		fmt.Fprintf(o.Out, "\nfigures written to %s\n", o.JSON)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "padlock-bench:", err)
		return 1
	}
	return 0
}
