package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

const (
	// stepTimeout bounds one action, so a missing element fails and names
	// the step; a test has no budget of its own beyond its steps. A step
	// takes well under a second on a quiet machine; the bound is a minute
	// because a machine whose cores are busy with other work can starve
	// the browser for many seconds, and only a broken page should fail.
	stepTimeout = time.Minute
	// startTimeout bounds Chromium's start-up.
	startTimeout = time.Minute
)

// page is a browser tab pointed at one Padlock node. Its methods act as a
// person would (open, fill, choose, click) and fail the test with a
// screenshot when the page does not do what was expected.
type page struct {
	t     *testing.T
	tab   context.Context // the chromedp context of the tab, without a deadline
	base  string
	shots *screenshots
}

// screenshots numbers the PNGs of one test in the order they were taken.
type screenshots struct {
	dir  string
	n    int
	step string
}

// chromium is the one browser of the test process, started by the first
// test that needs it and stopped by TestMain. Each test works in browser
// contexts of its own (cookies and storage apart, as separate browsers), so
// sharing the process costs isolation nothing and saves a start per test.
var chromium struct {
	once    sync.Once
	ctx     context.Context // the first tab, which keeps the browser alive
	stop    func()
	profile string
	output  testenv.SyncBuffer
	err     error
}

func TestMain(m *testing.M) {
	testenv.WidenParallel()
	code := m.Run()
	if chromium.stop != nil {
		chromium.stop()
		os.RemoveAll(chromium.profile) // best effort: a straggling child may still write there
	}
	os.Exit(code)
}

// startChromium launches the shared headless Chromium once.
func startChromium(exe string) error {
	chromium.once.Do(func() {
		chromium.profile, chromium.err = os.MkdirTemp("", "padlock-chromium-")
		if chromium.err != nil {
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(exe),
			chromedp.Flag("headless", true),
			chromedp.Flag("no-sandbox", true),
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.WindowSize(1280, 900),
			chromedp.UserDataDir(chromium.profile),
			chromedp.CombinedOutput(&chromium.output),
		)
		tab, cancelTab := chromedp.NewContext(alloc)
		chromium.ctx, chromium.stop = tab, func() { cancelTab(); cancelAlloc() }
		// The first action starts Chromium and ties its life to the context
		// it is given, so start it without a deadline and stop a hung
		// start-up by hand.
		stop := time.AfterFunc(startTimeout, cancelAlloc)
		chromium.err = chromedp.Do(tab)
		stop.Stop()
	})
	if chromium.err != nil {
		return fmt.Errorf("start chromium: %w\n%s", chromium.err, chromium.output.String())
	}
	return nil
}

// startBrowser returns a tab in a fresh browser context of the shared
// Chromium (no cookies from any other test), closed when the test ends.
// Without Chromium the test is skipped, or fails in CI.
func startBrowser(t *testing.T, base string) *page {
	t.Helper()
	if err := startChromium(chromiumPath(t)); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, tab: chromium.ctx, base: base, shots: &screenshots{dir: screenshotDir(t)}}
	return p.newWindow()
}

// chromiumPath finds the browser: $PADLOCK_CHROMIUM, /usr/bin/chromium, or
// chromium on the PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PADLOCK_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if testenv.InCI() {
		t.Fatal("chromium not found: install it or set PADLOCK_CHROMIUM; browser tests must run in CI")
	}
	t.Skip("chromium not found; set PADLOCK_CHROMIUM to run the browser tests")
	return ""
}

// newWindow opens a tab in a fresh browser context of the same Chromium: no
// cookies, as another person's browser.
func (p *page) newWindow() *page {
	p.t.Helper()
	tab, cancel := chromedp.NewContext(p.tab, chromedp.WithNewBrowserContext())
	p.t.Cleanup(cancel)
	// As with the browser, the first action ties the tab's life to its
	// context: give it the tab's own and stop a hang by hand.
	stop := time.AfterFunc(stepTimeout, cancel)
	err := chromedp.Do(tab)
	stop.Stop()
	if err != nil {
		p.fatalf("open a new window: %v", err)
	}
	return &page{t: p.t, tab: tab, base: p.base, shots: p.shots}
}

// step names what the test does next, for screenshots and failure messages.
func (p *page) step(name string) { p.shots.step = name }

// open navigates to a path of the node and waits for the page to load.
func (p *page) open(path string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.base+path))
	p.shot("")
}

// fill types value into the field, as a keyboard would, replacing what was
// there.
func (p *page) fill(sel, value string) {
	p.t.Helper()
	p.do("fill "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Evaluate[chromedp.Void](`document.querySelector(`+jsString(sel)+`).value = ""`),
		chromedp.SendKeys(chromedp.CSS(sel), value))
	if got := run(p, "read "+sel, chromedp.Value(chromedp.CSS(sel))); got != value {
		p.fatalf("typed %q into %s but it holds %q", value, sel, got)
	}
}

