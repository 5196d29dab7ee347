package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

var (
	nextLink   = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)
	rowLinkFor = func(prefix string) *regexp.Regexp {
		return regexp.MustCompile(`<a href="` + regexp.QuoteMeta(prefix) + `\d+">(?:<svg[^>]*>.*?</svg>)? ?([^<]+)</a>`)
	}
)

// walkPages follows a list's Next links from path and returns the names
// of every row in the order shown, failing on a page over the page size.
func walkPages(t *testing.T, c *testenv.Client, path, rowPrefix string) []string {
	t.Helper()
	var names []string
	for pages := 0; path != ""; pages++ {
		if pages > 10 {
			t.Fatalf("more than 10 pages from %s", path)
		}
		status, _, body := c.Get(t, path)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, status)
		}
		rows := rowNames(body, rowPrefix)
		if len(rows) > 50 {
			t.Fatalf("GET %s shows %d rows, more than a page", path, len(rows))
		}
		names = append(names, rows...)
		path = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return names
}

// The organizations list and an organization's documents list show fifty
// rows a page; following Next visits every row once, in order, including
// documents that share a title, and the portal's list only shared ones.
func TestOrganizationsAndDocumentsListsPageByKey(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		ctx := t.Context()
		var orgNames []string
		var first *padlock.Organization
		for i := range 73 {
			o, err := a.Docs.CreateOrganization(ctx, actor(admin), fmt.Sprintf("Client %03d & Co", 72-i))
			if err != nil {
				t.Fatal(err)
			}
			orgNames, first = append(orgNames, o.Name), o
		}
		sort.Strings(orgNames)
		var titles, shared []string
		for i := range 120 {
			title := fmt.Sprintf("Doc %02d", i%40) // every title three times, so a page ends inside a run
			share := i%3 == 0
			doc := &padlock.Document{OrganizationID: first.ID, Title: title, Body: "body " + title, SharedWithPortal: share}
			if err := a.Docs.CreateDocument(ctx, actor(admin), doc); err != nil {
				t.Fatal(err)
			}
			titles = append(titles, title)
			if share {
				shared = append(shared, title)
			}
		}
		sort.Strings(titles)
		sort.Strings(shared)

		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		if got := walkPages(t, c, "/organizations", "/organizations/"); !slices.Equal(got, orgNames) {
			t.Errorf("organizations by page:\n%q\nwant\n%q", got, orgNames)
		}
		orgPath := fmt.Sprintf("/organizations/%d", first.ID)
		if got := walkPages(t, c, orgPath, orgPath+"/documents/"); !slices.Equal(got, titles) {
			t.Errorf("documents by page:\n%q\nwant\n%q", got, titles)
		}
		if status, _, body := c.Get(t, orgPath+"?after="+url.QueryEscape("x:\xff")); status != http.StatusOK || !strings.Contains(body, "Doc 00") {
			t.Errorf("a malformed key: %d, want the first page", status)
		}

		portalWithUser(t, a, c, first, "cy@client.test", padlock.RoleLite)
		cy := a.NewClient()
		portalSignIn(t, cy, "cy@client.test")
		if got := walkPages(t, cy, "/portal/", "/portal/documents/"); !slices.Equal(got, shared) {
			t.Errorf("the portal's documents by page:\n%q\nwant\n%q", got, shared)
		}
	})
}

// The New client portal form offers the organizations that have no portal
// yet, two hundred at a time by name, with a link to the next ones that
// keeps to the form; every choice is offered once.
func TestTheNewPortalFormOffersOrganizationsAPageAtATime(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		ctx, conn := t.Context(), a.DB.Conn()
		var want []string
		for i := range 203 {
			o := &padlock.Organization{AccountID: admin.AccountID, Name: fmt.Sprintf("Client %03d", i), CreatedAt: a.Clock.Now()}
			if err := conn.CreateOrganization(ctx, o); err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				p := &padlock.Portal{AccountID: admin.AccountID, OrganizationID: o.ID, Name: "Client 001 portal", CreatedAt: a.Clock.Now()}
				if err := conn.CreatePortal(ctx, p); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want = append(want, o.Name)
		}
		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		option := regexp.MustCompile(`<option value="\d+"[^>]*>([^<]+)</option>`)
		var got []string
		var pages int
		for path := "/account/portals/new"; path != ""; pages++ {
			if pages > 3 {
				t.Fatalf("more than 3 pages of choices from %s", path)
			}
			status, _, body := c.Get(t, path)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, status)
			}
			options := option.FindAllStringSubmatch(body, -1)
			if len(options) > 200 {
				t.Fatalf("GET %s offers %d organizations, more than 200", path, len(options))
			}
			for _, m := range options {
				got = append(got, html.UnescapeString(m[1]))
			}
			path = ""
			if m := nextLink.FindStringSubmatch(body); m != nil {
				path = html.UnescapeString(m[1])
				if !strings.HasPrefix(path, "/account/portals/new?") {
					t.Fatalf("the next choices leave the form: %s", path)
				}
			}
		}
		if pages != 2 || !slices.Equal(got, want) {
			t.Errorf("the form offered, in %d pages:\n%q\nwant\n%q", pages, got, want)
		}
	})
}

