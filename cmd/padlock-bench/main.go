// Command padlock-bench measures Padlock's performance figures on this
// machine, side by side, and prints them as a table and JSON. See
// docs/PERFORMANCE.md.
package main

import (
	"os"

	"github.com/padlock-mfa/padlock/internal/loadtest"
)

func main() { os.Exit(loadtest.Main(os.Args[1:])) }
