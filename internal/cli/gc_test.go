package cli

import (
	"runtime/debug"
	"testing"
)

func TestAServingNodeCollectsLessOftenUnlessGOGCIsSet(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	if got := tuneGC(func(string) string { return "" }); got != "400" {
		t.Errorf("tuneGC without GOGC says %q, want 400", got)
	}
	if p := debug.SetGCPercent(100); p != serverGCPercent {
		t.Errorf("without GOGC the collector's target is %d, want %d", p, serverGCPercent)
	}

	debug.SetGCPercent(77) // as the runtime would have set it from GOGC=77
	operator := func(k string) string {
		if k == "GOGC" {
			return "77"
		}
		return ""
	}
	if got := tuneGC(operator); got != "77" {
		t.Errorf("tuneGC with GOGC=77 says %q", got)
	}
	if p := debug.SetGCPercent(100); p != 77 {
		t.Errorf("with GOGC=77 the collector's target is %d: the operator's setting was overridden", p)
	}
}
