package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
)

// multiNode measures sign-ins through a load balancer to one node, then
// two, over the same PostgreSQL: first with every node free to use all
// cores, then (where taskset and two cores allow) with each node pinned to
// a core of its own, which is as close as one machine comes to nodes on
// machines of their own.
func (b *bench) multiNode(ctx context.Context) error {
	kind, err := b.balancerKind()
	if err != nil {
		return err
	}
	m := &MultiNodeFigures{Balancer: kind}
	b.report.MultiNode = m
	if m.Shared, err = b.scaling(ctx, false); err != nil {
		return err
	}
	if _, err := exec.LookPath("taskset"); err != nil || runtime.NumCPU() < 2 {
		b.report.Notes = append(b.report.Notes, "multi-node: no taskset or fewer than 2 cores, so nodes could not be given a core each")
		return nil
	}
	pinned, err := b.scaling(ctx, true)
	m.Pinned = &pinned
	return err
}

// balancerKind picks nginx when installed (or asked for), else the Go
// balancer.
func (b *bench) balancerKind() (string, error) {
	path := findNginx()
	switch {
	case b.opts.Balancer == "go":
		return "go", nil
	case path != "":
		return nginxVersion(path), nil
	case b.opts.Balancer == "nginx":
		return "", errors.New("-lb nginx: nginx is not installed (apt-get install -y nginx)")
	}
	b.report.Notes = append(b.report.Notes, "multi-node: nginx is not installed, so the Go balancer stood in")
	return "go", nil
}

// scaling starts two nodes, one balancer in front of the first alone and
// one in front of both, and runs the sign-in load through each in turn,
// round after round, so both see the same machine.
func (b *bench) scaling(ctx context.Context, pinned bool) (Scaling, error) {
	nodes, err := b.startLBNodes(ctx, pinned)
	defer func() {
		for _, p := range nodes {
			stopQuietly(p)
		}
	}()
	if err != nil {
		return Scaling{}, err
	}
	one, err := b.startBalancer(ctx, nodes[:1])
	if err != nil {
		return Scaling{}, err
	}
	defer one.stop()
	two, err := b.startBalancer(ctx, nodes)
	if err != nil {
		return Scaling{}, err
	}
	defer two.stop()
	return b.alternate(ctx, one.url, two.url, pinned)
}

// startLBNodes starts the two nodes for the balancers, each pinned to a
// core of its own when asked.
func (b *bench) startLBNodes(ctx context.Context, pinned bool) ([]*Process, error) {
	var nodes []*Process
	for i := range 2 {
		c := b.nodeConfig(fmt.Sprintf("lb-node-%d", i))
		c.TrustProxy = true
		if pinned {
			c.CPUs = strconv.Itoa(i)
		}
		p, err := StartNode(ctx, b.launcher, c)
		if err != nil {
			return nodes, err
		}
		nodes = append(nodes, p)
	}
	return nodes, nil
}

// alternate runs the load through one node's balancer and the two nodes'
// in turn, for the figure's duration each, in rounds.
func (b *bench) alternate(ctx context.Context, one, two string, pinned bool) (Scaling, error) {
	slots, where := b.nodeSettings().HashConcurrency, "sharing all cores"
	if pinned {
		slots, where = 1, "one core each"
	}
	c1, c2 := NewClient(one, 64), NewClient(two, 64)
	defer c1.Close()
	defer c2.Close()
	var (
		l1, l2 signInLoad
		rounds []float64
		per    = b.opts.Duration / time.Duration(b.opts.Rounds)
	)
	for r := 1; r <= b.opts.Rounds; r++ {
		b.p.printf("multi-node, %s, round %d of %d: 1 node, then 2, behind %s, for %s each", where, r, b.opts.Rounds, b.report.MultiNode.Balancer, per)
		stop := b.p.watch("1 node", l1.status())
		r1 := l1.closed(ctx, c1, b.keys, b.signInClients(slots), per)
		stop()
		stop = b.p.watch("2 nodes", l2.status())
		r2 := l2.closed(ctx, c2, b.keys, b.signInClients(2*slots), per)
		stop()
		rounds = append(rounds, ratio(r2, r1))
	}
	if l1.tally.ok.Load() == 0 || l2.tally.ok.Load() == 0 {
		return Scaling{}, fmt.Errorf("no sign-in through the balancer succeeded: %v %v", l1.err(), l2.err())
	}
	s := Scaling{One: l1.perSecond(), Two: l2.perSecond(), Ratio: ratio(l2.perSecond(), l1.perSecond()),
		RoundRatios: rounds, MedianRatio: median(rounds), Failures: failures(&l1) + failures(&l2),
		WrongAnswers: l1.tally.failed.Load() + l2.tally.failed.Load()}
	b.p.printf("  %s: 2 nodes ÷ 1 = %.2f (median of rounds %.2f)", where, s.Ratio, s.MedianRatio)
	return s, nil
}

func failures(l *signInLoad) int64 {
	return l.tally.failed.Load() + l.tally.transport.Load() + l.tally.refused.Load()
}

// frontDoor is a running load balancer.
type frontDoor struct {
	url  string
	stop func()
}

func (b *bench) startBalancer(ctx context.Context, nodes []*Process) (frontDoor, error) {
	if b.report.MultiNode.Balancer != "go" {
		var addrs []string
		for _, p := range nodes {
			addrs = append(addrs, p.Addr)
		}
		b.nginxRuns++
		p, err := StartNginx(ctx, findNginx(), filepath.Join(b.dir, fmt.Sprintf("nginx-%d", b.nginxRuns)), addrs)
		if err != nil {
			return frontDoor{}, err
		}
		return frontDoor{url: p.URL, stop: func() { p.Stop() }}, nil
	}
	return startGoBalancer(nodes)
}

// startGoBalancer serves the Go balancer on a loopback port.
func startGoBalancer(nodes []*Process) (frontDoor, error) {
	var urls []string
	for _, p := range nodes {
		urls = append(urls, p.URL)
	}
	bal, err := NewBalancer(urls...)
	if err != nil {
		return frontDoor{}, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return frontDoor{}, err
	}
	srv := &http.Server{Handler: bal, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return frontDoor{url: "http://" + l.Addr().String(), stop: func() { srv.Close() }}, nil
}
