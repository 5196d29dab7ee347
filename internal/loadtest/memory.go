package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MiB is a memory size in mebibytes.
type MiB float64

// residentMiB reads a process's resident memory (VmRSS) from /proc.
func residentMiB(pid int) (MiB, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return MiB(float64(kb) / 1024), err
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}

// watcher samples a node while a load runs: its resident memory (every
// 20 ms unless asked otherwise), and its goroutines (from /metrics) every
// 250 ms. It keeps the peaks.
type watcher struct {
	mu         sync.Mutex
	peakRSS    MiB
	goroutines int
	stop       context.CancelFunc
	done       sync.WaitGroup
}

func watch(p *Process) *watcher { return newWatcher(p, 20*time.Millisecond, true) }

// watchMemory samples only the node's resident memory, every interval: a
// request for /metrics would itself take memory from the node.
func watchMemory(p *Process, interval time.Duration) *watcher { return newWatcher(p, interval, false) }

func newWatcher(p *Process, interval time.Duration, goroutines bool) *watcher {
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{stop: cancel}
	w.done.Add(1)
	go func() { defer w.done.Done(); every(ctx, interval, func() { w.sampleRSS(p.PID()) }) }()
	if goroutines {
		w.done.Add(1)
		go func() { defer w.done.Done(); every(ctx, 250*time.Millisecond, func() { w.sampleGoroutines(p.URL) }) }()
	}
	return w
}

func (w *watcher) sampleRSS(pid int) {
	if m, err := residentMiB(pid); err == nil {
		w.mu.Lock()
		w.peakRSS = max(w.peakRSS, m)
		w.mu.Unlock()
	}
}

func (w *watcher) sampleGoroutines(base string) {
	if n, err := goroutines(base); err == nil {
		w.mu.Lock()
		w.goroutines = max(w.goroutines, n)
		w.mu.Unlock()
	}
}

// finish stops sampling and returns the peaks.
func (w *watcher) finish() (MiB, int) {
	w.stop()
	w.done.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peakRSS, w.goroutines
}

// every calls fn now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var metricsClient = &http.Client{Timeout: 2 * time.Second}

// goroutines reads go_goroutines from a node's /metrics.
func goroutines(base string) (int, error) {
	resp, err := metricsClient.Get(base + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	s := bufio.NewScanner(resp.Body)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "go_goroutines "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("no go_goroutines in %s/metrics", base)
}
