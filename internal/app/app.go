// Package app wires Padlock together from a Config: the database, the
// password hasher, the sign-in service, mail delivery and the HTTP server.
// `padlock serve` and the end-to-end tests build the same App.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/padlock-mfa/padlock/internal/admin"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/config"
	"github.com/padlock-mfa/padlock/internal/docs"
	"github.com/padlock-mfa/padlock/internal/mail"
	"github.com/padlock-mfa/padlock/internal/mfa"
	"github.com/padlock-mfa/padlock/internal/sso"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/web"
)

// App is one running Padlock node.
type App struct {
	Config    config.Config
	DB        *store.DB
	Auth      *auth.Service
	Admin     *admin.Service
	Docs      *docs.Service
	Mail      *mail.Worker
	Web       *web.Server
	SSO       *sso.Service
	SecretKey []byte
	Logger    *slog.Logger

	// SchemaCheckInterval is how often the node looks for a schema newer
	// than its release (see CheckSchemaVersion); set it before Start.
	SchemaCheckInterval time.Duration

	stop        context.CancelFunc
	wg          sync.WaitGroup
	schemaCheck chan struct{}
	schemaOnce  sync.Once
}

// Option adjusts how New builds a node: the clock and the password hash
// cost, which tests choose; production uses the defaults.
type Option func(*options)

type options struct {
	now            func() time.Time
	hashParams     auth.HashParams
	pendingSignIns int
}

// WithClock gives every part of the node (services, mail worker, sweeper)
// one clock.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithHashParams sets the argon2id parameters of new password hashes.
func WithHashParams(p auth.HashParams) Option { return func(o *options) { o.hashParams = p } }

// WithPendingSignInsPerClient sets how many unfinished sign-ins one client
// may start each public way (padlock.MaxPendingSignInsPerClient by
// default), so that tests of the cap need not make hundreds.
func WithPendingSignInsPerClient(n int) Option { return func(o *options) { o.pendingSignIns = n } }

// New opens (and migrates) the database and builds every part. cfg must be
// validated. It refuses a secret key that is not the installation's (see
// auth.Service.CheckSecretKey). The background workers start with Start.
func New(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...Option) (*App, error) {
	return newApp(ctx, cfg, logger, true, opts)
}

// NewForOperator is New without the secret key check, for the operator's
// `padlock user` commands: they decrypt no factor secret, and they are the
// way back in on the day the key is lost (reset everyone's MFA, then start
// with a new key).
func NewForOperator(ctx context.Context, cfg config.Config, logger *slog.Logger, opts ...Option) (*App, error) {
	return newApp(ctx, cfg, logger, false, opts)
}

func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger, checkKey bool, opts []Option) (*App, error) {
	o := options{now: time.Now, hashParams: auth.DefaultHashParams}
	for _, opt := range opts {
		opt(&o)
	}
	if err := prepareDataDir(cfg); err != nil {
		return nil, err
	}
	key, err := loadSecretKey(cfg)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.SetMaxConns(cfg.DBMaxConns)
	a := &App{Config: cfg, DB: db, SecretKey: key, Logger: logger,
		SchemaCheckInterval: 30 * time.Second, schemaCheck: make(chan struct{}, 1)}
	db.OnSchemaError(a.checkSchemaSoon)
	if err := a.build(o); err != nil {
		db.Close()
		return nil, err
	}
	if !checkKey {
		return a, nil
	}
	if err := a.Auth.CheckSecretKey(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w (this node's key is from %s)", err, secretKeySource(cfg))
	}
	return a, nil
}

func (a *App) build(o options) error {
	cfg := a.Config
	hasher := auth.NewHasher(o.hashParams, cfg.HashConcurrency, cfg.HashQueue)
	ac := auth.DefaultConfig()
	ac.BaseURL, ac.SessionIdle, ac.SessionLifetime, ac.InvitationTTL = cfg.BaseURL, cfg.SessionIdle, cfg.SessionLifetime, cfg.InvitationTTL
	if id, origin, ok := cfg.WebAuthnRP(); ok {
		ac.RPID, ac.RPOrigin = id, origin
	} else {
		a.Logger.Info("passkeys are unavailable: the base URL's host is an IP address", "base_url", cfg.BaseURL)
	}
	sealer, err := mfa.NewSealer(a.SecretKey)
	if err != nil {
		return err
	}
	// One clock for the node, given to every service as it is made.
	a.Auth = auth.NewService(a.DB, hasher, sealer, ac, a.Logger, o.now)
	a.Auth.PendingSignInsPerClient = o.pendingSignIns
	a.Admin = admin.NewService(a.DB, admin.ConfigFrom(ac), o.now)

	var sender mail.Sender
	if cfg.SMTPURL != "" {
		s, err := mail.NewSMTPSender(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			return err
		}
		sender = s
	} else {
		sender = mail.NewLogSender(filepath.Join(cfg.DataDir, "mail.log"), a.Logger)
	}
	a.Mail = mail.NewWorker(a.DB, sender, a.Logger, o.now)
	a.Auth.MailQueued = a.Mail.Wake
	a.Admin.MailQueued = a.Mail.Wake

	a.Docs = docs.NewService(a.DB, o.now)

	a.SSO = sso.New(a.DB, a.Auth, cfg.BaseURL, a.Logger, o.now)

	w, err := web.New(web.Options{DB: a.DB, Auth: a.Auth, Admin: a.Admin, Docs: a.Docs, Logger: a.Logger,
		SecureCookies: cfg.SecureCookies(), TrustProxy: cfg.TrustProxy, SSO: a.SSO, DBTimeout: cfg.DBTimeout,
		APIRateLimit: cfg.APIRateLimit})
	if err != nil {
		return err
	}
	a.Web = w
	return nil
}

// Start runs the mail worker, the session sweeper and the schema watch
// until Close.
func (a *App) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	a.stop = cancel
	a.wg.Add(3)
	go func() { defer a.wg.Done(); a.Mail.Run(ctx) }()
	go func() { defer a.wg.Done(); a.sweep(ctx) }()
	go func() { defer a.wg.Done(); a.watchSchema(ctx) }()
}

// sweep deletes sessions past their lifetime now and then; expiry itself is
// enforced on every request.
func (a *App) sweep(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if _, err := a.DB.Conn().DeleteExpiredSessions(ctx, a.Auth.Now()); err != nil && ctx.Err() == nil {
			a.Logger.Warn("session sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close stops the workers and closes the database.
func (a *App) Close() error {
	if a.stop != nil {
		a.stop()
		a.wg.Wait()
	}
	return a.DB.Close()
}

// Serve answers HTTP on l until ctx ends, then shuts down gracefully,
// letting requests in flight finish for up to the configured shutdown
// timeout (the drain window). Clients still connected after that are cut
// off and logged; the stop is still a clean one.
func (a *App) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Load balancers see /readyz fail from the first moment of shutdown.
	a.Web.Drain()
	drain, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(drain); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("shutdown: %w", err)
		}
		a.Logger.Warn("requests still in flight at the end of the drain window were cut off", "drain_window", a.Config.ShutdownTimeout.String())
		srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// prepareDataDir creates the data directory with owner-only permissions.
func prepareDataDir(cfg config.Config) error {
	if cfg.DataDir == "" {
		return nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	return os.Chmod(cfg.DataDir, 0o700)
}
