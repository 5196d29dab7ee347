package loadtest

import (
	"encoding/json"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Millis is a duration reported in milliseconds, in the table and the JSON.
type Millis float64

func toMillis(d time.Duration) Millis { return Millis(float64(d) / float64(time.Millisecond)) }

// MarshalJSON rounds to a hundredth of a millisecond.
func (m Millis) MarshalJSON() ([]byte, error) {
	return json.Marshal(math.Round(float64(m)*100) / 100)
}

// latencies collects request durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// addAll adds every duration of o.
func (l *latencies) addAll(o *latencies) {
	o.mu.Lock()
	d := slices.Clone(o.d)
	o.mu.Unlock()
	l.mu.Lock()
	l.d = append(l.d, d...)
	l.mu.Unlock()
}

func (l *latencies) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

// percentile returns the p-th percentile (0 < p ≤ 100) by the nearest-rank
// method, or 0 without samples.
func (l *latencies) percentile(p float64) Millis {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	return toMillis(s[max(rank, 1)-1])
}

func (l *latencies) mean() Millis {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range l.d {
		sum += d
	}
	return toMillis(sum / time.Duration(len(l.d)))
}

// Latency is the summary of a latency distribution.
type Latency struct {
	Count int    `json:"count"`
	P50   Millis `json:"p50_ms"`
	P99   Millis `json:"p99_ms"`
	Max   Millis `json:"max_ms"`
}

func (l *latencies) summary() Latency {
	return Latency{Count: l.count(), P50: l.percentile(50), P99: l.percentile(99), Max: l.percentile(100)}
}

// tally counts outcomes of a load while it runs, for progress lines and
// the final figures.
type tally struct {
	ok, refused, failed, transport atomic.Int64
}

func (t *tally) String() string {
	return formatTally(t.ok.Load(), t.refused.Load(), t.failed.Load(), t.transport.Load())
}

// rate is events per second over an elapsed time.
func rate(n int64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(n) / elapsed.Seconds()
}

// median is the middle of xs (the mean of the middle two for an even
// count), or 0 for none. Ratios measured round by round are summarized by
// their median, which a burst of other work on the machine during a few
// rounds does not move.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
