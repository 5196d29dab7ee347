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
		indistinguishable(r.Failed),
		{fmt.Sprintf("users list of %d users, p99 per page", r.UsersList.Users), "≤ 10 ms",
			fmt.Sprintf("%.1f ms", r.UsersList.Page.P99), r.UsersList.Page.P99 > 0 && r.UsersList.Page.P99 <= 10},
	}
	for _, o := range r.Overload {
		g = append(g, overloadGoals(o)...)
	}
	return g
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
	}
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
