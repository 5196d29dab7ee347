package loadtest

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// PrintTable writes the figures and the goals as two aligned tables.
func (r *Report) PrintTable(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "\nPadlock figures (build %s) — %s, %d users — %d CPUs (%s), %d MiB, %s — load average %s at start, %s at end\n",
		r.Version, r.Database, r.Users, m.CPUs, m.Model, m.MemoryMiB, m.Go, m.LoadAvgStart, m.LoadAvgEnd)
	fmt.Fprintf(w, "Client, server, database (and balancer) share these cores; other processes (PostgreSQL included) used %.0f%% of them during the run.\n", m.OtherCPU)
	fmt.Fprintf(w, "%s per figure; H and sign-ins, B and the page, the users lists' first pages, 1 and 2 nodes alternate in %d rounds.\n\n", r.Settings.Duration, r.Settings.Rounds)
	t := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(t, "FIGURE\tMEASURED\tDETAIL")
	for _, row := range r.figureRows() {
		fmt.Fprintf(t, "%s\t%s\t%s\n", row[0], row[1], row[2])
	}
	t.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "A goal measured in rounds is judged by the median of its rounds, never by the best round; a latency goal by its percentile over every request.")
	t = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(t, "GOAL\tTARGET\tMEASURED\tVERDICT")
	for _, g := range r.Goals {
		verdict := "met"
		if !g.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\n", g.Name, g.Target, g.Measured, verdict)
	}
	t.Flush()
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

func lat(l Latency) string {
	return fmt.Sprintf("p50 %.1f ms, p99 %.1f ms (n=%d)", l.P50, l.P99, l.Count)
}

// figureRows are the rows of the figures table.
func (r *Report) figureRows() [][3]string {
	if r.Hash.PerSecond == 0 {
		return r.multiNodeRows() // -multinode-only
	}
	s, f, p := r.SignIns, r.Failed, r.Pages
	rows := [][3]string{
		{"H: argon2id verifications/s", fmt.Sprintf("%.1f/s", r.Hash.PerSecond), fmt.Sprintf("%d workers, %.1f ms each, no HTTP, no database", r.Hash.Workers, r.Hash.Each)},
		{"sign-ins with MFA/s, whole browser flow", fmt.Sprintf("%.1f/s", s.PerSecond), fmt.Sprintf("%s; %d clients", lat(s.Latency), r.Settings.Clients)},
		{"  ÷ H, median of rounds", fmt.Sprintf("%.2f", s.MedianRatio), fmt.Sprintf("pooled %.2f; rounds %s", s.RatioToHash, ratios(s.RoundRatios))},
		{"  server CPU per sign-in ÷ a hash's, median of rounds", fmt.Sprintf("%.2f", s.CPURatio), fmt.Sprintf("rounds %s", ratios(s.RoundCPURatios))},
		{"", "", fmt.Sprintf("failures: %d refused, %d failed, %d transport; server peak %.0f MiB", s.Refused, s.Failed, s.Transport, s.PeakRSS)},
		{"failed sign-ins/s", fmt.Sprintf("%.1f/s", f.PerSecond), fmt.Sprintf("known %s; unknown %s", lat(f.Known), lat(f.Unknown))},
		{"  unknown vs known email, one at a time", fmt.Sprintf("%.1f vs %.1f ms", f.OneUnknown.P50, f.OneKnown.P50), fmt.Sprintf("p50; p99 %.1f vs %.1f ms", f.OneUnknown.P99, f.OneKnown.P99)},
		{"B: bare net/http handler req/s", fmt.Sprintf("%.0f/s", p.BarePerSec), fmt.Sprintf("%s; %d clients", lat(p.BareLatency), r.Settings.PageClients)},
		{"authenticated page req/s", fmt.Sprintf("%.0f/s", p.AuthPerSec), fmt.Sprintf("GET %s, %d bytes; %s", p.Path, p.BytesPerPage, lat(p.AuthLatency))},
		{"  ÷ B, median of rounds", fmt.Sprintf("%.2f", p.MedianRatio), fmt.Sprintf("pooled %.2f; rounds %s; errors: %d", p.Ratio, ratios(p.RoundRatios), p.Errors)},
		{"  server CPU per page", fmt.Sprintf("%.0f µs", p.ServerCPU), fmt.Sprintf("bare handler %.0f µs; the harness's client %.0f µs a page, %.0f µs a B request", p.BareServerCPU, p.ClientCPU, p.BareClientCPU)},
		{"authenticated JSON req/s", fmt.Sprintf("%.0f/s", p.APIPerSec), fmt.Sprintf("GET %s (no page to render), %.2f × B; %s", p.APIPath, p.APIRatio, lat(p.APILatency))},
	}
	rows = append(rows, listRows(r.Lists)...)
	for _, o := range r.Overload {
		rows = append(rows, overloadRows(o)...)
	}
	return append(rows, r.multiNodeRows()...)
}

