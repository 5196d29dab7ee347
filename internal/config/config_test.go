package config

import (
	"flag"
	"os"
	"runtime"
	"strconv"
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
		"PADLOCK_SHUTDOWN_TIMEOUT": "-1s",
	}
	c := Default()
	if err := c.Load(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	err := c.Validate()
	if err == nil {
		t.Fatal("bad settings were accepted")
	}
	for _, name := range []string{"PADLOCK_DATABASE_URL", "PADLOCK_LISTEN", "PADLOCK_SESSION_IDLE", "PADLOCK_HASH_CONCURRENCY", "PADLOCK_LOG_LEVEL", "PADLOCK_SHUTDOWN_TIMEOUT"} {
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

func TestAMisspeltVariableIsRefusedWithTheNameItResembles(t *testing.T) {
	err := CheckEnviron([]string{
		"PATH=/usr/bin",
		"PADLOCK_DATABSE_URL=postgres://db/padlock",
		"PADLOCK_LISTEN=127.0.0.1:9000",
		"PADLOCK_SESION_IDLE=1h",
		"PADLOCK_FROBNICATE=1",
		"PADLOCK_SETUP_PASSWORD=x",
		"PADLOCK_TEST_POSTGRES_URL=postgres://",
	})
	if err == nil {
		t.Fatal("misspelt variables were accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"PADLOCK_DATABSE_URL: is not a Padlock setting; did you mean PADLOCK_DATABASE_URL?",
		"PADLOCK_SESION_IDLE: is not a Padlock setting; did you mean PADLOCK_SESSION_IDLE?",
		"PADLOCK_FROBNICATE: is not a Padlock setting",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	for _, known := range []string{"PADLOCK_LISTEN:", "PADLOCK_SETUP_PASSWORD", "PADLOCK_TEST_POSTGRES_URL", "PATH"} {
		if strings.Contains(msg, known) {
			t.Errorf("the error names %s, which is read:\n%s", known, msg)
		}
	}
	if strings.Contains(msg, "FROBNICATE: is not a Padlock setting; did you mean") {
		t.Errorf("a name like no setting got a suggestion:\n%s", msg)
	}
}

func TestEveryKnownVariableIsAccepted(t *testing.T) {
	var environ []string
	for _, name := range append(Env(), otherVariables...) {
		environ = append(environ, name+"=x")
	}
	if err := CheckEnviron(environ); err != nil {
		t.Fatal(err)
	}
}

func TestABadSecretKeyIsReportedWithTheOtherSettings(t *testing.T) {
	for _, key := range []string{"not base64!", "c2hvcnQ=" /* "short" */} {
		c := Default()
		c.SecretKey, c.LogLevel = key, "loud"
		err := c.Validate()
		if err == nil {
			t.Fatalf("secret key %q was accepted", key)
		}
		for _, name := range []string{"PADLOCK_SECRET_KEY", "PADLOCK_LOG_LEVEL"} {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("key %q: the error does not mention %s: %v", key, name, err)
			}
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("the error repeats the secret key: %v", err)
		}
	}
	c := Default()
	c.SecretKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	if err := c.Validate(); err != nil {
		t.Errorf("a good key was refused: %v", err)
	}
}

func TestTheREADMEDescribesEverySettingWithTheDefaultsOfTheCode(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{} // variable → its cells
	for _, line := range strings.Split(string(b), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 4 && strings.HasPrefix(strings.TrimSpace(cells[1]), "`PADLOCK_") {
			rows[strings.Trim(strings.TrimSpace(cells[1]), "`")] = cells[1:]
		}
	}
	for _, name := range Env() {
		if rows[name] == nil {
			t.Errorf("the README's configuration table has no row for %s", name)
		}
	}
	d := Default()
	if d.HashConcurrency != runtime.NumCPU() || d.HashQueue != runtime.NumCPU() {
		t.Fatalf("hash defaults %d and %d; this test expects the number of CPUs for both", d.HashConcurrency, d.HashQueue)
	}
	for _, name := range []string{"PADLOCK_HASH_CONCURRENCY", "PADLOCK_HASH_QUEUE"} {
		if row := rows[name]; row != nil && strings.TrimSpace(row[2]) != "number of CPUs" {
			t.Errorf("the README gives %s the default %q; the code uses the number of CPUs", name, strings.TrimSpace(row[2]))
		}
	}
	if row := rows["PADLOCK_API_RATE_LIMIT"]; row != nil && strings.TrimSpace(row[2]) != "`"+strconv.Itoa(d.APIRateLimit)+"`" {
		t.Errorf("the README gives PADLOCK_API_RATE_LIMIT the default %q; the code uses %d", strings.TrimSpace(row[2]), d.APIRateLimit)
	}
	if row := rows["PADLOCK_SHUTDOWN_TIMEOUT"]; row != nil && strings.TrimSpace(row[2]) != "`"+d.ShutdownTimeout.String()+"`" {
		t.Errorf("the README gives PADLOCK_SHUTDOWN_TIMEOUT the default %q; the code uses %v", strings.TrimSpace(row[2]), d.ShutdownTimeout)
	}
}

func TestWebAuthnRPComesFromTheBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base, id, origin string
		ok               bool
	}{
		{"https://padlock.example.com", "padlock.example.com", "https://padlock.example.com", true},
		{"https://Padlock.Example.com:8443/", "padlock.example.com", "https://padlock.example.com:8443", true},
		{"http://localhost:8080", "localhost", "http://localhost:8080", true},
		{"http://127.0.0.1:8080", "", "", false},
		{"http://[::1]:8080", "", "", false},
	} {
		c := Config{BaseURL: tc.base}
		id, origin, ok := c.WebAuthnRP()
		if id != tc.id || origin != tc.origin || ok != tc.ok {
			t.Errorf("%s: got %q %q %v, want %q %q %v", tc.base, id, origin, ok, tc.id, tc.origin, tc.ok)
		}
	}
}
