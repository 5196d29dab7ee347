package loadtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// Report is every figure of one run.
type Report struct {
	Started   time.Time         `json:"started"`
	Machine   Machine           `json:"machine"`
	Database  string            `json:"database"`
	Version   string            `json:"padlock_version"`
	Users     int               `json:"users"`
	Settings  Settings          `json:"settings"`
	Hash      HashFigures       `json:"hash"`
	SignIns   SignInFigures     `json:"sign_ins"`
	Failed    FailedFigures     `json:"failed_sign_ins"`
	Pages     PageFigures       `json:"pages"`
	Lists     *ListFigures      `json:"users_lists,omitempty"`
	Overload  []OverloadFigures `json:"overload"`
	MultiNode *MultiNodeFigures `json:"multi_node,omitempty"`
	Goals     []Goal            `json:"goals"`
	Notes     []string          `json:"notes,omitempty"`
}

// Machine describes where the figures were measured.
type Machine struct {
	CPUs         int    `json:"cpus"`
	Model        string `json:"cpu_model"`
	MemoryMiB    int    `json:"memory_mib"`
	Go           string `json:"go"`
	LoadAvgStart string `json:"loadavg_start"`
	LoadAvgEnd   string `json:"loadavg_end"`
	// OtherCPU is the share (%) of all cores that processes other than the
	// harness and its children used during the run: PostgreSQL, and any
	// other work on a shared machine.
	OtherCPU float64 `json:"other_processes_cpu_percent"`
}

// Settings are the knobs the figures were measured with.
type Settings struct {
	Duration    string   `json:"duration_per_figure"`
	Rounds      int      `json:"rounds"`
	Clients     int      `json:"sign_in_clients"`
	PageClients int      `json:"page_clients"`
	HashSlots   int      `json:"node_hash_concurrency"`
	HashQueue   int      `json:"node_hash_queue"`
	NodeEnv     []string `json:"node_env,omitempty"`
	ListSizes   []int    `json:"list_sizes,omitempty"`
}

// HashFigures is H: password verifications per second at the production
// argon2id parameters, one per core at once, without HTTP or a database.
type HashFigures struct {
	PerSecond float64 `json:"per_second"`
	Each      Millis  `json:"each_ms"` // mean time of one verification with every core hashing
	Workers   int     `json:"workers"`
}

// SignInFigures are full sign-ins (password, then TOTP code) over HTTP.
type SignInFigures struct {
	PerSecond   float64   `json:"per_second"`
	Latency     Latency   `json:"latency"`
	Password    Latency   `json:"password_step_latency"`
	RatioToHash float64   `json:"ratio_to_h"` // pooled over the rounds
	RoundRatios []float64 `json:"round_ratios"`
	MedianRatio float64   `json:"median_ratio"`
	// CPURatio is the node's CPU per sign-in ÷ the CPU of one hash, the
	// median of the rounds': what the sign-in costs beyond its hash.
	CPURatio       float64   `json:"cpu_ratio"`
	RoundCPURatios []float64 `json:"round_cpu_ratios"`
	Refused        int64     `json:"refused"`
	Failed         int64     `json:"failed"`
	Transport      int64     `json:"transport_errors"`
	PeakRSS        MiB       `json:"server_peak_rss_mib"`
}

// FailedFigures are refused sign-ins: wrong passwords of known users and
// unknown emails, under load and one at a time.
type FailedFigures struct {
	PerSecond  float64 `json:"per_second"`
	Known      Latency `json:"known_email_latency"`
	Unknown    Latency `json:"unknown_email_latency"`
	OneKnown   Latency `json:"one_at_a_time_known"`
	OneUnknown Latency `json:"one_at_a_time_unknown"`
	Errors     int64   `json:"errors"`
	// WrongAnswers are the errors that were answers other than the refusal
	// expected (not a 503, nor no answer at all).
	WrongAnswers int64 `json:"wrong_answers"`
}

