package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"
)

// pagePath is the authenticated page: a full session checked in the
// database and the MFA policy evaluated, then a list rendered.
const pagePath = "/organizations"

// apiPath is an authenticated JSON answer: the same session check and
// policy, without an HTML page to render.
const apiPath = "/api/v1/me"

// usersPerPage is the users list's page size (internal/web/users.go).
const usersPerPage = 50

// pageLoad is a closed loop of GETs of one path, each worker with its own
// session (none for B).
type pageLoad struct {
	tally   tally
	lat     latencies
	elapsed time.Duration
	bytes   atomic.Int64
}

// run loads path for d and returns the rate of this run alone.
func (l *pageLoad) run(ctx context.Context, c *Client, path string, sessions []string, workers int, d time.Duration) float64 {
	before := l.tally.ok.Load()
	elapsed := closedLoop(ctx, workers, d, maxCalls, func(ctx context.Context, w int) error {
		session := ""
		if len(sessions) > 0 {
			session = sessions[w%len(sessions)]
		}
		l.get(ctx, c, path, session)
		return nil
	})
	l.elapsed += elapsed
	return rate(l.tally.ok.Load()-before, elapsed)
}

// get fetches path and counts the answer: 200 is the only right one.
func (l *pageLoad) get(ctx context.Context, c *Client, path, session string) {
	start := time.Now()
	r, err := c.Get(ctx, path, session)
	switch {
	case err != nil:
		l.tally.transport.Add(1)
	case r.Status != http.StatusOK:
		l.tally.failed.Add(1)
	default:
		l.tally.ok.Add(1)
		l.lat.add(time.Since(start))
		l.bytes.Store(r.Bytes)
	}
}

func (l *pageLoad) perSecond() float64 { return rate(l.tally.ok.Load(), l.elapsed) }

func (l *pageLoad) errors() int64 {
	return l.tally.failed.Load() + l.tally.transport.Load() + l.tally.refused.Load()
}

// pages measures B and the authenticated page in alternating rounds, with
// the same client and the same number of workers.
func (s *singleRun) pages(ctx context.Context) error {
	if len(s.sessions) == 0 {
		return errors.New("no session to load the authenticated page with")
	}
	bare := NewClient(s.bare.URL, 256)
	defer bare.Close()
	// B serves the bytes of the page it is compared with.
	page, err := s.client.Body(ctx, pagePath, s.sessions[0])
	if err == nil {
		err = bare.Put(ctx, "/", page)
	}
	if err != nil {
		return fmt.Errorf("give the bare handler the page's bytes: %w", err)
	}
	var (
		b, auth, api pageLoad
		rounds       []float64
		workers      = s.opts.PageClients
	)
	for r := 1; r <= s.opts.Rounds; r++ {
		s.p.printf("B, round %d of %d: GET / of a bare net/http handler serving the same bytes, %d clients, for %s", r, s.opts.Rounds, workers, s.per())
		stop := s.p.watch("B", b.tally.String)
		bareRate := b.run(ctx, bare, "/", nil, workers, s.per())
		stop()
		s.p.printf("authenticated page, round %d of %d: GET %s with %d sessions, for %s", r, s.opts.Rounds, pagePath, workers, s.per())
		stop = s.p.watch("page", auth.tally.String)
		rounds = append(rounds, ratio(auth.run(ctx, s.client, pagePath, s.sessions, workers, s.per()), bareRate))
		stop()
		s.p.printf("authenticated JSON, round %d of %d: GET %s with %d sessions, for %s", r, s.opts.Rounds, apiPath, workers, s.per()/2)
		stop = s.p.watch("JSON", api.tally.String)
		api.run(ctx, s.client, apiPath, s.sessions, workers, s.per()/2)
		stop()
	}
	s.report.Pages = PageFigures{Path: pagePath, BarePerSec: b.perSecond(), AuthPerSec: auth.perSecond(),
		Ratio: ratio(auth.perSecond(), b.perSecond()), RoundRatios: rounds, MedianRatio: median(rounds), BareLatency: b.lat.summary(), AuthLatency: auth.lat.summary(),
		Errors: b.errors() + auth.errors() + api.errors(), BytesPerPage: auth.bytes.Load(),
		APIPath: apiPath, APIPerSec: api.perSecond(), APILatency: api.lat.summary(), APIRatio: ratio(api.perSecond(), b.perSecond())}
	s.p.printf("  B %.0f/s, page %.0f/s: %.2f × B (median of rounds %.2f)", b.perSecond(), auth.perSecond(), s.report.Pages.Ratio, s.report.Pages.MedianRatio)
	return nil
}

// usersList measures Account > Users (random pages) and its CSV export as
// the Administrator, one request at a time.
func (s *singleRun) usersList(ctx context.Context) error {
	r, err := s.client.PostForm(ctx, "/login", url.Values{"email": {AdminEmail}, "password": {Password}}, "")
	if err != nil || r.Status != http.StatusSeeOther || r.Session == "" {
		return fmt.Errorf("administrator sign-in: %v %v", err, statusError("password", r, http.StatusSeeOther))
	}
	users := s.opts.Users + 1
	pageCount := (users + usersPerPage - 1) / usersPerPage
	var list, csv pageLoad
	s.p.printf("users list: %d users, random pages of %d, one at a time, for up to %s", users, usersPerPage, s.opts.Duration)
	list.elapsed = closedLoop(ctx, 1, s.opts.Duration, int64(4*pageCount), func(ctx context.Context, _ int) error {
		list.get(ctx, s.client, fmt.Sprintf("/account/users?page=%d", rand.IntN(pageCount)+1), r.Session)
		return nil
	})
	s.p.printf("users CSV export: %d rows, one at a time, for up to %s", users, s.opts.Duration)
	csv.elapsed = closedLoop(ctx, 1, s.opts.Duration, 100, func(ctx context.Context, _ int) error {
		csv.get(ctx, s.client, "/account/users.csv", r.Session)
		return nil
	})
	s.report.UsersList = UsersListFigures{Users: users, Page: list.lat.summary(), CSV: csv.lat.summary(),
		CSVBytes: csv.bytes.Load(), Errors: list.errors() + csv.errors()}
	return nil
}
