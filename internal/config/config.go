// Package config reads Padlock's settings from PADLOCK_* environment
// variables and command-line flags (flags win), with the defaults beside
// each field, and validates them all at once.
package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	netmail "net/mail"

	"github.com/padlock-mfa/padlock/internal/mail"
)

// Config is every setting of `padlock serve`.
type Config struct {
	DatabaseURL     string        // PADLOCK_DATABASE_URL: postgres://… or empty for SQLite
	DataDir         string        // PADLOCK_DATA_DIR
	Listen          string        // PADLOCK_LISTEN
	BaseURL         string        // PADLOCK_BASE_URL
	SMTPURL         string        // PADLOCK_SMTP_URL
	MailFrom        string        // PADLOCK_MAIL_FROM
	SecretKey       string        // PADLOCK_SECRET_KEY: base64 32 bytes; else a file in the data dir
	SessionIdle     time.Duration // PADLOCK_SESSION_IDLE
	SessionLifetime time.Duration // PADLOCK_SESSION_LIFETIME
	InvitationTTL   time.Duration // PADLOCK_INVITATION_TTL
	HashConcurrency int           // PADLOCK_HASH_CONCURRENCY
	HashQueue       int           // PADLOCK_HASH_QUEUE
	TrustProxy      bool          // PADLOCK_TRUST_PROXY: take the client address from X-Forwarded-For
	LogLevel        string        // PADLOCK_LOG_LEVEL
	LogFormat       string        // PADLOCK_LOG_FORMAT
	DBTimeout       time.Duration // PADLOCK_DB_TIMEOUT: longest a request waits on the database; then 503
	DBMaxConns      int           // PADLOCK_DB_MAX_CONNS: PostgreSQL connections per node, open and idle
	ShutdownTimeout time.Duration // PADLOCK_SHUTDOWN_TIMEOUT: how long requests in flight may finish on SIGTERM
	APIRateLimit    int           // PADLOCK_API_RATE_LIMIT: requests per API key per 5 minutes, counted across nodes
}

// Default returns the settings used when nothing is configured.
func Default() Config {
	return Config{
		DataDir:         "padlock-data",
		Listen:          "127.0.0.1:8080",
		MailFrom:        "Padlock <padlock@localhost>",
		SessionIdle:     5 * time.Hour,
		SessionLifetime: 24 * time.Hour,
		InvitationTTL:   72 * time.Hour,
		HashConcurrency: runtime.NumCPU(),
		HashQueue:       runtime.NumCPU(), // a short line keeps accepted sign-ins fast under overload
		LogLevel:        "info",
		LogFormat:       "text",
		DBTimeout:       5 * time.Second,
		DBMaxConns:      32,
		ShutdownTimeout: 20 * time.Second,
		APIRateLimit:    3000,
	}
}

// setting binds one field to its environment variable and flag.
type setting struct {
	env, flag, help string
	value           flag.Value
}

