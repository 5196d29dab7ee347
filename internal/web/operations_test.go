package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/padlock-mfa/padlock/internal/auth"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestHealthReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		c := a.NewClient()
		for _, path := range []string{"/healthz", "/readyz"} {
			if status, _, _ := c.Get(t, path); status != http.StatusOK {
				t.Errorf("%s: %d", path, status)
			}
		}
		status, _, body := c.Get(t, "/metrics")
		if status != http.StatusOK || !strings.Contains(body, "padlock_http_requests_total") || !strings.Contains(body, "padlock_password_hashes_running") {
			t.Fatalf("/metrics: %d", status)
		}
		a.DB.Close()
		if status, _, _ := c.Get(t, "/readyz"); status != http.StatusServiceUnavailable {
			t.Fatalf("/readyz with the database closed: %d", status)
		}
	})
}

// Beyond the hash queue, sign-ins are refused at once with 503 and
// Retry-After instead of piling up.
func TestSignInsBeyondTheHashQueueGetAQuick503(t *testing.T) {
	t.Parallel()
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	a.CreateAccount(t, "Acme IT", "admin@acme.test")
	a.Auth.Hasher = auth.NewHasher(auth.DefaultHashParams, 1, 0)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		statuses = map[int]int{}
		retry    bool
	)
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("POST", a.URL+"/login", strings.NewReader(url.Values{"email": {"admin@acme.test"}, "password": {testenv.Password}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			retry = retry || resp.Header.Get("Retry-After") != ""
			mu.Unlock()
		}()
	}
	wg.Wait()
	if statuses[http.StatusSeeOther] == 0 || statuses[http.StatusServiceUnavailable] == 0 || !retry {
		t.Fatalf("statuses %v, Retry-After seen %v: want some sign-ins and some quick 503s", statuses, retry)
	}
	if statuses[http.StatusInternalServerError] > 0 {
		t.Fatalf("500s under load: %v", statuses)
	}
}