// Account > Client portals shows fifty portals a page by organization
// name: following Next visits every portal of the account once, in order,
// Previous leads back through the same pages, and a key that is
// malformed or leads off the list shows the first page.
func TestTheClientPortalsListAndCoveragePageByKey(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		other := a.CreateAccount(t, "Globex", "admin@globex.test")
		ctx, conn := t.Context(), a.DB.Conn()
		var want []string // portal names, in their organizations' order
		for i := range 123 {
			n := 122 - i // created out of name order
			for _, acct := range []*padlock.User{admin, other} {
				o := &padlock.Organization{AccountID: acct.AccountID, Name: fmt.Sprintf("Client %03d & Co", n), CreatedAt: a.Clock.Now()}
				p := &padlock.Portal{AccountID: acct.AccountID, Name: fmt.Sprintf("Portal %d of %d", n, acct.AccountID), CreatedAt: a.Clock.Now()}
				if err := conn.CreateOrganization(ctx, o); err != nil {
					t.Fatal(err)
				}
				if p.OrganizationID = o.ID; n%10 != 5 || acct == other { // some organizations have none
					if err := conn.CreatePortal(ctx, p); err != nil {
						t.Fatal(err)
					}
				}
				if acct == admin && n%10 != 5 {
					want = append(want, p.Name)
				}
			}
		}
		slices.Reverse(want)

		c := a.NewClient()
		c.SignIn(t, "admin@acme.test", testenv.Password)
		if got := walkPages(t, c, "/account/portals", "/account/portals/"); !slices.Equal(got, want) {
			t.Fatalf("portals by page:\n%q\nwant\n%q", got, want)
		}
		// MFA coverage pages its portals the same way, under the staff's row.
		if got := walkPages(t, c, "/account/coverage", "/account/portals/"); !slices.Equal(got, want) {
			t.Fatalf("coverage by page:\n%q\nwant\n%q", got, want)
		}
		// Back from the last page, page by page.
		var body string
		pages := 0
		for path := "/account/portals"; path != ""; pages++ {
			_, _, body = c.Get(t, path)
			path = pageLink(body, "next")
		}
		var back []string
		for path := pageLink(body, "prev"); path != ""; path = pageLink(body, "prev") {
			_, _, body = c.Get(t, path)
			back = append(rowNames(body, "/account/portals/"), back...)
		}
		if pages != 3 || !slices.Equal(back, want[:100]) {
			t.Errorf("%d pages; back from the last:\n%q\nwant\n%q", pages, back, want[:100])
		}
		for _, bad := range []string{"?after=" + url.QueryEscape("1:\xff"), "?before=1", "?after=999999:Zzz", "?before=1:A", "?after=1:A&before=2:B"} {
			status, _, body := c.Get(t, "/account/portals"+bad)
			if first := rowLinkFor("/account/portals/").FindStringSubmatch(body); status != http.StatusOK || first == nil || first[1] != want[0] {
				t.Errorf("GET /account/portals%s: %d, want the first page", bad, status)
			}
		}
	})
}

// rowNames are the names of a list page's rows, the links under prefix.
func rowNames(body, prefix string) []string {
	var names []string
	for _, m := range rowLinkFor(prefix).FindAllStringSubmatch(body, -1) {
		names = append(names, html.UnescapeString(strings.TrimSpace(m[1])))
	}
	return names
}
