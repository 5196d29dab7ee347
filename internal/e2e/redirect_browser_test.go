package e2e

import (
	"net/url"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// TestSigningInWithAControlCharacterInNextStaysOnPadlock signs in from a
// link whose next hides a second slash behind a tab or a line break, which
// a browser drops: the browser must ask no other host for anything and end
// signed in on Padlock.
func TestSigningInWithAControlCharacterInNextStaysOnPadlock(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := startNode(t, d)
		a.CreateAccount(t, "Acme IT", adminEmail)
		home, err := url.Parse(a.URL)
		if err != nil {
			t.Fatal(err)
		}
		first := startBrowser(t, a.URL)
		for _, next := range []string{"/%09/evil.example", "/%0d/evil.example", "/%0a/evil.example"} {
			p := first.newWindow() // a browser without a session each time
			requested := p.requestedURLs()
			p.step("sign in from a link with next=" + next)
			p.open("/login?next=" + next)
			p.fill("#email", adminEmail)
			p.fill("#password", testenv.Password)
			p.expectToStayOn(home, next, requested, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))

			p.step("follow the link again, signed in")
			p.expectToStayOn(home, next, requested, chromedp.Navigate(a.URL+"/login?next="+next))
		}
	})
}

// expectToStayOn runs an action that navigates and checks that the browser
// asked no other host than home's for anything and ended signed in on
// /organizations. Leaving for a host that does not exist fails the
// navigation, so the error is reported, not fatal.
func (p *page) expectToStayOn(home *url.URL, next string, requested func() []string, action chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := p.stepContext()
	_, navErr := chromedp.RunResponse(ctx, action)
	cancel()
	for _, r := range requested() {
		if u, err := url.Parse(r); err != nil || u.Host != home.Host {
			p.fatalf("next=%s: the browser asked for %q (navigation: %v), want only %s", next, r, navErr, home.Host)
		}
	}
	loc := run(p, "read the location", chromedp.Location())
	if u, err := url.Parse(loc); err != nil || u.Host != home.Host {
		p.fatalf("next=%s: the browser ended on %q (navigation: %v), want %s", next, loc, navErr, home.Host)
	}
	p.shot("")
	p.expectPath("/organizations")
}

// requestedURLs records the address of every request the tab sends from
// now on; the function it returns lists them so far.
func (p *page) requestedURLs() func() []string {
	p.t.Helper()
	var mu sync.Mutex
	var urls []string
	err := chromedp.Listen(p.tab, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
			mu.Lock()
			urls = append(urls, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		p.fatalf("listen for requests: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), urls...)
	}
}
