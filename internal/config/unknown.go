package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// otherVariables are PADLOCK_* names read outside Config: by a command
// (setup's password) or by the test and load harnesses, which also start
// `padlock serve`.
var otherVariables = []string{"PADLOCK_SETUP_PASSWORD", "PADLOCK_BENCH_CHILD", "PADLOCK_BENCH_CPUPROFILE", "PADLOCK_CHROMIUM"}

// testPrefix marks the variables of the test suite (PADLOCK_TEST_POSTGRES_URL…).
const testPrefix = "PADLOCK_TEST_"

// CheckEnviron refuses PADLOCK_* variables in environ (as from os.Environ)
// that nothing reads, so a misspelt name stops start-up rather than leaving
// its default in place. Each is named with the closest known name.
func CheckEnviron(environ []string) error {
	known := append(Env(), otherVariables...)
	var errs []error
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "PADLOCK_") || strings.HasPrefix(name, testPrefix) || contains(known, name) {
			continue
		}
		msg := "is not a Padlock setting"
		if near := closest(name, known); near != "" {
			msg += "; did you mean " + near + "?"
		}
		errs = append(errs, fmt.Errorf("%s: %s", name, msg))
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// closest returns the known name nearest to name by edit distance, or ""
// when none is near enough to be the one meant.
func closest(name string, known []string) string {
	best, bestDist := "", 0
	for _, k := range known {
		if d := editDistance(strings.TrimPrefix(name, "PADLOCK_"), strings.TrimPrefix(k, "PADLOCK_")); best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist > max(2, len(strings.TrimPrefix(best, "PADLOCK_"))/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
