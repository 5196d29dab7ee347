package loadtest

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options are the harness's settings; DefaultOptions gives a run of about
// two and a half minutes on SQLite.
type Options struct {
	DB          string // "sqlite" or "postgres"
	PostgresURL string // a server where the harness may create a database
	Users       int    // users with TOTP in the seeded account
	// ListSizes are the staff counts of the accounts whose users list,
	// filters, CSV export and activity are measured; none skips them.
	ListSizes   []int
	Duration    time.Duration // measuring time of each figure
	Rounds      int           // H and sign-ins, B and pages alternate this many times
	Clients     int           // concurrent sign-in clients; 0: twice the node's hash slots
	PageClients int           // concurrent clients for B and the authenticated page
	Overload    float64       // offered load as a multiple of the measured sign-in rate
	// OverloadQueues are extra PADLOCK_HASH_QUEUE values to repeat the
	// overload with, after the server's default.
	OverloadQueues []int
	NodeEnv        []string // extra KEY=VALUE settings for every node, for experiments
	MultiNode      bool     // 1 vs 2 nodes behind a load balancer (PostgreSQL only)
	OnlyMultiNode  bool     // skip the single-node figures
	Balancer       string   // "nginx" or "go"; "" picks nginx when installed
	JSON           string   // where to write the figures; "" for nowhere
	Keep           bool     // keep the work directory and database
	Launcher       *Launcher
	Out, Progress  io.Writer
}

// DefaultOptions are the settings of a plain `padlock-bench`.
func DefaultOptions() Options {
	return Options{
		DB:          "sqlite",
		PostgresURL: envOr("PADLOCK_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		Users:       10000,
		ListSizes:   []int{1000, 10000, 50000},
		Duration:    8 * time.Second,
		Rounds:      8,
		PageClients: 4 * runtime.NumCPU(),
		Overload:    5,
		JSON:        filepath.Join(os.TempDir(), "padlock-bench.json"),
		Out:         os.Stdout,
		Progress:    os.Stderr,
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// parseFlags reads the command line into o.
func (o *Options) parseFlags(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("padlock-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: padlock-bench [flags]\n\nMeasures Padlock's figures side by side on this machine, prints a table and writes it as JSON.\n\n")
		fs.PrintDefaults()
	}
	multi := fs.String("multinode", "auto", "measure 1 vs 2 nodes behind a load balancer: auto (with -db postgres), true or false")
	queues := fs.String("overload-queues", "", "comma-separated extra PADLOCK_HASH_QUEUE values to repeat the overload with")
	lists := fs.String("list-sizes", joinInts(o.ListSizes), "comma-separated staff counts of the accounts whose users list, filters and CSV are measured (empty: none)")
	nodeEnv := fs.String("node-env", "", "comma-separated KEY=VALUE settings for every node, e.g. GOMAXPROCS=3,PADLOCK_HASH_QUEUE=2; "+cpuProfileEnv+"=FILE writes each node's CPU profile to FILE.<pid>")
	fs.StringVar(&o.DB, "db", o.DB, "database: sqlite or postgres")
	fs.StringVar(&o.PostgresURL, "postgres-url", o.PostgresURL, "PostgreSQL server where a throw-away database is created [PADLOCK_TEST_POSTGRES_URL]")
	fs.IntVar(&o.Users, "users", o.Users, "users with TOTP in the seeded account")
	fs.DurationVar(&o.Duration, "d", o.Duration, "measuring time of each figure")
	fs.IntVar(&o.Rounds, "rounds", o.Rounds, "rounds in which H and sign-ins (and B and pages) alternate")
	fs.IntVar(&o.Clients, "clients", o.Clients, "concurrent sign-in clients (0: twice the node's hash concurrency)")
	fs.IntVar(&o.PageClients, "page-clients", o.PageClients, "concurrent clients for B and the authenticated page")
	fs.Float64Var(&o.Overload, "overload", o.Overload, "offered sign-ins as a multiple of the measured rate")
	fs.BoolVar(&o.OnlyMultiNode, "multinode-only", o.OnlyMultiNode, "measure only 1 vs 2 nodes (implies -multinode=true)")
	fs.StringVar(&o.Balancer, "lb", o.Balancer, "load balancer for -multinode: nginx or go (default nginx when installed)")
	fs.StringVar(&o.JSON, "json", o.JSON, "write the figures to this file (empty: do not)")
	fs.BoolVar(&o.Keep, "keep", o.Keep, "keep the work directory (and PostgreSQL database) for a look afterwards")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if o.MultiNode, err = parseAuto(*multi, o.DB == "postgres"); err != nil {
		return fmt.Errorf("-multinode: %w", err)
	}
	o.MultiNode = o.MultiNode || o.OnlyMultiNode
	o.NodeEnv = strings.FieldsFunc(*nodeEnv, func(r rune) bool { return r == ',' })
	if o.OverloadQueues, err = parseInts(*queues); err != nil {
		return fmt.Errorf("-overload-queues: %w", err)
	}
	if o.ListSizes, err = parseInts(*lists); err != nil {
		return fmt.Errorf("-list-sizes: %w", err)
	}
	slices.Sort(o.ListSizes)
	o.ListSizes = slices.Compact(o.ListSizes)
	return o.validate()
}

func parseAuto(s string, auto bool) (bool, error) {
	if s == "auto" {
		return auto, nil
	}
	return strconv.ParseBool(s)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (o *Options) validate() error {
	var errs []error
	if o.DB != "sqlite" && o.DB != "postgres" {
		errs = append(errs, errors.New("-db must be sqlite or postgres"))
	}
	if o.MultiNode && o.DB != "postgres" {
		errs = append(errs, errors.New("-multinode needs -db postgres: nodes share one PostgreSQL"))
	}
	if o.Users < 1 || o.Duration <= 0 || o.Rounds < 1 || o.PageClients < 1 || o.Overload <= 1 || o.Clients < 0 {
		errs = append(errs, errors.New("-users, -d, -rounds and -page-clients must be positive, -clients not negative, and -overload above 1"))
	}
	if len(o.ListSizes) > 0 && o.ListSizes[0] < 2 {
		errs = append(errs, errors.New("-list-sizes: an account needs at least 2 users, its Administrator and one more"))
	}
	if o.Balancer != "" && o.Balancer != "nginx" && o.Balancer != "go" {
		errs = append(errs, errors.New("-lb must be nginx or go"))
	}
	return errors.Join(errs...)
}
