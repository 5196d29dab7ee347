package loadtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/config"
)

// bench is one run of the harness: its work directory, database, seeded
// account and the report it fills in.
type bench struct {
	opts     Options
	dir      string
	dbURL    string // "" for SQLite in dir
	key      string // PADLOCK_SECRET_KEY shared by every node
	launcher Launcher
	keys     *Keyring
	sessions []string // full sessions of seeded users, for the page load
	lists    []*ListAccount
	p        *progress
	report   *Report
	cleanup  []func()

	nginxRuns int // nginx gets a fresh prefix directory each time
}

// Run measures every figure and returns the report (also on error, with
// what was measured so far).
func Run(ctx context.Context, o Options) (*Report, error) {
	b := &bench{opts: o, p: newProgress(o.Progress),
		report: &Report{Started: time.Now(), Machine: describeMachine(), Database: o.DB, Version: padlockVersion(), Users: o.Users}}
	defer b.close()
	cpu := startCPUMeter()
	b.report.Settings = Settings{Duration: o.Duration.String(), Rounds: o.Rounds, PageClients: o.PageClients, NodeEnv: o.NodeEnv}
	steps := []func(context.Context) error{b.prepare, b.seed}
	if !o.OnlyMultiNode {
		steps = append(steps, b.singleNode, b.usersLists)
	}
	if o.MultiNode {
		steps = append(steps, b.multiNode)
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return b.report, err
		}
	}
	b.report.Machine.LoadAvgEnd = loadAvg()
	b.close()
	b.cleanup = nil
	b.report.Machine.OtherCPU = cpu.otherPercent()
	b.report.Goals = goals(b.report)
	return b.report, nil
}

func (b *bench) close() {
	for i := len(b.cleanup) - 1; i >= 0; i-- {
		b.cleanup[i]()
	}
}

func (b *bench) atClose(fn func()) { b.cleanup = append(b.cleanup, fn) }

// prepare makes the work directory, the secret key and, on PostgreSQL, a
// throw-away database.
func (b *bench) prepare(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "padlock-bench-")
	if err != nil {
		return err
	}
	b.dir = dir
	if b.opts.Keep {
		b.p.printf("work directory kept: %s", dir)
	} else {
		b.atClose(func() { os.RemoveAll(dir) })
	}
	key := make([]byte, 32)
	rand.Read(key)
	b.key = base64.StdEncoding.EncodeToString(key)
	if b.opts.Launcher != nil {
		b.launcher = *b.opts.Launcher
	} else if b.launcher, err = SelfLauncher(); err != nil {
		return err
	}
	if b.opts.DB == "postgres" {
		return b.createDatabase(ctx)
	}
	return nil
}

// createDatabase creates padlock_bench_<random> on the PostgreSQL server
// and drops it at the end (unless kept).
func (b *bench) createDatabase(ctx context.Context) error {
	admin, err := sql.Open("pgx", b.opts.PostgresURL)
	if err != nil {
		return err
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "padlock_bench_" + hex.EncodeToString(suffix)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return fmt.Errorf("postgres at %s: %w", b.opts.PostgresURL, err)
	}
	b.atClose(func() {
		if !b.opts.Keep {
			admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		}
		admin.Close()
	})
	u, err := url.Parse(b.opts.PostgresURL)
	if err != nil {
		return err
	}
	u.Path = "/" + name
	b.dbURL = u.String()
	return nil
}

// seed creates the account and its users through a node built in this
// process, then closes it: the nodes measured are separate processes.
func (b *bench) seed(ctx context.Context) error {
	b.p.printf("seeding %d users with TOTP on %s", b.opts.Users, b.opts.DB)
	cfg := config.Default()
	cfg.DataDir, cfg.DatabaseURL, cfg.SecretKey, cfg.LogLevel = b.nodeDir("seed"), b.dbURL, b.key, "warn"
	if err := cfg.Validate(); err != nil {
		return err
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer a.Close()
	start := time.Now()
	f, err := Seed(ctx, a, b.opts.Users, 20)
	if err != nil {
		return err
	}
	b.keys = NewKeyring(f.Users)
	if err := b.seedLists(ctx, a); err != nil {
		return err
	}
	b.p.printf("seeded in %s", time.Since(start).Round(time.Millisecond))
	return nil
}

// nodeDir is a data directory of its own for a node on PostgreSQL, or the
// shared SQLite data directory.
func (b *bench) nodeDir(name string) string {
	if b.dbURL == "" {
		return filepath.Join(b.dir, "data")
	}
	return filepath.Join(b.dir, name)
}

// nodeConfig is the settings of a node named name.
func (b *bench) nodeConfig(name string) NodeConfig {
	return NodeConfig{DataDir: b.nodeDir(name), DatabaseURL: b.dbURL, SecretKey: b.key, LogPath: filepath.Join(b.dir, name+".log"), Extra: b.opts.NodeEnv}
}

// startNode starts a node and stops it when the run ends, if not before.
func (b *bench) startNode(ctx context.Context, c NodeConfig) (*Process, error) {
	n, err := StartNode(ctx, b.launcher, c)
	if err != nil {
		return nil, err
	}
	b.atClose(func() { stopQuietly(n) })
	return n, nil
}

// stopQuietly stops a process that may already have ended.
func stopQuietly(p *Process) {
	select {
	case <-p.Exited():
	default:
		p.Stop()
	}
}

// nodeSettings is what a node started by the harness runs with: the
// defaults on this machine and any -node-env settings.
func (b *bench) nodeSettings() config.Config {
	c := config.Default()
	c.Load(nil, func(name string) string {
		for _, kv := range b.opts.NodeEnv {
			if k, v, _ := strings.Cut(kv, "="); k == name {
				return v
			}
		}
		return ""
	})
	return c
}

// signInClients is the number of concurrent sign-in clients: enough to
// keep every hash slot busy while others send their code.
func (b *bench) signInClients(slots int) int {
	if b.opts.Clients > 0 {
		return b.opts.Clients
	}
	return 2 * slots
}
