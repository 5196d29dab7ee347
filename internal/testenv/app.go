package testenv

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/config"
	"github.com/padlock-mfa/padlock/internal/padlock"
)

// Clock is a settable clock for the services under test.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at the current second.
func NewClock() *Clock { return &Clock{t: time.Now().Truncate(time.Second)} }

func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestApp is a real Padlock node on a loopback port, with a real SMTP server
// receiving its mail and an injected clock.
type TestApp struct {
	*app.App
	URL   string
	SMTP  *SMTPServer
	Clock *Clock
	Log   *SyncBuffer
}

// Options adjusts StartApp.
type Options struct {
	// DatabaseURL makes the node share an existing PostgreSQL database
	// (for two-node tests); empty creates a fresh database.
	DatabaseURL string
	// DataDir shares an SQLite data directory; empty creates one.
	DataDir string
	// SMTP shares a mail server between nodes; nil starts one.
	SMTP *SMTPServer
	// Clock shares a clock between nodes; nil starts one.
	Clock *Clock
	// BaseURL is the node's public URL; empty is its own http address.
	BaseURL string
	// Localhost makes the public URL http://localhost:PORT (and URL with
	// it), so the node has a host name for passkeys: WebAuthn refuses IP
	// addresses.
	Localhost bool
	// DBTimeout bounds each request's database work (and its wait for a
	// hash slot); zero gives TestDBTimeout.
	DBTimeout time.Duration
	// SecretKey is the node's PADLOCK_SECRET_KEY. Empty gives nodes on a
	// data directory of their own one key shared by every test, as nodes
	// sharing a database share their key; a shared DataDir keeps its own.
	SecretKey string
	// ProductionHashes hashes passwords at production cost; otherwise a
	// node uses CheapHashParams, which keeps the suite fast. The sign-in
	// path is the same either way.
	ProductionHashes bool
	// APIRateLimit is the node's PADLOCK_API_RATE_LIMIT; zero keeps the
	// default.
	APIRateLimit int
	// TrustProxy is the node's PADLOCK_TRUST_PROXY: the client address is
	// the last hop of X-Forwarded-For, so a test can play many clients.
	TrustProxy bool
}

// TestDBTimeout replaces the production 5 s bound on a request's database
// work in tests: a node sharing busy cores with other test processes can
// wait longer than that for a lock or a hash slot, and a 503 there would
// fail a test that is not about time. Tests of the bound set their own.
const TestDBTimeout = time.Minute

// TestDBMaxConns is the PostgreSQL pool of a test node or test store.
const TestDBMaxConns = 6