// PageFigures compare B, a bare handler, with an authenticated page.
type PageFigures struct {
	Path         string    `json:"path"`
	BarePerSec   float64   `json:"bare_per_second"`
	AuthPerSec   float64   `json:"authenticated_per_second"`
	Ratio        float64   `json:"ratio"` // pooled over the rounds
	RoundRatios  []float64 `json:"round_ratios"`
	MedianRatio  float64   `json:"median_ratio"`
	BareLatency  Latency   `json:"bare_latency"`
	AuthLatency  Latency   `json:"authenticated_latency"`
	Errors       int64     `json:"errors"`
	BytesPerPage int64     `json:"bytes_per_page"`
	// The same session check and policy answering JSON, without a page.
	APIPath    string  `json:"api_path"`
	APIPerSec  float64 `json:"api_per_second"`
	APILatency Latency `json:"api_latency"`
	APIRatio   float64 `json:"api_ratio"`
	// The CPU per request, in µs, of the node and of the harness's client
	// while the page was loaded, and of the bare handler and the client
	// while B was: pooled over the rounds, read from the kernel's
	// accounting of each process.
	ServerCPU     float64 `json:"server_cpu_us_per_page"`
	ClientCPU     float64 `json:"client_cpu_us_per_page"`
	BareServerCPU float64 `json:"bare_server_cpu_us_per_request"`
	BareClientCPU float64 `json:"bare_client_cpu_us_per_request"`
}

// ListFigures are Account > Users of accounts of several sizes, each read
// one request at a time by the account's Administrator, on a node that has
// hashed no password.
type ListFigures struct {
	Sizes []UsersListFigures `json:"sizes"` // smallest first
	// FirstPageRatio is the first page's p50 in the largest account ÷ in
	// the smallest, the median of the rounds' ratios (0 with one size).
	FirstPageRatio  float64          `json:"first_page_p50_ratio_largest_to_smallest"`
	FirstPageRounds []float64        `json:"first_page_round_ratios"`
	Activity        *ActivityFigures `json:"activity_first_page,omitempty"` // of the largest account
	IdleRSS         MiB              `json:"server_idle_rss_mib"`           // the node's, when it started
}

// UsersListFigures are one account's users list, its filters and its CSV
// export.
type UsersListFigures struct {
	Users      int     `json:"users_in_account"` // staff, the Administrator included
	WithoutMFA int     `json:"users_without_mfa"`
	Overdue    int     `json:"users_overdue"`
	Pages      int     `json:"pages_in_list"`
	FirstPage  Latency `json:"first_page_latency"`
	// LaterPages are pages reached by following the list's "Next" links
	// from the first (PagesWalked of them), then loaded again at random.
	LaterPages  Latency `json:"later_pages_latency"`
	PagesWalked int     `json:"pages_walked"`
	NotSetUp    Latency `json:"filter_not_set_up_latency"`
	OverdueOnly Latency `json:"filter_overdue_latency"`
	// AllViews is every page view above together: what the goal judges.
	AllViews     Latency `json:"every_page_view_latency"`
	BytesPerPage int64   `json:"first_page_bytes"`
	CSV          Latency `json:"csv_latency"`
	CSVBytes     int64   `json:"csv_bytes"`
	CSVRows      int     `json:"csv_rows"`
	// CSVExtraRSS is the node's peak resident memory during the exports
	// minus its resident memory just before them.
	CSVIdleRSS  MiB   `json:"csv_idle_rss_mib"`
	CSVPeakRSS  MiB   `json:"csv_peak_rss_mib"`
	CSVExtraRSS MiB   `json:"csv_extra_rss_mib"`
	Errors      int64 `json:"errors"`
}

// ActivityFigures are the first page of Account > Activity of an account
// with about one event per user.
type ActivityFigures struct {
	Users        int     `json:"users_in_account"`
	FirstPage    Latency `json:"first_page_latency"`
	BytesPerPage int64   `json:"first_page_bytes"`
	Errors       int64   `json:"errors"`
}

