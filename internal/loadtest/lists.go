package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/padlock-mfa/padlock/internal/mfa"
)

// The pages measured, and the users list's page size (internal/web).
const (
	usersPath    = "/account/users"
	usersCSVPath = "/account/users.csv"
	activityPath = "/account/activity"
	usersPerPage = 50
)

// How many requests each list figure makes at most, whatever its time.
const (
	firstPageLoads = 500
	revisitLoads   = 200
	filterLoads    = 500
	csvExports     = 100
)

// listRun is the state of the users list measurements.
type listRun struct {
	*bench
	node     *Process
	client   *Client
	sessions []string     // each list account's Administrator's
	next     []string     // each list's "Next" link from its first page
	views    []*latencies // each list's page views, for its goal
	figures  *ListFigures
}

// usersLists measures the list accounts on a node of its own that has
// hashed no password: the 19 MiB a hash takes, freed but still resident,
// would hide what a CSV export takes. The Administrators sign in on another
// node first; their sessions live in the database.
func (b *bench) usersLists(ctx context.Context) error {
	if len(b.lists) == 0 {
		return nil
	}
	sessions, err := b.signInListAdmins(ctx)
	if err != nil {
		return err
	}
	node, err := b.startNode(ctx, b.nodeConfig("lists"))
	if err != nil {
		return err
	}
	defer stopQuietly(node)
	l := &listRun{bench: b, node: node, client: NewClient(node.URL, 4), sessions: sessions,
		next: make([]string, len(b.lists)), figures: &ListFigures{}}
	defer l.client.Close()
	l.figures.IdleRSS, _ = residentMiB(node.PID())
	b.report.Lists = l.figures
	for _, a := range b.lists {
		l.figures.Sizes = append(l.figures.Sizes, UsersListFigures{Users: a.Size, WithoutMFA: a.Counts.All - a.Counts.WithMFA,
			Overdue: a.Counts.Overdue, Pages: (a.Size + usersPerPage - 1) / usersPerPage})
		l.views = append(l.views, &latencies{})
	}
	if err := l.firstPages(ctx); err != nil {
		return err
	}
	// The largest first: its export finds the node's memory as page views
	// alone left it, not as a smaller export did.
	for i := len(b.lists) - 1; i >= 0; i-- {
		if err := l.account(ctx, i); err != nil {
			return err
		}
	}
	return l.activity(ctx)
}

// signInListAdmins signs each list account's Administrator in, with the
// code of their authenticator app, and returns their sessions.
func (b *bench) signInListAdmins(ctx context.Context) ([]string, error) {
	node, err := b.startNode(ctx, b.nodeConfig("lists-sign-in"))
	if err != nil {
		return nil, err
	}
	defer stopQuietly(node)
	c := NewClient(node.URL, 4)
	defer c.Close()
	var sessions []string
	for _, a := range b.lists {
		at := SignIn(ctx, c, a.Admin, mfa.Step(time.Now()))
		if at.Outcome != Accepted {
			return nil, fmt.Errorf("sign-in of %s: status %d, %v", a.Admin.Email, at.Status, at.Err)
		}
		sessions = append(sessions, at.Session)
	}
	return sessions, nil
}

