package web_test

import (
	"bytes"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// createKey makes an API key on Account > API keys as the signed-in client
// and returns the key the page shows once.
func createKey(t *testing.T, c *testenv.Client, name string, access padlock.APIAccess, code string) string {
	t.Helper()
	status, _, body := c.PostForm(t, "/account/api-keys", url.Values{"name": {name}, "access": {string(access)}, "expires_days": {"90"}, "code": {code}})
	key := between(body, `<code id="api-key">`, "<")
	if status != http.StatusOK || !strings.HasPrefix(key, "pdk_") {
		t.Fatalf("create key %s: %d, key %q\n%s", name, status, key, between(body, "<main", "</main>"))
	}
	return key
}

func TestAnAPIKeyIsShownOnceAndStoredOnlyAsAHash(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, _ := signedInWithMFA(t, d)
		key := createKey(t, c, "nightly-report", padlock.APIRead, "")

		_, _, list := c.Get(t, "/account/api-keys")
		if strings.Contains(list, key) || !strings.Contains(list, key[:12]+"…") || !strings.Contains(list, "nightly-report") || !strings.Contains(list, "Read only") {
			t.Fatalf("the list shows the key again, or not its prefix:\n%s", between(list, "<main", "</main>"))
		}
		keys, err := allKeys(t, a)
		if err != nil || len(keys) != 1 || keys[0].Prefix != key[:12] || keys[0].ExpiresAt.IsZero() {
			t.Fatalf("stored keys: %+v, %v", keys, err)
		}
		stored := storedKeyHash(t, a)
		if len(stored) != 32 || bytes.Contains(stored, []byte(key)) {
			t.Fatalf("the stored key is not a hash: %q", stored)
		}
	})
}

