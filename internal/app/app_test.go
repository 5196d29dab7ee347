package app_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/padlock-mfa/padlock/internal/app"
	"github.com/padlock-mfa/padlock/internal/config"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

func TestShutdownDrainsReadinessBeforeItStopsServing(t *testing.T) {
	a := testenv.StartApp(t, "sqlite", testenv.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, l) }()
	c := testenv.NewClientFor("http://" + l.Addr().String())
	if status, _, _ := c.Get(t, "/readyz"); status != http.StatusOK {
		t.Fatalf("/readyz while serving: %d", status)
	}
	cancel() // what SIGTERM does to `padlock serve`
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not return")
	}
	rec := httptest.NewRecorder()
	a.Web.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz after shutdown began: %d", rec.Code)
	}
}

func TestThePostgreSQLPoolTakesItsSizeFromTheSettings(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		if d != string(store.Postgres) {
			t.Skip("SQLite keeps its own pool")
		}
		cfg := config.Default()
		cfg.DataDir, cfg.DatabaseURL, cfg.DBMaxConns = t.TempDir(), testenv.DatabaseURL(t, store.Postgres), 3
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if got := a.DB.MaxConns(); got != 3 {
			t.Fatalf("pool of %d connections, want 3", got)
		}
	})
}
