package loadtest

import (
	"fmt"
	"math"
)

// goals holds the figures to the targets that docs/PERFORMANCE.md reports.
func goals(r *Report) []Goal {
	return append(singleNodeGoals(r), multiNodeGoals(r)...)
}

func singleNodeGoals(r *Report) []Goal {
	if r.Hash.PerSecond == 0 {
		return nil // -multinode-only
	}
	// PostgreSQL shares the cores with the node, so its goals leave it room.
	signIns, page := 0.85, 0.30
	if r.Database == "postgres" {
		signIns, page = 0.80, 0.25
	}
	g := []Goal{
		{"sign-ins with MFA, the browser's whole flow, per second ÷ H (median of rounds)", fmt.Sprintf("≥ %.2f", signIns),
			fmt.Sprintf("%.2f", r.SignIns.MedianRatio), r.SignIns.MedianRatio >= signIns},
		{"server CPU per sign-in ÷ CPU of one hash (median of rounds)", "≤ 1.15",
			fmt.Sprintf("%.2f", r.SignIns.CPURatio), r.SignIns.CPURatio > 0 && r.SignIns.CPURatio <= 1.15},
		{"authenticated page requests per second ÷ B serving the same bytes (median of rounds)", fmt.Sprintf("≥ %.2f", page),
			fmt.Sprintf("%.2f", r.Pages.MedianRatio), r.Pages.MedianRatio >= page},
		{"server CPU per authenticated page (pooled over the rounds)", "≤ 100 µs",
			fmt.Sprintf("%.0f µs", r.Pages.ServerCPU), r.Pages.ServerCPU > 0 && r.Pages.ServerCPU <= 100},
		indistinguishable(r.Failed),
	}
	g = append(g, listGoals(r.Lists)...)
	for _, o := range r.Overload {
		g = append(g, overloadGoals(o)...)
	}
	return g
}

// listGoals judge every account's users list, and the largest account's
// first page against the smallest's and its CSV export.
func listGoals(l *ListFigures) []Goal {
	if l == nil || len(l.Sizes) == 0 {
		return nil
	}
	var g []Goal
	for _, s := range l.Sizes {
		limit := Millis(10)
		if s.Users > 10_000 {
			limit = 15
		}
		g = append(g, Goal{fmt.Sprintf("users list of %d users, p99 of every page view (first, later, filtered)", s.Users),
			fmt.Sprintf("≤ %.0f ms", limit), fmt.Sprintf("%.1f ms", s.AllViews.P99), s.AllViews.Count > 0 && s.AllViews.P99 <= limit})
	}
	small, large := l.Sizes[0], l.Sizes[len(l.Sizes)-1]
	if len(l.Sizes) > 1 {
		g = append(g, Goal{fmt.Sprintf("users list, first page p50 at %d users ÷ at %d (median of rounds)", large.Users, small.Users),
			"≤ 1.5", fmt.Sprintf("%.2f", l.FirstPageRatio), l.FirstPageRatio > 0 && l.FirstPageRatio <= 1.5})
	}
	return append(g,
		Goal{fmt.Sprintf("users CSV export of %d users, p99", large.Users), "≤ 150 ms",
			fmt.Sprintf("%.0f ms", large.CSV.P99), large.CSV.Count > 0 && large.CSV.P99 <= 150},
		Goal{fmt.Sprintf("users CSV export of %d users, server memory above its level just before", large.Users), "≤ 2 MiB",
			fmt.Sprintf("%.1f MiB", large.CSVExtraRSS), large.CSV.Count > 0 && large.CSVExtraRSS <= 2})
}

func multiNodeGoals(r *Report) []Goal {
	var g []Goal
	if m := r.MultiNode; m != nil {
		g = append(g, Goal{"2 nodes ÷ 1 node, sign-ins, all sharing this machine's cores", "(≥ 1.7 needs cores of their own)",
			fmt.Sprintf("%.2f", m.Shared.MedianRatio), m.Shared.MedianRatio >= 1.7})
		if m.Pinned != nil {
			g = append(g, Goal{"2 nodes ÷ 1 node, sign-ins, each node pinned to a core of its own", "≥ 1.7",
				fmt.Sprintf("%.2f", m.Pinned.MedianRatio), m.Pinned.MedianRatio >= 1.7})
		}
	}
	return g
}

func overloadGoals(o OverloadFigures) []Goal {
	at := fmt.Sprintf("%g× overload, hash queue %d: ", o.Multiple, o.HashQueue)
	return []Goal{
		{at + "refused (503) p99", "≤ 20 ms", refusedMeasured(o), o.Refused.Count > 0 && o.Refused.P99 <= 20},
		{at + "accepted sign-ins p99", fmt.Sprintf("≤ 3 × hash + 50 ms = %.0f ms", o.AcceptedGoal),
			fmt.Sprintf("%.0f ms", o.Accepted.P99), o.Accepted.Count > 0 && o.Accepted.P99 <= o.AcceptedGoal},
		{at + "server peak memory (RSS)", fmt.Sprintf("≤ %.0f MiB (1.25 × peak at 1×)", o.RSSBound),
			fmt.Sprintf("%.0f MiB", o.PeakRSS), o.PeakRSS > 0 && o.PeakRSS <= o.RSSBound},
		{at + "goodput: accepted sign-ins per second ÷ H", "≥ 0.80", fmt.Sprintf("%.2f", o.Goodput), o.Goodput >= 0.8},
		{at + "slowest answer of any kind", "≤ 2000 ms", slowestMeasured(o), o.Sent > 0 && o.SlowestAnswer > 0 && o.SlowestAnswer <= 2000},
	}
}

func slowestMeasured(o OverloadFigures) string {
	if o.SlowestAnswerWas == "" {
		return "no answer timed"
	}
	return fmt.Sprintf("%.0f ms (%s)", o.SlowestAnswer, o.SlowestAnswerWas)
}

func refusedMeasured(o OverloadFigures) string {
	if o.Refused.Count == 0 {
		return "nothing refused"
	}
	return fmt.Sprintf("%.1f ms", o.Refused.P99)
}

// indistinguishable compares unknown and known emails, under load and one
// request at a time: in both, the medians may differ by at most 1 ms or 3%
// of the known email's, whichever is more.
func indistinguishable(f FailedFigures) Goal {
	loaded, okLoaded := medianGap(f.Unknown, f.Known)
	alone, okAlone := medianGap(f.OneUnknown, f.OneKnown)
	return Goal{"unknown vs known email, difference of p50", "|Δ| ≤ 1 ms or 3%",
		fmt.Sprintf("Δ %+.1f ms under load, %+.1f ms one at a time", loaded, alone), okLoaded && okAlone}
}

// medianGap is unknown's p50 minus known's, and whether it is within the
// limit.
func medianGap(unknown, known Latency) (float64, bool) {
	diff := float64(unknown.P50 - known.P50)
	limit := math.Max(1, 0.03*float64(known.P50))
	return diff, known.Count > 0 && unknown.Count > 0 && math.Abs(diff) <= limit
}
