package cli

import (
	"runtime/debug"
	"strconv"
)

// serverGCPercent is the collector's target for a serving node unless the
// operator sets GOGC. Every sign-in hashes with argon2id, which allocates
// its whole memory cost (19 MiB by default) and drops it at once: at Go's
// default of 100 that garbage starts a collection on about every sign-in,
// each marking the whole live heap. At 400 a sign-in costs about a fifth
// less CPU (docs/PERFORMANCE.md, "Garbage collection") for about twice the
// peak memory, some 400 MiB at full sign-in load.
const serverGCPercent = 400

// tuneGC sets serverGCPercent unless GOGC is set, and returns the target in
// force, for the start-up log line.
func tuneGC(getenv func(string) string) string {
	if v := getenv("GOGC"); v != "" {
		return v // the runtime read it at start
	}
	debug.SetGCPercent(serverGCPercent)
	return strconv.Itoa(serverGCPercent)
}
