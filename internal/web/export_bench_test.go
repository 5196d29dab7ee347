package web_test

import (
	"bytes"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// exportUsers is the size of the account the export benchmark reads.
const exportUsers = 50_000

// BenchmarkCSVExport is the server's cost of the users and activity CSV
// exports of an account of 50,000 staff users (and 50,000 events), in
// process and without a network: the whole handler, from the session to
// the last byte. Besides time, CPU and allocations, each reports
// extra-live-KiB: the most heap the export held at once beyond what the
// node held before it, read after a collection every 256 KiB written,
// while the handler is in the middle of the export; and peak-heap-KiB: how
// far the heap in use grew during an export left to the collector, which
// lets garbage grow to about the live heap (GOGC=100) before it runs.
//
//	go test -run '^$' -bench CSVExport -benchtime 5x ./internal/web/
func BenchmarkCSVExport(b *testing.B) {
	for _, d := range testenv.Dialects {
		if d == store.Postgres && os.Getenv(testenv.PostgresURLEnv) == "" {
			continue
		}
		b.Run(string(d), func(b *testing.B) {
			a := testenv.StartApp(b, string(d), testenv.Options{})
			admin := a.CreateAccount(b, "Acme IT", "admin@acme.test")
			seedStaff(b, a, admin.AccountID, exportUsers)
			seedEvents(b, a, admin.AccountID, exportUsers)
			c := a.NewClient()
			c.SignIn(b, "admin@acme.test", testenv.Password)
			cookie := &http.Cookie{Name: "padlock_session", Value: c.CookieValue("padlock_session")}
			export := func(path string, w http.ResponseWriter) {
				req := httptest.NewRequest(http.MethodGet, a.URL+path, nil)
				req.AddCookie(cookie)
				a.Web.ServeHTTP(w, req)
			}
			for _, e := range []struct {
				name, path string
				lines      int // the header, then a line per row
			}{
				{"users", "/account/users.csv", 1 + exportUsers + 1},
				// The events seeded and those of the set-up and sign-in.
				{"activity", "/account/activity.csv", -1},
			} {
				b.Run(e.name, func(b *testing.B) {
					b.ReportAllocs()
					cpu := startCPU()
					for b.Loop() {
						w := &csvSink{header: http.Header{}}
						export(e.path, w)
						if w.code != http.StatusOK || e.lines > 0 && w.lines != e.lines || w.lines < exportUsers {
							b.Fatalf("GET %s: %d, %d lines", e.path, w.code, w.lines)
						}
					}
					cpu.report(b)
					serve := func(w http.ResponseWriter) { export(e.path, w) }
					b.ReportMetric(float64(extraLiveHeap(serve))/1024, "extra-live-KiB")
					b.ReportMetric(float64(peakHeap(serve))/1024, "peak-heap-KiB")
				})
			}
		})
	}
}

// peakHeap runs serve once and returns how far the heap in use grew above
// its level after a collection just before: what the collector lets the
// export's garbage take before it runs, read every 256 KiB written.
func peakHeap(serve func(http.ResponseWriter)) uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	before, most := m.HeapInuse, m.HeapInuse
	w := &csvSink{header: http.Header{}, every: 256 << 10, sample: func() {
		runtime.ReadMemStats(&m)
		most = max(most, m.HeapInuse)
	}}
	serve(w)
	w.sample()
	return most - before
}

// extraLiveHeap runs serve once and returns the most live heap it held
// beyond the live heap before it, sampled after a collection every 256 KiB
// the handler writes (and once at its end).
func extraLiveHeap(serve func(http.ResponseWriter)) uint64 {
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := live()
	var most uint64
	w := &csvSink{header: http.Header{}, every: 256 << 10, sample: func() { most = max(most, live()) }}
	serve(w)
	w.sample()
	if most < before {
		return 0
	}
	return most - before
}

// csvSink is a response writer that keeps only the status and counts the
// lines and bytes written, calling sample every so many bytes.
type csvSink struct {
	header       http.Header
	code         int
	lines        int
	bytes, every int
	next         int
	sample       func()
}

func (w *csvSink) Header() http.Header { return w.header }

func (w *csvSink) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *csvSink) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.lines += bytes.Count(p, []byte("\n"))
	w.bytes += len(p)
	if w.sample != nil && w.bytes >= w.next {
		w.next = w.bytes + w.every
		w.sample()
	}
	return len(p), nil
}

// Flush lets the handler flush its batches as it would to a connection.
func (w *csvSink) Flush() {}

// seedEvents gives the account n audit events of its first user, in one
// statement over a connection of the benchmark's own.
func seedEvents(b *testing.B, a *testenv.TestApp, accountID int64, n int) {
	b.Helper()
	driver, dsn := "pgx", a.Config.DatabaseURL
	if a.DB.Dialect() == store.SQLite {
		driver, dsn = "sqlite", "file:"+filepath.Join(a.Config.DataDir, "padlock.db")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $2)
		INSERT INTO audit_events (account_id, actor_id, target_id, kind, detail, address, created_at)
		SELECT $1, (SELECT MIN(id) FROM users WHERE account_id = $1), 0, 'sign_in', 'password and app', '192.0.2.1', 1700000000 + i FROM seq`, accountID, n); err != nil {
		b.Fatal(err)
	}
	if a.DB.Dialect() == store.Postgres {
		if _, err := db.Exec(`ANALYZE`); err != nil { // as autovacuum would have
			b.Fatal(err)
		}
	}
}
