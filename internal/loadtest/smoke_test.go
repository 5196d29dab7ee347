package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/loadtest"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The harness runs end to end with tiny durations: every figure is
// measured, nothing fails, and the table and the JSON are written. On
// PostgreSQL the multi-node mode runs too.
func TestHarnessRunsEveryMeasurement(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		o := smokeOptions(t, d)
		r, err := loadtest.Run(context.Background(), o)
		if err != nil {
			t.Fatalf("run: %v\nprogress:\n%s", err, o.Progress)
		}
		checkFiguresMeasured(t, r)
		checkNothingFailed(t, r)
		checkWritten(t, r, o)
		if t.Failed() {
			t.Logf("progress:\n%s", o.Progress)
		}
	})
}

func smokeOptions(t *testing.T, d string) loadtest.Options {
	o := loadtest.DefaultOptions()
	o.DB, o.Users, o.Duration, o.Rounds, o.PageClients = d, 300, 600*time.Millisecond, 1, 4
	// Two list accounts: the smaller fits on two pages, the larger on four.
	o.ListSizes = []int{60, 160}
	o.MultiNode = d == "postgres"
	// The test checks that every figure is measured, not how fast: on a
	// machine busy with other work a sign-in can wait longer than the
	// production bound for a hash slot, and a 503 there measures nothing.
	// (Half the client's own timeout, so the node answers first.)
	o.NodeEnv = []string{"PADLOCK_DB_TIMEOUT=30s"}
	o.JSON = filepath.Join(t.TempDir(), "figures.json")
	o.Out, o.Progress = &bytes.Buffer{}, &testenv.SyncBuffer{}
	return o
}

func checkFiguresMeasured(t *testing.T, r *loadtest.Report) {
	t.Helper()
	positive := map[string]float64{
		"H":                        r.Hash.PerSecond,
		"sign-ins/s":               r.SignIns.PerSecond,
		"sign-ins ÷ H":             r.SignIns.RatioToHash,
		"failed sign-ins/s":        r.Failed.PerSecond,
		"unknown email, p50":       float64(r.Failed.OneUnknown.P50),
		"known email, p50":         float64(r.Failed.OneKnown.P50),
		"B":                        r.Pages.BarePerSec,
		"authenticated page":       r.Pages.AuthPerSec,
		"overload: refused or not": float64(r.Overload[0].Sent),
		"overload: server memory":  float64(r.Overload[0].PeakRSS),
		"overload: slowest answer": float64(r.Overload[0].SlowestAnswer),
	}
	if m := r.MultiNode; m != nil {
		positive["multi-node: 1 node"], positive["multi-node: 2 nodes"] = m.Shared.One, m.Shared.Two
	}
	for name, v := range positive {
		if !(v > 0) {
			t.Errorf("%s was not measured (%v)", name, v)
		}
	}
	// Under a tiny overload on busy cores nothing may be accepted, so
	// goodput may be 0; it must be a number the goal can judge.
	if g := r.Overload[0].Goodput; g < 0 || (g == 0) != (r.Overload[0].Accepted.Count == 0) {
		t.Errorf("overload goodput %v with %d sign-ins accepted", g, r.Overload[0].Accepted.Count)
	}
	checkListsMeasured(t, r.Lists)
	if len(r.Goals) < 7 {
		t.Errorf("only %d goals were judged", len(r.Goals))
	}
}

// checkListsMeasured checks each list account's figures: the first page,
// later pages reached by "Next" to the end of the list, both filters, the
// CSV with a row per user, and the largest account's activity.
func checkListsMeasured(t *testing.T, l *loadtest.ListFigures) {
	t.Helper()
	if l == nil || len(l.Sizes) != 2 {
		t.Fatalf("the users lists were not measured: %+v", l)
	}
	for _, s := range l.Sizes {
		at := fmt.Sprintf("users list of %d", s.Users)
		for name, lat := range map[string]loadtest.Latency{"first page": s.FirstPage, "later pages": s.LaterPages,
			"mfa=not_set_up": s.NotSetUp, "mfa=overdue": s.OverdueOnly, "every view": s.AllViews, "CSV": s.CSV} {
			if lat.Count == 0 || !(lat.P99 > 0) {
				t.Errorf("%s: %s was not measured (%+v)", at, name, lat)
			}
		}
		// The walk along Next is bounded by time: a busy machine may not
		// reach the larger list's end, but every list has a later page.
		if s.PagesWalked < 1 || s.PagesWalked > s.Pages-1 || s.CSVRows != s.Users || s.CSVBytes == 0 || s.WithoutMFA == 0 || s.Overdue == 0 || s.CSVPeakRSS == 0 {
			t.Errorf("%s: %+v", at, s)
		}
	}
	if l.FirstPageRatio <= 0 || len(l.FirstPageRounds) == 0 {
		t.Errorf("first page, largest ÷ smallest: %v (rounds %v)", l.FirstPageRatio, l.FirstPageRounds)
	}
	if a := l.Activity; a == nil || a.FirstPage.Count == 0 || a.Users != 160 {
		t.Errorf("activity: %+v", a)
	}
}

func checkNothingFailed(t *testing.T, r *loadtest.Report) {
	t.Helper()
	// A wrong answer fails the test. A 503 or a request that got no answer
	// in time is what a node sharing busy cores may give; they are logged,
	// and a node that stopped answering leaves figures unmeasured above.
	t.Logf("sign-ins refused: %d, without an answer: %d; wrong passwords refused or without an answer: %d",
		r.SignIns.Refused, r.SignIns.Transport, r.Failed.Errors-r.Failed.WrongAnswers)
	failures := map[string]int64{
		"sign-ins failed":            r.SignIns.Failed,
		"wrong passwords":            r.Failed.WrongAnswers,
		"pages":                      r.Pages.Errors,
		"overload: failed":           r.Overload[0].Failed,
		"overload: no answer at all": r.Overload[0].Transport,
	}
	if m := r.MultiNode; m != nil {
		t.Logf("multi-node: %d failures, of them %d wrong answers", m.Shared.Failures, m.Shared.WrongAnswers)
		failures["multi-node: wrong answers"] = m.Shared.WrongAnswers
	}
	if l := r.Lists; l != nil {
		for _, s := range l.Sizes {
			failures[fmt.Sprintf("users list of %d", s.Users)] = s.Errors
		}
		if l.Activity != nil {
			failures["activity"] = l.Activity.Errors
		}
	}
	for name, n := range failures {
		if n != 0 {
			t.Errorf("%s: %d failures", name, n)
		}
	}
}

func checkWritten(t *testing.T, r *loadtest.Report, o loadtest.Options) {
	t.Helper()
	if err := r.WriteJSON(o.JSON); err != nil {
		t.Fatal(err)
	}
	var back loadtest.Report
	b, err := os.ReadFile(o.JSON)
	if err == nil {
		err = json.Unmarshal(b, &back)
	}
	if err != nil || back.SignIns.PerSecond != r.SignIns.PerSecond || !sameJSON(back.Lists, r.Lists) || !sameJSON(back.Overload, r.Overload) {
		t.Errorf("the JSON does not read back: %v", err)
	}
	var table bytes.Buffer
	r.PrintTable(&table)
	for _, want := range []string{"H: argon2id", "÷ H", "÷ B", "users list, 160 users", "later pages", "filter overdue", "CSV export, server memory",
		"activity, first page", "goodput", "slowest answer", "overload", "GOAL", "never by the best round"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
}

// sameJSON tells whether a and b write the same JSON (milliseconds are
// written rounded, so a value read back may differ in the last digits).
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
