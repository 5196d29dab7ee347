package web

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// Under overload the log gets one line a second about refused requests,
// saying how many went unlogged, instead of a line per refusal.
func TestRefusalsAreLoggedOnceASecondWithTheCountOfTheRest(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&out, nil))
	clock := time.Unix(1_000_000, 0)
	l := refusalLog{message: "request refused: unavailable", now: func() time.Time { return clock }}
	for range 500 {
		l.note(logger, "POST /login", nil)
	}
	clock = clock.Add(999 * time.Millisecond)
	l.note(logger, "POST /login", nil)
	clock = clock.Add(time.Millisecond)
	l.note(logger, "POST /login", nil)

	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines for 502 refusals over one second, want 2:\n%s", len(lines), out.String())
	}
	if !strings.Contains(lines[0], "refusals_not_logged_since_last_line=0") || !strings.Contains(lines[1], "refusals_not_logged_since_last_line=500") {
		t.Errorf("the lines do not count the refusals they stand for:\n%s", out.String())
	}
}