// firstPages checks each list's first page, then loads the first pages of
// all the lists in turn, round after round, so that the largest and the
// smallest are compared on the same machine, however busy it is.
func (l *listRun) firstPages(ctx context.Context) error {
	for i := range l.lists {
		if err := l.checkFirstPage(ctx, i); err != nil {
			return err
		}
	}
	per := l.opts.Duration / time.Duration(2*l.opts.Rounds)
	limit := int64(max(minCallsPerWorker, firstPageLoads/l.opts.Rounds))
	total := make([]*pageLoad, len(l.lists))
	for i := range total {
		total[i] = &pageLoad{}
	}
	var rounds []float64
	for r := 1; r <= l.opts.Rounds; r++ {
		l.p.printf("users list, first page, round %d of %d: each account in turn, one request at a time, for up to %s each", r, l.opts.Rounds, per)
		p50 := make([]Millis, len(l.lists))
		for i := range l.lists {
			var round pageLoad
			round.elapsed = closedLoop(ctx, 1, per, limit, func(ctx context.Context, _ int) error {
				round.get(ctx, l.client, usersPath, l.sessions[i])
				return nil
			})
			p50[i] = round.lat.percentile(50)
			total[i].absorb(&round)
		}
		rounds = append(rounds, ratio(float64(p50[len(p50)-1]), float64(p50[0])))
	}
	for i, t := range total {
		f := &l.figures.Sizes[i]
		f.FirstPage, f.BytesPerPage, f.Errors = t.lat.summary(), t.bytes.Load(), f.Errors+t.errors()
		l.views[i].addAll(&t.lat)
	}
	if len(l.lists) > 1 {
		l.figures.FirstPageRounds, l.figures.FirstPageRatio = rounds, median(rounds)
	}
	return nil
}

// checkFirstPage loads a list's first page once and checks that it shows
// a full page (or every user) and links to the next when there is one.
func (l *listRun) checkFirstPage(ctx context.Context, i int) error {
	body, err := l.client.Body(ctx, usersPath, l.sessions[i])
	if err != nil {
		return fmt.Errorf("users list of %d: %w", l.lists[i].Size, err)
	}
	l.next[i] = nextLink(body)
	size := l.lists[i].Size
	if rows := userRows(body); rows != min(size, usersPerPage) || (l.next[i] != "") != (size > usersPerPage) {
		return fmt.Errorf("users list of %d: the first page shows %d users and a next link %q", size, rows, l.next[i])
	}
	return nil
}

// account measures one list's later pages, its two MFA filters and its CSV
// export.
func (l *listRun) account(ctx context.Context, i int) error {
	a, f := l.lists[i], &l.figures.Sizes[i]
	if err := l.laterPages(ctx, i); err != nil {
		return err
	}
	for _, filter := range []struct {
		name string
		into *Latency
		rows int
	}{{"not_set_up", &f.NotSetUp, f.WithoutMFA}, {"overdue", &f.OverdueOnly, a.Counts.Overdue}} {
		if err := l.filter(ctx, i, filter.name, filter.rows, filter.into); err != nil {
			return err
		}
	}
	f.AllViews = l.views[i].summary()
	return l.csv(ctx, i)
}

// laterPages follows the list's own "Next" links from the first page, as
// far as the time allows, checking every page, then loads pages among
// those reached again, at random.
func (l *listRun) laterPages(ctx context.Context, i int) error {
	size, f, session := l.lists[i].Size, &l.figures.Sizes[i], l.sessions[i]
	l.p.printf("users list of %d: later pages, following Next from the first, for up to %s", size, l.opts.Duration)
	var (
		later   pageLoad
		reached []string
	)
	deadline := time.Now().Add(l.opts.Duration)
	for next := l.next[i]; next != "" && ctx.Err() == nil && time.Now().Before(deadline); {
		start := time.Now()
		r, body, err := l.client.Fetch(ctx, next, session)
		if !later.record(r, err, time.Since(start)) {
			break
		}
		reached = append(reached, next)
		next = nextLink(body)
		before := usersPerPage * len(reached) // on the first page and the later ones before this
		if rows := userRows(body); next != "" && rows != usersPerPage || next == "" && before+rows != size {
			return fmt.Errorf("users list of %d: page %d shows %d users and a next link %q", size, len(reached)+1, rows, next)
		}
	}
	if len(reached) > 0 {
		l.p.printf("users list of %d: %d later pages reached; loading them again at random for up to %s", size, len(reached), l.opts.Duration/4)
		later.elapsed += closedLoop(ctx, 1, l.opts.Duration/4, revisitLoads, func(ctx context.Context, _ int) error {
			later.get(ctx, l.client, reached[rand.IntN(len(reached))], session)
			return nil
		})
	}
	f.LaterPages, f.PagesWalked, f.Errors = later.lat.summary(), len(reached), f.Errors+later.errors()
	l.views[i].addAll(&later.lat)
	return nil
}

