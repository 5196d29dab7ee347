package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// The portals endpoint pages by cursor, in the order of Account > Client
// portals (by organization), and lists only the key's account: an account
// with many clients is never answered in one response.
func TestThePortalsAndCoverageEndpointsPageByCursor(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		acme := adminOf(t, x).AccountID
		globex := x.a.CreateAccount(t, "Globex", "admin@globex.test").AccountID
		ctx, conn := t.Context(), x.a.DB.Conn()
		var want []string
		users := map[string]int{} // each portal's users, in Acme's portals
		for i := range 8 {
			n := 7 - i // created out of name order
			for _, acct := range []int64{acme, globex} {
				o := &padlock.Organization{AccountID: acct, Name: fmt.Sprintf("Client %d", n), CreatedAt: x.a.Clock.Now()}
				if err := conn.CreateOrganization(ctx, o); err != nil {
					t.Fatal(err)
				}
				p := &padlock.Portal{AccountID: acct, OrganizationID: o.ID, Name: fmt.Sprintf("Portal %d of %d", n, acct), CreatedAt: x.a.Clock.Now()}
				if err := conn.CreatePortal(ctx, p); err != nil {
					t.Fatal(err)
				}
				for j := range n % 3 { // some users, so each page's counts show
					u := &padlock.User{AccountID: acct, PortalID: p.ID, Email: fmt.Sprintf("u%d-%d-%d@example.test", acct, n, j),
						Role: padlock.RoleLite, Status: padlock.StatusActive, CreatedAt: x.a.Clock.Now()}
					if err := conn.CreateUser(ctx, u, ""); err != nil {
						t.Fatal(err)
					}
				}
				if acct == acme {
					want = append(want, p.Name)
					users[p.Name] = n % 3
				}
			}
		}
		slices.Reverse(want)

		var got []string
		pages := eachAPIPage(t, x, "/api/v1/portals?limit=3", func(ans apiAnswer) *string {
			var l struct {
				Portals    []struct{ Name string }
				NextCursor *string `json:"next_cursor"`
			}
			ans.json(t, &l)
			for _, p := range l.Portals {
				got = append(got, p.Name)
			}
			return l.NextCursor
		})
		if !slices.Equal(got, want) || pages != 3 {
			t.Errorf("the pages listed %q in %d pages, want %q in 3", got, pages, want)
		}

		// The coverage pages the same way, the staff leading the first page,
		// each page with its own portals' counts.
		var lists []string
		pages = eachAPIPage(t, x, "/api/v1/coverage?limit=3", func(ans apiAnswer) *string {
			var l struct {
				Lists []struct {
					Kind, Name string
					Users      int
				}
				NextCursor *string `json:"next_cursor"`
			}
			ans.json(t, &l)
			for _, c := range l.Lists {
				if c.Kind == "account" {
					lists = append(lists, "staff of "+c.Name)
					continue
				}
				lists = append(lists, c.Name)
				if c.Users != users[c.Name] {
					t.Errorf("coverage of %s: %d users, want %d", c.Name, c.Users, users[c.Name])
				}
			}
			return l.NextCursor
		})
		if wantLists := append([]string{"staff of Acme IT"}, want...); !slices.Equal(lists, wantLists) || pages != 3 {
			t.Errorf("the coverage listed %q in %d pages, want %q in 3", lists, pages, wantLists)
		}

		for _, list := range []string{"/api/v1/portals", "/api/v1/coverage"} {
			for _, bad := range []string{"?cursor=not-ours", "?cursor=" + encodeTestCursor(`{"n":"Client 1"}`), "?limit=0", "?page=2"} {
				ans := x.call(t, x.readOnly, "GET", list+bad, "")
				if ans.status != http.StatusUnprocessableEntity || !strings.Contains(ans.body, `"field"`) {
					t.Errorf("GET %s%s: %d %s, want 422 naming the field", list, bad, ans.status, ans.body)
				}
			}
		}
	})
}
