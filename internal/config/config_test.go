package config

import (
	"flag"
	"strings"
	"testing"
	"time"
)

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	env := map[string]string{
		"PADLOCK_DATABASE_URL":     "mysql://x",
		"PADLOCK_LISTEN":           "nonsense",
		"PADLOCK_SESSION_IDLE":     "10s",
		"PADLOCK_HASH_CONCURRENCY": "0",
		"PADLOCK_LOG_LEVEL":        "loud",
	}
	c := Default()
	if err := c.Load(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("bad settings were accepted")
	}
	for _, name := range []string{"PADLOCK_DATABASE_URL", "PADLOCK_LISTEN", "PADLOCK_SESSION_IDLE", "PADLOCK_HASH_CONCURRENCY", "PADLOCK_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not mention %s: %v", name, err)
		}
	}
}

func TestAnUnparsableValueNamesItsVariable(t *testing.T) {
	c := Default()
	err := c.Load(nil, func(k string) string {
		if k == "PADLOCK_SESSION_LIFETIME" {
			return "a day"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "PADLOCK_SESSION_LIFETIME") {
		t.Fatalf("got %v", err)
	}
}

func TestFlagsOverrideTheEnvironmentAndDefaultsValidate(t *testing.T) {
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := c.Load(fs, func(k string) string {
		if k == "PADLOCK_LISTEN" {
			return "127.0.0.1:9000"
		}
		return ""
	}); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"-listen", "127.0.0.1:9100"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:9100" || c.BaseURL != "http://127.0.0.1:9100" {
		t.Fatalf("listen %q base %q", c.Listen, c.BaseURL)
	}
	if c.SecureCookies() {
		t.Fatal("http base URL asks for secure cookies")
	}
}

func TestTheDatabaseTimeoutAndPoolSizeDefaultAndAreBounded(t *testing.T) {
	c := Default()
	if c.DBTimeout != 5*time.Second || c.DBMaxConns != 32 {
		t.Fatalf("defaults: timeout %v, max conns %d", c.DBTimeout, c.DBMaxConns)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := c.Load(fs, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"-db-timeout", "2s", "-db-max-conns", "8"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil || c.DBTimeout != 2*time.Second || c.DBMaxConns != 8 {
		t.Fatalf("flags: %v, timeout %v, max conns %d", err, c.DBTimeout, c.DBMaxConns)
	}
	for name, bad := range map[string]func(*Config){
		"PADLOCK_DB_TIMEOUT":   func(c *Config) { c.DBTimeout = 0 },
		"PADLOCK_DB_MAX_CONNS": func(c *Config) { c.DBMaxConns = 0 },
	} {
		c := Default()
		bad(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s out of range: %v", name, err)
		}
	}
}
