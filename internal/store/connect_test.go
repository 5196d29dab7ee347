package store

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func TestAPostgreSQLURLWithoutAConnectTimeoutGetsOne(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://u@db:5432/padlock":                                 "connect_timeout=10",
		"postgres://u@db:5432/padlock?sslmode=require":                 "connect_timeout=10",
		"postgres://u@db:5432/padlock?connect_timeout=3&sslmode=allow": "connect_timeout=3",
	} {
		got := withConnectTimeout(in)
		if !strings.Contains(got, want) || strings.Count(got, "connect_timeout") != 1 {
			t.Errorf("%s became %s, want one %s", in, got, want)
		}
	}
}

func TestOpeningADatabaseThatAcceptsAndNeverAnswersFailsInTime(t *testing.T) {
	defer func(was string) { defaultConnectTimeout = was }(defaultConnectTimeout)
	defaultConnectTimeout = "1"
	addr := silentServer(t)
	opened := make(chan error, 1)
	go func() {
		db, err := Open(context.Background(), "postgres://padlock@"+addr+"/padlock?sslmode=disable", "")
		if err == nil {
			db.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		if err == nil {
			t.Fatal("opened a database that never answered")
		}
		if !strings.Contains(err.Error(), "did not answer in time") {
			t.Errorf("the error does not say the database did not answer: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("still connecting after 10s to a database that never answers")
	}
}

// silentServer accepts TCP connections and never says a word; it returns
// its address.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}
