package e2e

import (
	"fmt"
	"os"
	"strings"

	"github.com/chromedp/chromedp"
)

// Screen sizes the layout is checked at: a phone (an iPhone 12 to 15 in
// portrait) and a laptop.
const (
	phoneWidth, phoneHeight   = 390, 844
	laptopWidth, laptopHeight = 1280, 900
)

// keepPages keeps a screenshot of every page the tour opens, for a person
// to review the layout (PADLOCK_TEST_SCREENSHOTS=pages, or =steps).
var keepPages = os.Getenv("PADLOCK_TEST_SCREENSHOTS") != ""

// asPhone makes the tab a phone's screen: 390 CSS pixels wide, with the
// phone's viewport rules and touch, until asLaptop.
func (p *page) asPhone() {
	p.t.Helper()
	p.do("emulate a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight))
}

// asLaptop makes the tab a laptop's screen, 1280 pixels wide.
func (p *page) asLaptop() {
	p.t.Helper()
	p.do("emulate a laptop", chromedp.EmulateViewport(laptopWidth, laptopHeight))
}

// overflow describes a page wider than the screen: the document's width
// and the element reaching farthest right (outside any box that scrolls or
// clips by itself, where there is one).
type overflow struct {
	ScrollWidth int    `json:"scrollWidth"`
	InnerWidth  int    `json:"innerWidth"`
	Widest      string `json:"widest"`
	Right       int    `json:"right"`
	Text        string `json:"text"`
}

func (o *overflow) String() string {
	return fmt.Sprintf("%d px wide on a %d px screen; widest: %s reaching %d px (%q)",
		o.ScrollWidth, o.InnerWidth, o.Widest, o.Right, o.Text)
}

// measureOverflow is nil when the page fits the screen's width.
const measureOverflow = `(() => {
	const vw = window.innerWidth, sw = document.documentElement.scrollWidth;
	if (sw <= vw) return null;
	const clipped = e => {
		for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
			if (getComputedStyle(a).overflowX !== "visible") return true;
		}
		return false;
	};
	const farthest = skip => {
		let widest = null, right = vw;
		for (const e of document.body.querySelectorAll("*")) {
			const x = e.getBoundingClientRect().right + window.scrollX;
			if (x > right + 0.5 && !skip(e)) { right = x; widest = e; }
		}
		return [widest, right];
	};
	// An element in a box that scrolls by itself widens nothing, unless it
	// is positioned out of that box: then take the farthest of all.
	let [widest, right] = farthest(clipped);
	if (!widest) [widest, right] = farthest(() => false);
	const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
		[...e.classList].map(c => "." + c).join("");
	const path = [];
	for (let e = widest; e && e !== document.body; e = e.parentElement) path.unshift(name(e));
	return {scrollWidth: sw, innerWidth: vw, widest: path.join(" > ") || "?", right: Math.round(right),
		text: widest ? widest.textContent.trim().replace(/\s+/g, " ").slice(0, 60) : ""};
})()`

// overflowing measures the page the tab shows, nil when it fits.
func (p *page) overflowing() *overflow {
	p.t.Helper()
	return run(p, "measure the page's width", chromedp.Evaluate[*overflow](measureOverflow))
}

// checkFitsThePhone fails the test when the page the tab shows on a
// phone's screen is wider than the screen, naming the element that sticks
// out. Where the page has a folded menu, it is opened and measured too:
// every link and Sign out must be on the screen.
func (p *page) checkFitsThePhone(name string) {
	p.t.Helper()
	if o := p.overflowing(); o != nil {
		p.t.Errorf("%s (%s): %s", name, p.path(), o)
	}
	if !p.visible("header details > summary") {
		return
	}
	p.toggle("header details > summary")
	if o := p.overflowing(); o != nil {
		p.t.Errorf("%s (%s), menu open: %s", name, p.path(), o)
	}
	if off := p.offScreen("header nav a, header nav button"); len(off) > 0 {
		p.t.Errorf("%s (%s), menu open: off the screen: %s", name, p.path(), strings.Join(off, ", "))
	}
	if keepPages {
		p.keep("phone " + name + " menu")
	}
}

// offScreen lists the elements matching sel that are shown but not wholly
// on the screen across.
func (p *page) offScreen(sel string) []string {
	p.t.Helper()
	js := `[...document.querySelectorAll(` + jsString(sel) + `)]
		.filter(e => e.checkVisibility())
		.filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > window.innerWidth; })
		.map(e => e.textContent.trim())`
	return run(p, "look for "+sel+" off the screen", chromedp.Evaluate[[]string](js))
}
