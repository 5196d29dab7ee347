package loadtest

import "testing"

// The users list goals: every page view's p99 by account size, the largest
// account's first page against the smallest's by the median of the rounds,
// and the largest account's CSV export; an unmeasured figure meets none.
func TestListGoalsJudgeEachSizeAndTheLargestAccount(t *testing.T) {
	lists := &ListFigures{
		Sizes: []UsersListFigures{
			{Users: 1000, AllViews: Latency{Count: 9, P99: 9.9}, CSV: Latency{Count: 3, P99: 500}, CSVExtraRSS: 9},
			{Users: 10000, AllViews: Latency{Count: 9, P99: 10.1}},
			{Users: 20000, AllViews: Latency{Count: 9, P99: 15.1}},
			{Users: 50000, AllViews: Latency{Count: 9, P99: 14.9}, CSV: Latency{Count: 3, P99: 150}, CSVExtraRSS: 2.1},
		},
		// The best round would meet the goal; the median does not.
		FirstPageRatio: 1.6, FirstPageRounds: []float64{1.1, 1.6, 1.7},
	}
	judged := judgedBy(listGoals(lists))
	for name, met := range map[string]bool{
		"users list of 1000 users, p99 of every page view (first, later, filtered)":  true,
		"users list of 10000 users, p99 of every page view (first, later, filtered)": false,
		"users list of 20000 users, p99 of every page view (first, later, filtered)": false,
		"users list of 50000 users, p99 of every page view (first, later, filtered)": true,
		"users list, first page p50 at 50000 users ÷ at 1000 (median of rounds)":     false,
		"users CSV export of 50000 users, p99":                                       true,
		"users CSV export of 50000 users, server memory above its level just before": false,
	} {
		if got, ok := judged[name]; !ok || got != met {
			t.Errorf("%q: judged %v (present %v), want met = %v", name, got, ok, met)
		}
	}
	if len(judged) != 7 {
		t.Errorf("%d goals, want 7: %v", len(judged), judged)
	}
	for _, g := range listGoals(&ListFigures{Sizes: []UsersListFigures{{Users: 1000}}}) {
		if g.Met {
			t.Errorf("%q is met by a figure never measured", g.Name)
		}
	}
}

// Under overload, goodput must keep 0.8 of H, and no answer may take more
// than 2 s.
func TestOverloadGoalsJudgeGoodputAndTheSlowestAnswer(t *testing.T) {
	for _, c := range []struct {
		name          string
		goodput       float64
		slowest       Millis
		goodputMet    bool
		slowestMet    bool
		sentAnything  bool
		slowestAnswer string
	}{
		{"both within their goals", 0.8, 2000, true, true, true, "code, status 303"},
		{"goodput short and one answer too slow", 0.79, 2001, false, false, true, "password, status 503"},
		{"nothing sent, nothing timed", 0, 0, false, false, false, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := OverloadFigures{Multiple: 5, HashQueue: 2, Goodput: c.goodput, SlowestAnswer: c.slowest, SlowestAnswerWas: c.slowestAnswer}
			if c.sentAnything {
				o.Sent = 10
			}
			judged := judgedBy(overloadGoals(o))
			if got := judged["5× overload, hash queue 2: goodput: accepted sign-ins per second ÷ H"]; got != c.goodputMet {
				t.Errorf("goodput %v: met = %v", c.goodput, got)
			}
			if got := judged["5× overload, hash queue 2: slowest answer of any kind"]; got != c.slowestMet {
				t.Errorf("slowest answer %v ms: met = %v", c.slowest, got)
			}
		})
	}
}

func judgedBy(goals []Goal) map[string]bool {
	m := map[string]bool{}
	for _, g := range goals {
		m[g.Name] = g.Met
	}
	return m
}

// The authenticated page is judged twice: its rate against B's by the
// median of the rounds, and the node's own CPU per page.
func TestThePageGoalsJudgeTheRateAndTheServersCPU(t *testing.T) {
	const (
		rate = "authenticated page requests per second ÷ B serving the same bytes (median of rounds)"
		cpu  = "server CPU per authenticated page (pooled over the rounds)"
	)
	for _, tc := range []struct {
		db              string
		median, server  float64
		rateMet, cpuMet bool
	}{
		{"sqlite", 0.31, 99, true, true},
		{"sqlite", 0.29, 101, false, false},
		{"postgres", 0.26, 0, true, false}, // the CPU not measured meets nothing
	} {
		r := &Report{Database: tc.db, Hash: HashFigures{PerSecond: 50}, Pages: PageFigures{MedianRatio: tc.median, ServerCPU: tc.server}}
		judged := judgedBy(singleNodeGoals(r))
		if judged[rate] != tc.rateMet || judged[cpu] != tc.cpuMet {
			t.Errorf("%s, median %.2f, %.0f µs: judged rate %v, CPU %v; want %v, %v", tc.db, tc.median, tc.server, judged[rate], judged[cpu], tc.rateMet, tc.cpuMet)
		}
	}
}