func overloadRows(o OverloadFigures) [][3]string {
	return [][3]string{
		{fmt.Sprintf("overload, hash queue %d", o.HashQueue), fmt.Sprintf("%.0f/s offered", o.OfferedPerSec),
			fmt.Sprintf("%d sent, %.1f/s accepted, %d refused, %d failed, %d transport", o.Sent, o.AcceptedPerSec, o.Refused.Count, o.Failed, o.Transport)},
		{"  refused (503)", fmt.Sprintf("p99 %.1f ms", o.Refused.P99), lat(o.Refused)},
		{"  accepted sign-ins", fmt.Sprintf("p99 %.0f ms", o.Accepted.P99), fmt.Sprintf("%s; password step p99 %.0f ms", lat(o.Accepted), o.AcceptedPwd.P99)},
		{"  goodput: accepted ÷ H", fmt.Sprintf("%.2f", o.Goodput), fmt.Sprintf("%.1f/s accepted", o.AcceptedPerSec)},
		{"  slowest answer of any kind", fmt.Sprintf("%.0f ms", o.SlowestAnswer), o.SlowestAnswerWas},
		{"  server memory", fmt.Sprintf("peak %.0f MiB", o.PeakRSS), fmt.Sprintf("idle %.0f MiB; at most %d goroutines", o.IdleRSS, o.MaxGoroutines)},
	}
}

// listRows are the users lists' rows, an account after another.
func listRows(l *ListFigures) [][3]string {
	if l == nil {
		return nil
	}
	var rows [][3]string
	for _, s := range l.Sizes {
		rows = append(rows, [][3]string{
			{fmt.Sprintf("users list, %d users (%d without MFA, %d overdue)", s.Users, s.WithoutMFA, s.Overdue), fmt.Sprintf("p99 %.1f ms", s.AllViews.P99),
				fmt.Sprintf("every page view: %s; errors: %d", lat(s.AllViews), s.Errors)},
			{"  first page", fmt.Sprintf("p50 %.1f ms", s.FirstPage.P50), fmt.Sprintf("%s; %d bytes", lat(s.FirstPage), s.BytesPerPage)},
			{"  later pages, by its Next links", fmt.Sprintf("p99 %.1f ms", s.LaterPages.P99), fmt.Sprintf("%s; %d of %d pages reached", lat(s.LaterPages), s.PagesWalked+1, s.Pages)},
			{"  filter MFA not set up", fmt.Sprintf("p99 %.1f ms", s.NotSetUp.P99), lat(s.NotSetUp)},
			{"  filter overdue", fmt.Sprintf("p99 %.1f ms", s.OverdueOnly.P99), lat(s.OverdueOnly)},
			{"  CSV export", fmt.Sprintf("p99 %.1f ms", s.CSV.P99), fmt.Sprintf("%s; %d bytes, %d rows", lat(s.CSV), s.CSVBytes, s.CSVRows)},
			{"  CSV export, server memory", fmt.Sprintf("%+.1f MiB", s.CSVExtraRSS), fmt.Sprintf("peak %.1f MiB over %.1f MiB just before", s.CSVPeakRSS, s.CSVIdleRSS)},
		}...)
	}
	if len(l.Sizes) > 1 {
		rows = append(rows, [3]string{fmt.Sprintf("users list, first page p50, %d ÷ %d users, median of rounds", l.Sizes[len(l.Sizes)-1].Users, l.Sizes[0].Users),
			fmt.Sprintf("%.2f", l.FirstPageRatio), "rounds " + ratios(l.FirstPageRounds)})
	}
	if a := l.Activity; a != nil {
		rows = append(rows, [3]string{fmt.Sprintf("activity, first page (%d users)", a.Users), fmt.Sprintf("p99 %.1f ms", a.FirstPage.P99),
			fmt.Sprintf("%s; %d bytes; errors: %d", lat(a.FirstPage), a.BytesPerPage, a.Errors)})
	}
	return rows
}

func (r *Report) multiNodeRows() [][3]string {
	m := r.MultiNode
	if m == nil {
		return nil
	}
	rows := [][3]string{scalingRow("2 nodes ÷ 1, sharing all cores", m.Shared, m.Balancer)}
	if p := m.Pinned; p != nil {
		rows = append(rows, scalingRow("2 nodes ÷ 1, a core each (taskset)", *p, m.Balancer))
	}
	return rows
}

func scalingRow(name string, s Scaling, balancer string) [3]string {
	return [3]string{name + ", median of rounds", fmt.Sprintf("%.2f", s.MedianRatio),
		fmt.Sprintf("%.1f/s vs %.1f/s behind %s (pooled %.2f; rounds %s); %d failures, %d of them wrong answers", s.Two, s.One, balancer, s.Ratio, ratios(s.RoundRatios), s.Failures, s.WrongAnswers)}
}

// ratios lists per-round ratios briefly.
func ratios(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, " ")
}