// choose picks the option with the visible label in a select.
func (p *page) choose(sel, label string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const s = document.querySelector(%s);
		const o = s && [...s.options].find(o => o.text.trim() === %s);
		if (!o) return false;
		s.value = o.value;
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, jsString(sel), jsString(label))
	if !run(p, "choose "+label, chromedp.Evaluate[bool](js)) {
		p.fatalf("%s has no option %q", sel, label)
	}
}

// click clicks the element (a link or a submit button) and waits for the
// page it leads to.
func (p *page) click(sel string) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.fatalf("click %s: %v", sel, err)
	}
	p.shot("")
}

// toggle clicks an element that changes the page in place, such as the
// <summary> of a <details>, without waiting for another page to load.
func (p *page) toggle(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
	p.shot("")
}

// submit clicks the submit button of the form that holds sel.
func (p *page) submit(sel string) {
	p.t.Helper()
	p.click(sel + ` button[type="submit"]`)
}

// waitText waits until the element's visible text contains want.
func (p *page) waitText(sel, want string) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	var got string
	var err error
	for {
		got, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err == nil && strings.Contains(got, want) {
			return
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = errors.New("text does not match")
			}
			p.fatalf("want %s to contain %q, got %q: %v", sel, want, got, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// text waits until the element is shown and returns its visible text, as
// a person would select and copy it.
func (p *page) text(sel string) string {
	p.t.Helper()
	return strings.TrimSpace(run(p, "read "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// texts returns the visible text of every element matching sel now, in
// page order.
func (p *page) texts(sel string) []string {
	p.t.Helper()
	js := `[...document.querySelectorAll(` + jsString(sel) + `)].map(e => e.innerText.trim())`
	return run(p, "read "+sel, chromedp.Evaluate[[]string](js))
}

// attr returns an attribute of the element, or "" without it.
func (p *page) attr(sel, name string) string {
	p.t.Helper()
	return run(p, "read "+sel+" ["+name+"]", chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// value returns what a field holds.
func (p *page) value(sel string) string {
	p.t.Helper()
	return run(p, "read "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// count returns how many elements match sel now, without waiting.
func (p *page) count(sel string) int {
	p.t.Helper()
	return run(p, "count "+sel, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

// expectPath checks the path of the page the browser shows.
func (p *page) expectPath(want string) {
	p.t.Helper()
	if got := p.path(); got != want {
		p.fatalf("want to be on %s, but the browser shows %s", want, got)
	}
}

func (p *page) path() string {
	p.t.Helper()
	loc := run(p, "read the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		p.fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// do runs actions within the step's timeout, failing the test on an error.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// run runs one action that returns a value, failing the test on an error.
func run[T any](p *page, what string, action chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		p.fatalf("%s: %v", what, err)
	}
	return v
}

func (p *page) stepContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.tab, stepTimeout)
}

// fatalf saves a screenshot of the page as it is and fails the test.
func (p *page) fatalf(format string, args ...any) {
	p.t.Helper()
	path := p.shot("failed")
	p.t.Fatalf("step %q: %s\nscreenshot: %s", p.shots.step, fmt.Sprintf(format, args...), path)
}

// shot saves a full-page PNG of the tab as <nn>-<step>-<page>[-<suffix>].png and
// returns its path, or "" when that fails (it never fails the test).
func (p *page) shot(suffix string) string {
	p.t.Helper()
	if suffix == "" && !traceSteps {
		return ""
	}
	ctx, cancel := context.WithTimeout(p.tab, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Logf("screenshot: %v", err)
		return ""
	}
	s := p.shots
	s.n++
	name := fmt.Sprintf("%02d-%s", s.n, slug(s.step))
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		name += "-" + pageName(loc)
	}
	if suffix != "" {
		name += "-" + suffix
	}
	path := filepath.Join(s.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Logf("screenshot: %v", err)
		return ""
	}
	return path
}

// keep saves a full-page PNG of the tab as <name>.png beside the test's
// numbered screenshots, for a person to review whether or not the test
// passes, and fails the test when it cannot.
func (p *page) keep(name string) {
	p.t.Helper()
	png := run(p, "screenshot "+name, chromedp.FullScreenshot(100))
	path := filepath.Join(p.shots.dir, slug(name)+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.fatalf("save the screenshot %s: %v", name, err)
	}
	p.t.Logf("screenshot: %s", path)
}

// traceSteps keeps a screenshot after every page change, for following a
// test step by step; without it only failures and kept pages are saved,
// which keeps the suite fast.
var traceSteps = os.Getenv("PADLOCK_TEST_SCREENSHOTS") == "steps"

// screenshotDir empties and returns test-artifacts/browser/<test> at the
// repository root.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "test-artifacts", "browser", filepath.FromSlash(t.Name()))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// repoRoot walks up from the package directory to the one holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// pageName names a page after its path, leaving out single-use tokens.
func pageName(loc string) string {
	u, err := url.Parse(loc)
	if err != nil {
		return "page"
	}
	var parts []string
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "" && len(seg) <= 20 {
			parts = append(parts, seg)
		}
	}
	return slug(strings.Join(parts, "-"))
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	s = strings.Trim(nonWord.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if s == "" {
		return "page"
	}
	return s
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