// storedKeyHash reads the one key's stored hash over a connection of the
// test's own, as someone with a copy of the database would.
func storedKeyHash(t *testing.T, a *testenv.TestApp) []byte {
	t.Helper()
	driver, dsn := "pgx", a.Config.DatabaseURL
	if a.DB.Dialect() == store.SQLite {
		driver, dsn = "sqlite", "file:"+filepath.Join(a.Config.DataDir, "padlock.db")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored []byte
	if err := db.QueryRowContext(t.Context(), `SELECT key_hash FROM api_keys`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	return stored
}

// allKeys lists the keys of the test's only account.
func allKeys(t *testing.T, a *testenv.TestApp) ([]*padlock.APIKey, error) {
	t.Helper()
	admin, err := a.DB.Conn().CredentialsByEmail(t.Context(), "admin@acme.test")
	if err != nil {
		return nil, err
	}
	return a.DB.Conn().APIKeys(t.Context(), admin.User.AccountID)
}

func TestMakingAKeyNeedsASecondFactorProvedInTheLastFiveMinutes(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, e := signedInWithMFA(t, d)
		a.Clock.Advance(6 * time.Minute)
		form := url.Values{"name": {"ci"}, "access": {"read_write"}, "expires_days": {""}}
		if status, _, body := c.PostForm(t, "/account/api-keys", form); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="code-error"`) {
			t.Fatalf("without a code after six minutes: %d\n%s", status, between(body, "<main", "</main>"))
		}
		form.Set("code", "000000")
		if e.code(a, 0) == "000000" {
			form.Set("code", "111111")
		}
		if status, _, body := c.PostForm(t, "/account/api-keys", form); status != http.StatusUnprocessableEntity || strings.Contains(body, `id="api-key"`) {
			t.Fatalf("with a wrong code: %d", status)
		}
		if keys, _ := allKeys(t, a); len(keys) != 0 {
			t.Fatalf("a key was stored without the second factor: %+v", keys)
		}
		createKey(t, c, "ci", padlock.APIReadWrite, e.code(a, 0))
		keys, _ := allKeys(t, a)
		if len(keys) != 1 || keys[0].Access != padlock.APIReadWrite {
			t.Fatalf("stored: %+v", keys)
		}
	})
}

func TestAnAdministratorWithoutMFACannotMakeAKey(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		a.CreateAccount(t, "Acme IT", "admin@acme.test")
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		status, _, body := c.PostForm(t, "/account/api-keys", url.Values{"name": {"ci"}, "access": {"read"}, "code": {"123456"}})
		if status != http.StatusConflict || !strings.Contains(body, "Set up MFA for yourself first") {
			t.Fatalf("%d\n%s", status, between(body, "<main", "</main>"))
		}
	})
}

func TestAKeyFormRefusesBadValuesAndADuplicateName(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		_, c, _ := signedInWithMFA(t, d)
		for name, form := range map[string]url.Values{
			"an empty name":                  {"name": {" "}, "access": {"read"}},
			"a name with markup":             {"name": {"<b>x</b>"}, "access": {"read"}},
			"an unknown access":              {"name": {"x"}, "access": {"admin"}},
			"an expiry beyond two years":     {"name": {"x"}, "access": {"read"}, "expires_days": {"9999"}},
			"an expiry that is not a number": {"name": {"x"}, "access": {"read"}, "expires_days": {"soon"}},
		} {
			if status, _, body := c.PostForm(t, "/account/api-keys", form); status != http.StatusUnprocessableEntity || strings.Contains(body, `id="api-key"`) {
				t.Errorf("%s: %d", name, status)
			}
		}
		createKey(t, c, "nightly", padlock.APIRead, "")
		if status, _, _ := c.PostForm(t, "/account/api-keys", url.Values{"name": {"nightly"}, "access": {"read"}}); status != http.StatusConflict {
			t.Errorf("a second key named nightly: %d", status)
		}
	})
}

func TestRevokingAKeyAsksFirstAndIsAudited(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, c, _ := signedInWithMFA(t, d)
		createKey(t, c, "nightly", padlock.APIRead, "")
		keys, _ := allKeys(t, a)
		path := "/account/api-keys/" + itoa(keys[0].ID) + "/revoke"
		if status, _, body := c.Get(t, path); status != http.StatusOK || !strings.Contains(body, "Revoke nightly?") {
			t.Fatalf("confirmation: %d", status)
		}
		if status, loc, _ := c.PostForm(t, path, nil); status != http.StatusSeeOther || loc != "/account/api-keys" {
			t.Fatalf("revoke: %d %q", status, loc)
		}
		_, _, list := c.Get(t, "/account/api-keys")
		if !strings.Contains(list, "Revoked") || strings.Contains(list, `href="`+path+`"`) {
			t.Fatalf("the list after revoking:\n%s", between(list, "<main", "</main>"))
		}
		if status, _, _ := c.Get(t, "/account/api-keys/999999/revoke"); status != http.StatusNotFound {
			t.Fatalf("another key: %d", status)
		}
		events, _ := a.DB.Conn().Activity(t.Context(), keys[0].AccountID, store.ActivityFilter{Kinds: padlock.KindsOf("api-keys")})
		if len(events) != 2 || events[0].Kind != padlock.EventAPIKeyRevoked || events[1].Kind != padlock.EventAPIKeyCreated || events[0].ActorEmail != "admin@acme.test" {
			t.Fatalf("audit: %+v", events)
		}
	})
}

// seedAPIKey stores a key of the user's account, made by them, and returns
// its id: for tests of pages that need a key to show, whoever signs in.
func seedAPIKey(t *testing.T, a *testenv.TestApp, email string) int64 {
	t.Helper()
	c, err := a.DB.Conn().CredentialsByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	k := &padlock.APIKey{AccountID: c.User.AccountID, Name: "seeded-" + itoa(time.Now().UnixNano()), Prefix: "pdk_seeded00",
		Access: padlock.APIRead, CreatedBy: c.User.ID, CreatedAt: a.Clock.Now()}
	if err := a.DB.Conn().CreateAPIKey(t.Context(), k, []byte(k.Name)); err != nil {
		t.Fatal(err)
	}
	return k.ID
}
