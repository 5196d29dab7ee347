// Command padlock runs the Padlock server and its operator commands.
package main

import (
	"os"

	"github.com/padlock-mfa/padlock/internal/cli"
)

func main() { os.Exit(cli.Run()) }