func (c *Config) settings() []setting {
	return []setting{
		{"PADLOCK_DATABASE_URL", "database-url", "PostgreSQL URL (postgres://…); empty uses SQLite in the data directory", (*stringValue)(&c.DatabaseURL)},
		{"PADLOCK_DATA_DIR", "data-dir", "directory for the SQLite database, secret key and mail log", (*stringValue)(&c.DataDir)},
		{"PADLOCK_LISTEN", "listen", "host:port to listen on", (*stringValue)(&c.Listen)},
		{"PADLOCK_BASE_URL", "base-url", "public URL of this server, for links and cookie security (default http://LISTEN)", (*stringValue)(&c.BaseURL)},
		{"PADLOCK_SMTP_URL", "smtp-url", "smtp://user:pass@host:port for outgoing mail; empty writes mail to the mail log", (*stringValue)(&c.SMTPURL)},
		{"PADLOCK_MAIL_FROM", "mail-from", "From address of outgoing mail", (*stringValue)(&c.MailFrom)},
		{"PADLOCK_SECRET_KEY", "", "base64 of 32 random bytes shared by all nodes; default: generated in the data directory", (*stringValue)(&c.SecretKey)},
		{"PADLOCK_SESSION_IDLE", "session-idle", "idle timeout of sessions in new accounts", (*durationValue)(&c.SessionIdle)},
		{"PADLOCK_SESSION_LIFETIME", "session-lifetime", "absolute lifetime of sessions in new accounts", (*durationValue)(&c.SessionLifetime)},
		{"PADLOCK_INVITATION_TTL", "invitation-ttl", "how long an invitation link works", (*durationValue)(&c.InvitationTTL)},
		{"PADLOCK_HASH_CONCURRENCY", "hash-concurrency", "password hashes computed at once", (*intValue)(&c.HashConcurrency)},
		{"PADLOCK_HASH_QUEUE", "hash-queue", "password hashes that may wait; beyond this, 503", (*intValue)(&c.HashQueue)},
		{"PADLOCK_TRUST_PROXY", "trust-proxy", "take the client address from X-Forwarded-For (behind a load balancer)", (*boolValue)(&c.TrustProxy)},
		{"PADLOCK_LOG_LEVEL", "log-level", "debug, info, warn or error", (*stringValue)(&c.LogLevel)},
		{"PADLOCK_LOG_FORMAT", "log-format", "text or json", (*stringValue)(&c.LogFormat)},
		{"PADLOCK_DB_TIMEOUT", "db-timeout", "longest a request may wait on the database; beyond it, 503", (*durationValue)(&c.DBTimeout)},
		{"PADLOCK_DB_MAX_CONNS", "db-max-conns", "PostgreSQL connections a node keeps at most (open and idle)", (*intValue)(&c.DBMaxConns)},
		{"PADLOCK_SHUTDOWN_TIMEOUT", "shutdown-timeout", "how long requests in flight may finish after SIGTERM before they are cut off", (*durationValue)(&c.ShutdownTimeout)},
		{"PADLOCK_API_RATE_LIMIT", "api-rate-limit", "requests one API key may make per 5 minutes, across every node; beyond it, 429", (*intValue)(&c.APIRateLimit)},
	}
}

// Env lists the environment variables, for help text and the README.
func Env() []string {
	var c Config
	var out []string
	for _, s := range c.settings() {
		out = append(out, s.env)
	}
	return out
}

// Load reads the environment into c, then registers flags on fs that
// override it. Call fs.Parse, then Validate.
func (c *Config) Load(fs *flag.FlagSet, getenv func(string) string) error {
	var errs []error
	for _, s := range c.settings() {
		if v := getenv(s.env); v != "" {
			if err := s.value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %v", s.env, err))
			}
		}
		if s.flag != "" && fs != nil {
			fs.Var(s.value, s.flag, s.help+" ["+s.env+"]")
		}
	}
	return errors.Join(errs...)
}

// FromEnv is Load without flags, for commands that take none of these.
func FromEnv() (Config, error) {
	c := Default()
	err := c.Load(nil, os.Getenv)
	return c, err
}

