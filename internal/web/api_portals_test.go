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
func TestThePortalsEndpointPagesByCursor(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		acme := adminOf(t, x).AccountID
		globex := x.a.CreateAccount(t, "Globex", "admin@globex.test").AccountID
		ctx, conn := t.Context(), x.a.DB.Conn()
		var want []string
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
				if acct == acme {
					want = append(want, p.Name)
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

		for _, bad := range []string{"?cursor=not-ours", "?cursor=" + encodeTestCursor(`{"n":"Client 1"}`), "?limit=0", "?page=2"} {
			ans := x.call(t, x.readOnly, "GET", "/api/v1/portals"+bad, "")
			if ans.status != http.StatusUnprocessableEntity || !strings.Contains(ans.body, `"field"`) {
				t.Errorf("GET /api/v1/portals%s: %d %s, want 422 naming the field", bad, ans.status, ans.body)
			}
		}
	})
}
