package testenv

import (
	"testing"
	"time"
)

// DeliverMail delivers every message queued so far, so a test can count the
// mail that arrived without waiting for the node's worker to poll. It sends
// what is due itself and returns once the outbox holds nothing unsent; a
// message the node's worker has in hand is left to it to finish. For tests
// in which no send is meant to fail.
func (a *TestApp) DeliverMail(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := a.Mail.DeliverDue(t.Context()); err != nil {
			t.Fatalf("deliver mail: %v", err)
		}
		n, err := a.DB.Conn().PendingMail(t.Context())
		if err != nil {
			t.Fatalf("pending mail: %v", err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d message(s) still unsent after 10s", n)
		}
		time.Sleep(time.Millisecond) // the node's worker is sending one
	}
}