// filter checks the first page of the list narrowed by an MFA filter
// (rows users in all), then loads it again and again.
func (l *listRun) filter(ctx context.Context, i int, name string, rows int, into *Latency) error {
	size, f, session := l.lists[i].Size, &l.figures.Sizes[i], l.sessions[i]
	path := usersPath + "?mfa=" + name
	body, err := l.client.Body(ctx, path, session)
	if err != nil {
		return fmt.Errorf("users list of %d, mfa=%s: %w", size, name, err)
	}
	if shown := userRows(body); shown != min(rows, usersPerPage) {
		return fmt.Errorf("users list of %d, mfa=%s: the first page shows %d users of %d", size, name, shown, rows)
	}
	l.p.printf("users list of %d: GET %s (%d users), one at a time, for up to %s", size, path, rows, l.opts.Duration/4)
	var load pageLoad
	load.elapsed = closedLoop(ctx, 1, l.opts.Duration/4, filterLoads, func(ctx context.Context, _ int) error {
		load.get(ctx, l.client, path, session)
		return nil
	})
	*into, f.Errors = load.lat.summary(), f.Errors+load.errors()
	l.views[i].addAll(&load.lat)
	return nil
}

// csv times the list's CSV export, one at a time, while it samples the
// node's resident memory every 5 ms, then checks one export's rows.
func (l *listRun) csv(ctx context.Context, i int) error {
	size, f, session := l.lists[i].Size, &l.figures.Sizes[i], l.sessions[i]
	l.p.printf("users CSV export of %d users, one at a time, for up to %s", size, l.opts.Duration/2)
	idle, err := residentMiB(l.node.PID())
	if err != nil {
		return err
	}
	w := watchMemory(l.node, 5*time.Millisecond)
	var load pageLoad
	load.elapsed = closedLoop(ctx, 1, l.opts.Duration/2, csvExports, func(ctx context.Context, _ int) error {
		load.get(ctx, l.client, usersCSVPath, session)
		return nil
	})
	peak, _ := w.finish()
	body, err := l.client.Body(ctx, usersCSVPath, session)
	if err != nil {
		return fmt.Errorf("users CSV of %d: %w", size, err)
	}
	if rows := bytes.Count(body, []byte("\n")) - 1; rows != size {
		return fmt.Errorf("users CSV of %d: %d rows", size, rows)
	}
	f.CSV, f.CSVBytes, f.CSVRows, f.Errors = load.lat.summary(), load.bytes.Load(), size, f.Errors+load.errors()
	f.CSVIdleRSS, f.CSVPeakRSS, f.CSVExtraRSS = idle, peak, peak-idle
	return nil
}

// activity measures the first page of the largest account's Activity,
// which holds an event for each user's invitation.
func (l *listRun) activity(ctx context.Context) error {
	i := len(l.lists) - 1
	size, session := l.lists[i].Size, l.sessions[i]
	body, err := l.client.Body(ctx, activityPath, session)
	if err != nil {
		return fmt.Errorf("activity of %d users: %w", size, err)
	}
	// Besides the invitations: the account's creation, the sign-ins.
	if rows := eventRows(body); rows < min(size, usersPerPage) || rows > usersPerPage {
		return fmt.Errorf("activity of %d users: the first page shows %d events", size, rows)
	}
	l.p.printf("activity of %d users: GET %s, one at a time, for up to %s", size, activityPath, l.opts.Duration/4)
	var load pageLoad
	load.elapsed = closedLoop(ctx, 1, l.opts.Duration/4, filterLoads, func(ctx context.Context, _ int) error {
		load.get(ctx, l.client, activityPath, session)
		return nil
	})
	l.figures.Activity = &ActivityFigures{Users: size, FirstPage: load.lat.summary(), BytesPerPage: load.bytes.Load(), Errors: load.errors()}
	return nil
}
