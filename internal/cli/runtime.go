package cli

import (
	"runtime"
	"runtime/debug"
	"strconv"

	"github.com/padlock-mfa/padlock/internal/auth"
)

// serverGCPercent is the collector's target for a serving node unless the
// operator sets GOGC. Every sign-in hashes with argon2id, which allocates
// its whole memory cost (19 MiB by default) and drops it at once: at Go's
// default of 100 that garbage starts a collection on about every sign-in,
// each marking the whole live heap. At 400 a sign-in costs about a fifth
// less CPU (docs/PERFORMANCE.md, "The collector and the hashing threads")
// for about twice the peak memory, some 400 MiB at full sign-in load.
const serverGCPercent = 400

// serverMemoryLimit is the collector's soft limit for a serving node unless
// the operator sets GOMEMLIMIT: room for four hashes in each slot above
// 128 MiB for everything else. It keeps the larger target from letting the
// heap grow further under overload, when more requests hold more memory.
func serverMemoryLimit(hashConcurrency int) int64 {
	return 128<<20 + 4*int64(hashConcurrency)*int64(auth.DefaultHashParams.Memory)<<10
}

// runtimeSettings are the collector's target and soft limit and the number
// of Go scheduler threads in force, for the start-up log line.
type runtimeSettings struct{ gogc, memLimit, maxProcs string }

// tuneRuntime sets what the operator has not: GOGC to serverGCPercent,
// GOMEMLIMIT to serverMemoryLimit, and GOMAXPROCS to one more than the
// hashes that may run at once (or than Go's default, if fewer), so that
// while every hash slot is busy a request (a page, or a refusal under
// overload) still finds a scheduler thread and does not wait for a hash to
// be preempted. The hashes run at a lower OS priority (auth.Hasher), so the
// extra thread takes no core from them when idle and gets one at once when
// it has work.
func tuneRuntime(getenv func(string) string, hashConcurrency int) runtimeSettings {
	s := runtimeSettings{gogc: getenv("GOGC"), memLimit: getenv("GOMEMLIMIT"), maxProcs: getenv("GOMAXPROCS")}
	if s.gogc == "" {
		debug.SetGCPercent(serverGCPercent)
		s.gogc = strconv.Itoa(serverGCPercent)
	}
	if s.memLimit == "" {
		limit := serverMemoryLimit(hashConcurrency)
		debug.SetMemoryLimit(limit)
		s.memLimit = strconv.FormatInt(limit>>20, 10) + "MiB"
	}
	if s.maxProcs == "" {
		// Go's default follows the CPUs the process may use (its affinity
		// and a container's CPU limit); the hash slots default to the CPUs
		// of the machine, which may be more.
		cpus := runtime.GOMAXPROCS(0)
		runtime.GOMAXPROCS(max(cpus, min(hashConcurrency, cpus)+1))
		s.maxProcs = strconv.Itoa(runtime.GOMAXPROCS(0))
	}
	return s
}
