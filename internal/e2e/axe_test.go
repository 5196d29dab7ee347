package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeScript is axe-core, vendored for the tests by testdata/axe/update.sh
// at the version testdata/axe/package.json pins.
const axeScript = "testdata/axe/axe.min.js"

// axeTags are the rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeViolation is one rule axe-core found broken, with the elements that
// break it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	Targets []struct {
		Target  string `json:"target"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeColourRules are the rules whose answer depends on the colour scheme:
// the dark pass runs only these, since the rest see the same page.
var axeColourRules = []string{"color-contrast", "link-in-text-block"}

// axeRun runs axe-core on the page and lists what it finds, simplified:
// the rules of the tags, or the named rules when kind is "rule".
func axeRun(kind string, values []string) string {
	return `axe.run(document, {runOnly: {type: "` + kind + `", values: ` + jsStrings(values) + `}, resultTypes: ["violations"]})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => ({target: n.target.flat(Infinity).join(" "), summary: n.failureSummary}))})))`
}

// axe runs axe-core on the page the tab shows, injecting it once per page.
// The script goes in through the DevTools protocol, so the page's
// Content-Security-Policy, which allows no script but Padlock's own, does
// not stop it.
func (p *page) axe(script, kind string, values []string) []axeViolation {
	p.t.Helper()
	if !run(p, "look for axe-core", chromedp.Evaluate[bool](`typeof axe !== "undefined"`)) {
		p.do("inject axe-core", chromedp.Evaluate[chromedp.Void](script))
	}
	return run(p, "run axe-core", chromedp.Evaluate[[]axeViolation](axeRun(kind, values), chromedp.EvalAwaitPromise))
}

// colorScheme makes the tab prefer a light or a dark colour scheme, as an
// operating system set to it does, and reduced motion, so that colours
// change at once rather than through Pico's transitions, which axe-core
// would catch halfway.
func (p *page) colorScheme(scheme string) {
	p.t.Helper()
	p.do("prefer the "+scheme+" colour scheme", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{
				{Name: "prefers-color-scheme", Value: scheme},
				{Name: "prefers-reduced-motion", Value: "reduce"},
			},
		})
		return err
	}))
}

// axeScreens are the screens every page is checked on: a laptop's, the
// laptop in the dark colour scheme, whose colours are Padlock's and Pico's
// own (there only the colour rules run), and a phone's, last, where the
// page's width is measured too.
var axeScreens = []struct {
	name   string
	phone  bool
	scheme string
}{
	{"laptop", false, "light"},
	{"laptop in the dark scheme", false, "dark"},
	{"phone", true, "light"},
}

// TestEveryPageFitsAPhoneWithoutAccessibilityViolations takes the tour of
// every page once and checks each page two ways. axe-core runs on a
// laptop's screen, on a phone's and on the laptop in the dark colour
// scheme, and each rule of WCAG 2 A and AA a page breaks fails the test,
// naming the rule, the elements and the page. On the phone's screen the
// page must not be wider than the screen, and where it has a folded menu,
// the menu is opened and measured too: every link and Sign out on screen.
func TestEveryPageFitsAPhoneWithoutAccessibilityViolations(t *testing.T) {
	t.Parallel()
	script := readAxeCore(t)
	a := startNode(t, "sqlite")
	p := startBrowser(t, a.URL)
	n := runTour(t, p, a, func(name string) { p.checkPageOnEveryScreen(name, script) })
	t.Logf("%d pages checked by axe-core on %d screens and measured on a %d px screen", n, len(axeScreens), phoneWidth)
}

// checkPageOnEveryScreen runs axe-core on the page the tab shows on each
// of axeScreens and measures it on the phone's, failing the test for each
// violation and overflow; it leaves the tab on a laptop's light screen.
func (p *page) checkPageOnEveryScreen(name string, axeCore []byte) {
	p.t.Helper()
	for _, screen := range axeScreens {
		if screen.phone {
			p.asPhone()
		} else {
			p.asLaptop()
		}
		p.colorScheme(screen.scheme)
		kind, values := "tag", axeTags
		if screen.scheme == "dark" {
			kind, values = "rule", axeColourRules
		}
		for _, v := range p.axe(string(axeCore), kind, values) {
			p.t.Errorf("%s (%s) on a %s: %s", name, p.path(), screen.name, v)
		}
		if keepPages {
			p.keep(screen.name + " " + name)
		}
	}
	p.checkFitsThePhone(name) // the phone's screen is the last
	p.asLaptop()
	p.colorScheme("light")
}

// readAxeCore reads the vendored axe-core script.
func readAxeCore(t *testing.T) []byte {
	t.Helper()
	script, err := os.ReadFile(filepath.FromSlash(axeScript))
	if err != nil {
		t.Fatalf("read axe-core (run testdata/axe/update.sh): %v", err)
	}
	return script
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for _, n := range v.Targets {
		fmt.Fprintf(&b, "\n\t%s: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

// jsStrings writes a list of strings as a JavaScript array.
func jsStrings(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = jsString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
