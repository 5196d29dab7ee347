package loadtest_test

import (
	"bytes"
	"context"
	"encoding/json"
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
		"users list p99":           float64(r.UsersList.Page.P99),
		"users CSV p99":            float64(r.UsersList.CSV.P99),
		"overload: refused or not": float64(r.Overload[0].Sent),
		"overload: server memory":  float64(r.Overload[0].PeakRSS),
	}
	if m := r.MultiNode; m != nil {
		positive["multi-node: 1 node"], positive["multi-node: 2 nodes"] = m.Shared.One, m.Shared.Two
	}
	for name, v := range positive {
		if !(v > 0) {
			t.Errorf("%s was not measured (%v)", name, v)
		}
	}
	if len(r.Goals) < 7 {
		t.Errorf("only %d goals were judged", len(r.Goals))
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
		"users list":                 r.UsersList.Errors,
		"overload: failed":           r.Overload[0].Failed,
		"overload: no answer at all": r.Overload[0].Transport,
	}
	if m := r.MultiNode; m != nil {
		failures["multi-node"] = m.Shared.Failures
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
	if err != nil || back.SignIns.PerSecond != r.SignIns.PerSecond {
		t.Errorf("the JSON does not read back: %v", err)
	}
	var table bytes.Buffer
	r.PrintTable(&table)
	for _, want := range []string{"H: argon2id", "÷ H", "÷ B", "users list", "overload", "GOAL"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, table.String())
		}
	}
}