// CheapHashParams are argon2id parameters for tests: the same algorithm
// and format as production, at the smallest cost argon2 allows.
var CheapHashParams = auth.HashParams{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// PendingSignInsPerClient is the test nodes' cap on the unfinished sign-ins
// one client starts each public way: small, so that tests reach it quickly.
const PendingSignInsPerClient = 30

// SharedSecretKey is the key of every test node that is given none and has
// a data directory of its own.
const SharedSecretKey = "cGFkbG9jay10ZXN0LW5vZGVzLXNoYXJlLXRoaXMta2U="

// StartApp starts a node on the dialect's database, stopped at cleanup.
func StartApp(t testing.TB, d string, o Options) *TestApp {
	t.Helper()
	if o.SMTP == nil {
		o.SMTP = StartSMTP(t)
	}
	if o.Clock == nil {
		o.Clock = NewClock()
	}
	cfg := config.Default()
	cfg.DataDir, cfg.SecretKey = o.DataDir, o.SecretKey
	cfg.DatabaseURL = o.DatabaseURL
	cfg.BaseURL = o.BaseURL
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
		if cfg.SecretKey == "" {
			cfg.SecretKey = SharedSecretKey
		}
		if cfg.DatabaseURL == "" && d == "sqlite" {
			SeedSQLite(t, cfg.DataDir)
		}
	}
	if cfg.DatabaseURL == "" && d == "postgres" {
		cfg.DatabaseURL = MigratedDatabaseURL(t)
	}
	cfg.SMTPURL = o.SMTP.URL()
	cfg.HashConcurrency, cfg.HashQueue = 4, 64
	// Many nodes run at once in a test process, beside other test
	// processes, on one PostgreSQL server with its default of 100
	// connections: a few each is enough for what one test sends.
	cfg.DBMaxConns = TestDBMaxConns
	cfg.DBTimeout = TestDBTimeout
	if o.DBTimeout > 0 {
		cfg.DBTimeout = o.DBTimeout
	}
	if o.APIRateLimit > 0 {
		cfg.APIRateLimit = o.APIRateLimit
	}
	cfg.TrustProxy = o.TrustProxy
	srv := httptest.NewUnstartedServer(nil)
	cfg.Listen = srv.Listener.Addr().String()
	if o.Localhost {
		cfg.BaseURL = "http://localhost:" + strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logBuf := &SyncBuffer{}
	logger := slog.New(slog.NewTextHandler(io.MultiWriter(logBuf, testLogWriter()), nil))
	hashes := CheapHashParams
	if o.ProductionHashes {
		hashes = auth.DefaultHashParams
	}
	a, err := app.New(context.Background(), cfg, logger, app.WithClock(o.Clock.Now), app.WithHashParams(hashes),
		app.WithPendingSignInsPerClient(PendingSignInsPerClient))
	if err != nil {
		t.Fatalf("start app: %v", err)
	}
	a.Mail.PollInterval = 50 * time.Millisecond
	a.Start()
	srv.Config.Handler = a.Web
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	u := srv.URL
	if o.Localhost {
		u = cfg.BaseURL
	}
	return &TestApp{App: a, URL: u, SMTP: o.SMTP, Clock: o.Clock, Log: logBuf}
}

// testLogWriter shows server logs with -v when PADLOCK_TEST_LOG is set.
func testLogWriter() io.Writer {
	if os.Getenv("PADLOCK_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// SyncBuffer is a log sink tests can read while the server writes.
type SyncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// A strong password that passes the policy; tests use it for every user.
const Password = "orbit-plum-cascade-harbor"

// CreateAccount sets up an account with an Administrator through the same
// service the CLI uses.
func (a *TestApp) CreateAccount(t testing.TB, name, email string) *padlock.User {
	t.Helper()
	u, err := a.Auth.SetupFromCLI(context.Background(), auth.SetupInput{AccountName: name, Name: "Admin of " + name, Email: email, Password: Password})
	if err != nil {
		t.Fatalf("create account: %v", err)
	}
	return u
}

// AddUser invites a user of the role into the admin's account and accepts
// the invitation from the emailed link, as the invitee would.
func (a *TestApp) AddUser(t testing.TB, admin *padlock.User, email string, role padlock.Role) *padlock.User {
	t.Helper()
	ctx := context.Background()
	if _, err := a.Admin.Invite(ctx, auth.Actor{User: admin}, 0, []string{email}, role); err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	msg := a.SMTP.WaitFor(t, email, "invit")
	token := LinkToken(t, msg.Body, "/invitation/")
	u, err := a.Auth.AcceptInvitation(ctx, token, "User "+email, Password, "test")
	if err != nil {
		t.Fatalf("accept invitation %s: %v", email, err)
	}
	u.Status = padlock.StatusActive
	return u
}

// LinkToken extracts the token after prefix from a link in an email body.
func LinkToken(t testing.TB, body, prefix string) string {
	t.Helper()
	i := strings.Index(body, prefix)
	if i < 0 {
		t.Fatalf("no %s link in mail:\n%s", prefix, body)
	}
	rest := body[i+len(prefix):]
	end := strings.IndexFunc(rest, func(r rune) bool { return r == '\n' || r == ' ' || r == '\r' || r == '>' })
	if end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// Client is a browser-like HTTP client: a cookie jar, no automatic
// redirects, and the Origin header a browser sends on forms.
type Client struct {
	*http.Client
	Base string
}

// NewClient returns a client for the node with an empty cookie jar.
func (a *TestApp) NewClient() *Client { return NewClientFor(a.URL) }

// NewClientFor returns a client for a base URL. It has connections of its
// own: on the shared default transport, another test's server closing
// (httptest.Server.Close closes that transport's idle connections) could
// break a request that had just taken one of them.
func NewClientFor(base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{Base: base, Client: &http.Client{
		Transport:     http.DefaultTransport.(*http.Transport).Clone(),
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Get fetches a path and returns status, Location and body.
func (c *Client) Get(t testing.TB, path string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.Base+path, nil)
	return c.Do(t, req)
}

// PostForm submits a form as a same-origin browser would.
func (c *Client) PostForm(t testing.TB, path string, form url.Values) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", c.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.Base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(t, req)
}

// Do sends a request and reads the whole answer.
func (c *Client) Do(t testing.TB, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// SignIn signs the client in and fails the test if that does not work.
func (c *Client) SignIn(t testing.TB, email, password string) {
	t.Helper()
	status, loc, body := c.PostForm(t, "/login", url.Values{"email": {email}, "password": {password}})
	if status != http.StatusSeeOther {
		t.Fatalf("sign in %s: status %d, location %q\n%s", email, status, loc, body)
	}
}

// CookieValue returns the client's cookie of that name for the base URL.
func (c *Client) CookieValue(name string) string {
	u, _ := url.Parse(c.Base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}