// OverloadFigures are sign-ins offered at a multiple of the sustainable rate.
type OverloadFigures struct {
	Multiple       float64 `json:"multiple_of_sign_in_rate"`
	HashQueue      int     `json:"node_hash_queue"`
	OfferedPerSec  float64 `json:"offered_per_second"`
	AcceptedPerSec float64 `json:"accepted_per_second"`
	Sent           int64   `json:"sent"`
	Refused        Latency `json:"refused_503"`
	Accepted       Latency `json:"accepted_sign_ins"`
	AcceptedPwd    Latency `json:"accepted_password_step"`
	Failed         int64   `json:"failed"`
	Transport      int64   `json:"transport_errors"`
	PeakRSS        MiB     `json:"server_peak_rss_mib"`
	IdleRSS        MiB     `json:"server_idle_rss_mib"`
	MaxGoroutines  int     `json:"server_max_goroutines"`
	AcceptedGoal   Millis  `json:"accepted_p99_goal_ms"`
	// Goodput is the accepted sign-ins per second ÷ H: how much of the
	// hash capacity still signs people in under overload.
	Goodput float64 `json:"goodput_ratio_to_h"`
	// SlowestAnswer is the longest any single request waited for its
	// answer, of any kind (a sign-in step, a 503, no answer at all).
	SlowestAnswer    Millis `json:"slowest_answer_ms"`
	SlowestAnswerWas string `json:"slowest_answer_was"`
	// RSSBound is what the node may hold at most: 25% above its peak under
	// the sign-in load at 1×, which the same hash slots bound.
	RSSBound MiB `json:"rss_bound_mib"`
}

// MultiNodeFigures are sign-ins through a load balancer to 1, then 2 nodes.
type MultiNodeFigures struct {
	Balancer string   `json:"balancer"`
	Shared   Scaling  `json:"sharing_all_cores"`
	Pinned   *Scaling `json:"one_core_per_node,omitempty"`
}

// Scaling is the sign-in rate of one node and of two.
type Scaling struct {
	One         float64   `json:"one_node_per_second"`
	Two         float64   `json:"two_nodes_per_second"`
	Ratio       float64   `json:"ratio"` // pooled over the rounds
	RoundRatios []float64 `json:"round_ratios"`
	MedianRatio float64   `json:"median_ratio"`
	Failures    int64     `json:"failures"` // refused (503), wrong answers and no answers
	// WrongAnswers are the failures that were answers other than a
	// refusal: not what a node on busy cores may give, but a fault.
	WrongAnswers int64 `json:"wrong_answers"`
}

// Goal is one of the targets in docs/PERFORMANCE.md, with what was measured.
type Goal struct {
	Name     string `json:"name"`
	Target   string `json:"target"`
	Measured string `json:"measured"`
	Met      bool   `json:"met"`
}

// WriteJSON writes the report to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// padlockVersion is the commit the harness was built from, with "+changes"
// for a work tree that differed from it: as Go recorded it in the binary
// or, under `go run`, which records none, as git tells.
func padlockVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return gitVersion()
	}
	rev, modified := "", ""
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			modified = "+changes"
		}
	}
	if rev == "" {
		return gitVersion()
	}
	return rev + modified
}

func gitVersion() string {
	rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	v := strings.TrimSpace(string(rev))
	if status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(status) > 0 {
		v += "+changes"
	}
	return v
}

func describeMachine() Machine {
	return Machine{CPUs: runtime.NumCPU(), Model: cpuModel(), MemoryMiB: memoryMiB(), Go: runtime.Version(), LoadAvgStart: loadAvg()}
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

func memoryMiB() int {
	b, _ := os.ReadFile("/proc/meminfo")
	var kb int
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb = atoiPrefix(strings.TrimSpace(v))
		}
	}
	return kb / 1024
}

func atoiPrefix(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// loadAvg is the first three fields of /proc/loadavg: other work on the
// machine shows here.
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
