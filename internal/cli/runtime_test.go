package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestAServingNodeTunesTheRuntimeUnlessTheOperatorDid(t *testing.T) {
	oldGC, oldLimit, oldProcs := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64), runtime.GOMAXPROCS(2)
	defer func() { debug.SetGCPercent(oldGC); debug.SetMemoryLimit(oldLimit); runtime.GOMAXPROCS(oldProcs) }()

	got := tuneRuntime(func(string) string { return "" }, 2)
	if want := (runtimeSettings{gogc: "400", memLimit: "280MiB", maxProcs: "3"}); got != want {
		t.Errorf("without GOGC, GOMEMLIMIT and GOMAXPROCS: %+v, want %+v (128 MiB and four 19 MiB hashes a slot; two hash slots and one thread more)", got, want)
	}
	if p := debug.SetGCPercent(100); p != serverGCPercent {
		t.Errorf("the collector's target is %d, want %d", p, serverGCPercent)
	}
	if l := debug.SetMemoryLimit(math.MaxInt64); l != 280<<20 {
		t.Errorf("the collector's soft limit is %d bytes, want 280 MiB", l)
	}
	if n := runtime.GOMAXPROCS(2); n != 3 {
		t.Errorf("GOMAXPROCS is %d, want 3", n)
	}
	tuneRuntime(func(string) string { return "" }, 1)
	if n := runtime.GOMAXPROCS(2); n != 2 {
		t.Errorf("one hash slot on two threads: GOMAXPROCS is %d, want the 2 it was (never fewer)", n)
	}
	tuneRuntime(func(string) string { return "" }, 16)
	if n := runtime.GOMAXPROCS(0); n != 3 {
		t.Errorf("16 hash slots where Go's default is 2 (a container's CPU limit): GOMAXPROCS is %d, want 3", n)
	}

	// As the runtime would have set them from the operator's environment.
	debug.SetGCPercent(77)
	debug.SetMemoryLimit(1 << 30)
	runtime.GOMAXPROCS(1)
	operator := map[string]string{"GOGC": "77", "GOMEMLIMIT": "1GiB", "GOMAXPROCS": "1"}
	got = tuneRuntime(func(k string) string { return operator[k] }, 2)
	if want := (runtimeSettings{gogc: "77", memLimit: "1GiB", maxProcs: "1"}); got != want {
		t.Errorf("with the operator's settings: %+v, want %+v", got, want)
	}
	if p, l, n := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64), runtime.GOMAXPROCS(0); p != 77 || l != 1<<30 || n != 1 {
		t.Errorf("the operator's GOGC=77, GOMEMLIMIT=1GiB and GOMAXPROCS=1 became %d, %d and %d", p, l, n)
	}
}
