package loadtest

import (
	"bytes"
	"html"
	"regexp"
)

// The harness reads a list page's rows and its "Next" link from the HTML
// the templates write (internal/web/templates: users.html, activity.html
// and the "userPages" links of layout.html).
var (
	nextLinkRE = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
	userRowRE  = regexp.MustCompile(`<a href="/account/users/[0-9]+"`)
	eventRow   = []byte(`<tr data-id="`)
)

// nextLink is the page's "Next" link, "" on the last page.
func nextLink(page []byte) string {
	m := nextLinkRE.FindSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(string(m[1]))
}

// userRows counts the users a users list page shows.
func userRows(page []byte) int { return len(userRowRE.FindAllIndex(page, -1)) }

// eventRows counts the events an activity page shows.
func eventRows(page []byte) int { return bytes.Count(page, eventRow) }
