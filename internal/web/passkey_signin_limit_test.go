package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
	"github.com/padlock-mfa/padlock/internal/testenv/webauthntest"
)

// passkeyNodes starts two nodes with host names over one database of the
// dialect, behind a trusted proxy (the client address is the last hop of
// X-Forwarded-For), with one clock.
func passkeyNodes(t *testing.T, d string) (*testenv.TestApp, *testenv.TestApp) {
	t.Helper()
	o := testenv.Options{SMTP: testenv.StartSMTP(t), Clock: testenv.NewClock(), Localhost: true, TrustProxy: true}
	if d == "postgres" {
		o.DatabaseURL = testenv.MigratedDatabaseURL(t)
	} else {
		o.DataDir = t.TempDir()
	}
	one := testenv.StartApp(t, d, o)
	return one, testenv.StartApp(t, d, o)
}

// beginFrom asks for a passkey sign-in challenge as the sign-in page's
// script does, from the client address given (through the proxy).
func beginFrom(t *testing.T, c *testenv.Client, address string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", c.Base+"/login/passkey/begin", nil)
	req.Header.Set("Origin", c.Base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Accept", "application/json")
	return sendFrom(t, c, req, address)
}

// raceStatuses sends n requests at once, by send, from new clients of the
// nodes in turn, and counts the answers by status.
func raceStatuses(nodes []*testenv.TestApp, n int, send func(*testenv.Client) int) map[int]int {
	statuses := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		c := nodes[i%len(nodes)].NewClient()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses <- send(c)
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	return got
}

// sendFrom sends req as the client whose address the trusted proxy
// forwards, and returns the answer's status, header and body.
func sendFrom(t *testing.T, c *testenv.Client, req *http.Request, address string) (int, http.Header, string) {
	t.Helper()
	req.Header.Set("X-Forwarded-For", address)
	resp, err := c.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// A client may hold only testenv.PendingSignInsPerClient unanswered
// challenges, counted in the database for every node: then it is answered
// 429 with Retry-After until the earliest expires. An answer frees its
// place, and a browser asking again replaces its own challenge. Other
// addresses are not held up.
func TestOneClientHoldsOnlyAFewPasskeySignInChallengesOnEveryNode(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		one, two := passkeyNodes(t, d)
		nodes := []*testenv.TestApp{one, two}
		one.CreateAccount(t, "Acme IT", "admin@acme.test")
		admin := one.NewClient()
		admin.SignIn(t, "admin@acme.test", testenv.Password)
		au := webauthntest.New(one.URL)
		key, _ := addPasskey(t, admin, au, "Laptop")

		const office = "203.0.113.7"
		var signer, again *testenv.Client
		var signerOptions string
		for i := 0; i < testenv.PendingSignInsPerClient; i++ {
			c := nodes[i%2].NewClient()
			status, _, body := beginFrom(t, c, "198.51.100.1, "+office)
			if status != http.StatusOK || !strings.Contains(body, `"challenge"`) {
				t.Fatalf("challenge %d: %d %s", i+1, status, body)
			}
			switch i {
			case 0:
				signer, signerOptions = c, body
			case 1:
				again = c
			}
		}
		for _, node := range nodes {
			status, header, body := beginFrom(t, node.NewClient(), office)
			var refusal struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			json.Unmarshal([]byte(body), &refusal)
			if status != http.StatusTooManyRequests || header.Get("Retry-After") != "300" || refusal.Error.Code != padlock.ERATELIMITED ||
				!strings.Contains(refusal.Error.Message, "Try again in 5 minutes, or sign in with your email and password") {
				t.Fatalf("one more challenge from the office at %s: %d, Retry-After %q, %s", node.URL, status, header.Get("Retry-After"), body)
			}
		}
		// Another address, and another IPv6 /64, are not held up; the
		// same /64 is one client.
		for _, addr := range []string{"192.0.2.44", "2001:db8:1:2::1", "2001:db8:1:2::ffff"} {
			if status, _, body := beginFrom(t, two.NewClient(), addr); status != http.StatusOK {
				t.Fatalf("a challenge from %s: %d %s", addr, status, body)
			}
		}
		// A browser asking again gets a new challenge in place of its own.
		if status, _, body := beginFrom(t, again, office); status != http.StatusOK {
			t.Fatalf("a browser of the office asking again: %d %s", status, body)
		}
		if status, _, _ := beginFrom(t, one.NewClient(), office); status != http.StatusTooManyRequests {
			t.Fatalf("after a browser asked again, a new one from the office: %d, want still 429", status)
		}
		// An answer uses up its challenge and frees its place.
		answer, err := au.Get(signerOptions, key)
		if err != nil {
			t.Fatal(err)
		}
		if status, loc, _ := postPasskeySignIn(t, signer, "", answer); status != http.StatusSeeOther || loc != "/settings" {
			t.Fatalf("the office's sign-in with a passkey: %d %q", status, loc)
		}
		if status, _, body := beginFrom(t, two.NewClient(), office); status != http.StatusOK {
			t.Fatalf("after an answer freed a place: %d %s", status, body)
		}
		if status, _, _ := beginFrom(t, two.NewClient(), office); status != http.StatusTooManyRequests {
			t.Fatalf("the freed place taken, one more: %d, want 429", status)
		}
		// When the challenges expire the office may ask again.
		one.Clock.Advance(5*time.Minute + time.Second)
		if status, _, body := beginFrom(t, one.NewClient(), office); status != http.StatusOK {
			t.Fatalf("after the challenges expired: %d %s", status, body)
		}
	})
}

// Challenges asked for at once from one address on two nodes are counted
// one after another: exactly the cap gets one.
func TestRacingPasskeySignInChallengesFromOneAddressStopAtTheCap(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		one, two := passkeyNodes(t, d)
		nodes := []*testenv.TestApp{one, two}
		n := 2 * testenv.PendingSignInsPerClient
		got := raceStatuses(nodes, n, func(c *testenv.Client) int {
			status, _, _ := beginFrom(t, c, "203.0.113.50")
			return status
		})
		if got[http.StatusOK] != testenv.PendingSignInsPerClient || got[http.StatusTooManyRequests] != n-testenv.PendingSignInsPerClient {
			t.Fatalf("%d racing requests from one address: %v, want %d challenges and the rest 429", n, got, testenv.PendingSignInsPerClient)
		}
	})
}