// Validate checks every setting and reports all problems together. It fills
// BaseURL from Listen when unset.
func (c *Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("PADLOCK_DATABASE_URL", "must be a postgres:// URL, or empty for SQLite")
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		bad("PADLOCK_DATA_DIR", "must be set when no database URL is given")
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil {
		bad("PADLOCK_LISTEN", "must be host:port (%v)", err)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("PADLOCK_LISTEN", "port %q is not a number from 0 to 65535", port)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		bad("PADLOCK_BASE_URL", "must be an http:// or https:// URL without a query")
	}
	if c.SMTPURL != "" {
		if err := mail.ValidateSMTPURL(c.SMTPURL); err != nil {
			bad("PADLOCK_SMTP_URL", "%v", err)
		}
	}
	if _, err := netmail.ParseAddress(c.MailFrom); err != nil {
		bad("PADLOCK_MAIL_FROM", "must be an address like Padlock <padlock@example.com>")
	}
	// The same limits as Account > Settings, so a new account's defaults can
	// be saved there unchanged.
	if c.SessionIdle < 5*time.Minute || c.SessionIdle > 30*24*time.Hour {
		bad("PADLOCK_SESSION_IDLE", "must be between 5m and 720h")
	}
	if c.SessionLifetime < c.SessionIdle || c.SessionLifetime > 30*24*time.Hour || c.SessionLifetime%time.Hour != 0 {
		bad("PADLOCK_SESSION_LIFETIME", "must be whole hours, at least the idle timeout and at most 720h")
	}
	if c.InvitationTTL < time.Hour || c.InvitationTTL > 90*24*time.Hour {
		bad("PADLOCK_INVITATION_TTL", "must be between 1h and 2160h")
	}
	if c.HashConcurrency < 1 || c.HashConcurrency > 1024 {
		bad("PADLOCK_HASH_CONCURRENCY", "must be between 1 and 1024")
	}
	if c.HashQueue < 0 || c.HashQueue > 100000 {
		bad("PADLOCK_HASH_QUEUE", "must be between 0 and 100000")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("PADLOCK_LOG_LEVEL", "must be debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("PADLOCK_LOG_FORMAT", "must be text or json")
	}
	if c.DBTimeout < 100*time.Millisecond || c.DBTimeout > 5*time.Minute {
		bad("PADLOCK_DB_TIMEOUT", "must be between 100ms and 5m")
	}
	if c.DBMaxConns < 1 || c.DBMaxConns > 10000 {
		bad("PADLOCK_DB_MAX_CONNS", "must be between 1 and 10000")
	}
	if c.ShutdownTimeout < 0 || c.ShutdownTimeout > 10*time.Minute {
		bad("PADLOCK_SHUTDOWN_TIMEOUT", "must be between 0s and 10m")
	}
	if c.APIRateLimit < 1 || c.APIRateLimit > 1_000_000 {
		bad("PADLOCK_API_RATE_LIMIT", "must be between 1 and 1000000")
	}
	if c.SecretKey != "" {
		if _, err := DecodeSecretKey(c.SecretKey); err != nil {
			bad("PADLOCK_SECRET_KEY", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// DecodeSecretKey reads a secret key written as base64 of exactly 32
// bytes, the form of PADLOCK_SECRET_KEY and of the generated key file.
func DecodeSecretKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(key) != 32 {
		return nil, errors.New("must be base64 of exactly 32 bytes (openssl rand -base64 32)")
	}
	return key, nil
}

// SecureCookies tells whether the public URL is https, which decides the
// Secure flag and the __Host- prefix of cookies.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// WebAuthnRP is the WebAuthn relying party that passkeys are bound to: its
// ID is the host name of the base URL (no port), its origin the base URL's
// scheme, host and port. A passkey works only under the ID it was made for,
// so changing the base URL's host name later makes every registered passkey
// unusable (users sign in with their app or a recovery code and add them
// again). ok is false when the host is an IP address, which WebAuthn does
// not accept: passkeys are then unavailable.
func (c *Config) WebAuthnRP() (id, origin string, ok bool) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Hostname() == "" || net.ParseIP(u.Hostname()) != nil {
		return "", "", false
	}
	return strings.ToLower(u.Hostname()), u.Scheme + "://" + strings.ToLower(u.Host), true
}

type stringValue string

func (v *stringValue) Set(s string) error { *v = stringValue(s); return nil }
func (v *stringValue) String() string     { return string(*v) }

type durationValue time.Duration

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration like 5h or 30m", s)
	}
	*v = durationValue(d)
	return nil
}
func (v *durationValue) String() string { return time.Duration(*v).String() }

type intValue int

func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	*v = intValue(n)
	return nil
}
func (v *intValue) String() string { return strconv.Itoa(int(*v)) }

type boolValue bool

func (v *boolValue) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	*v = boolValue(b)
	return nil
}
func (v *boolValue) String() string   { return strconv.FormatBool(bool(*v)) }
func (v *boolValue) IsBoolFlag() bool { return true }
