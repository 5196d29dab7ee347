package loadtest

import "testing"

// A users list page's rows and its "Next" link are read as the templates
// write them, the link's escaped ampersand read back as one.
func TestAUsersListPageIsReadForItsRowsAndItsNextLink(t *testing.T) {
	page := []byte(`<a href="/account/users/new" role="button">New</a>
<tr><td><a href="/account/users/12" aria-label="Edit a@bench.test" title="Edit">e</a></td></tr>
<tr><td><a href="/account/users/345" aria-label="Edit b@bench.test" title="Edit">e</a></td></tr>
<nav aria-label="Pages" class="actions">
 <a href="/account/users?before=12%3Aa%40bench.test&amp;mfa=overdue" rel="prev">← Previous</a>
 <a href="/account/users?after=345%3Ab%40bench.test&amp;mfa=overdue" rel="next">Next →</a>
</nav>`)
	if got := userRows(page); got != 2 {
		t.Errorf("%d rows, want 2", got)
	}
	if got, want := nextLink(page), "/account/users?after=345%3Ab%40bench.test&mfa=overdue"; got != want {
		t.Errorf("next link %q, want %q", got, want)
	}
	if got := nextLink([]byte(`<a href="/account/users?before=1%3Aa" rel="prev">← Previous</a>`)); got != "" {
		t.Errorf("the last page has a next link: %q", got)
	}
}
