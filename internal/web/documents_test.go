package web_test

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// activityCSV returns the rows of Account > Activity's CSV for the query,
// without the header.
func activityCSV(t *testing.T, c *testenv.Client, query url.Values) [][]string {
	t.Helper()
	status, _, body := c.Get(t, "/account/activity.csv?"+query.Encode())
	if status != http.StatusOK {
		t.Fatalf("activity CSV %v: %d", query, status)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("activity CSV: %v\n%s", err, body)
	}
	return rows[1:]
}

func postedTo(t *testing.T, c *testenv.Client, path string, form url.Values) string {
	t.Helper()
	status, loc, body := c.PostForm(t, path, form)
	if status != http.StatusSeeOther {
		t.Fatalf("POST %s: %d\n%.400s", path, status, body)
	}
	return loc
}

func TestEveryDocumentAndOrganizationWriteAppearsInActivityWithItsActor(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		admin := a.CreateAccount(t, "Acme IT", "admin@acme.test")
		a.AddUser(t, admin, "ed@acme.test", padlock.RoleEditor)
		ac, ed := a.NewClient(), a.NewClient()
		ac.SignIn(t, "admin@acme.test", testenv.Password)
		ed.SignIn(t, "ed@acme.test", testenv.Password)

		orgURL := postedTo(t, ac, "/organizations", url.Values{"name": {"Initech"}})
		docURL := postedTo(t, ed, orgURL+"/documents", url.Values{"title": {"Network"}, "body": {"VLANs"}, "shared_with_portal": {"on"}})
		postedTo(t, ed, docURL, url.Values{"title": {"Network map"}, "body": {"VLANs 10 and 20"}}) // renamed and unshared
		postedTo(t, ed, docURL+"/delete", nil)

		rows := getActivity(t, ac, url.Values{"category": {"documents"}})
		want := []string{"Document deleted", "Document unshared from portal", "Document edited", "Document shared with portal", "Document created"}
		if got := eventColumn(rows); !slices.Equal(got, want) {
			t.Fatalf("document events %q, want %q", got, want)
		}
		for _, r := range rows {
			if !strings.Contains(r, "<td>User ed@acme.test<br>") || !strings.Contains(r, "Initech: Network") {
				t.Errorf("a document event does not name its actor and document:\n%s", r)
			}
		}
		if !strings.Contains(rows[2], "Initech: Network → Network map") {
			t.Errorf("the edit does not say the title changed:\n%s", rows[2])
		}
		orgs := getActivity(t, ac, url.Values{"category": {"organizations"}})
		if got := eventColumn(orgs); !slices.Equal(got, []string{"Organization created"}) || !strings.Contains(orgs[0], "Admin of Acme IT") || !strings.Contains(orgs[0], "<td>Initech</td>") {
			t.Fatalf("organization events %q:\n%s", got, strings.Join(orgs, "\n"))
		}

		exported := activityCSV(t, ac, url.Values{"category": {"documents"}})
		if len(exported) != len(want) {
			t.Fatalf("the CSV has %d document events, want %d", len(exported), len(want))
		}
		for i, r := range exported {
			if r[1] != want[i] || r[2] != "User ed@acme.test" || r[3] != "ed@acme.test" || r[8] != "" {
				t.Errorf("CSV row %d: %q", i, r)
			}
		}
	})
}

func TestAPortalUsersDocumentEditIsAttributedToThePortal(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := setUpTwoOrganizations(t, d)
		c := f.a.NewClient()
		portalSignIn(t, c, "creator@x.test")
		postedTo(t, c, fmt.Sprintf("/portal/documents/%d", f.xShared.ID), url.Values{"title": {"X shared runbook v2"}, "body": {"new text"}})

		rows := getActivity(t, f.admin, url.Values{"category": {"documents"}})
		if got := eventColumn(rows); !slices.Equal(got, []string{"Document edited"}) {
			t.Fatalf("document events %q", got)
		}
		for _, s := range []string{"Client creator@x.test", `<td class="portal">` + f.px.Name + `</td>`, "Initech: X shared runbook → X shared runbook v2"} {
			if !strings.Contains(rows[0], s) {
				t.Errorf("the portal user's edit lacks %q:\n%s", s, rows[0])
			}
		}
		exported := activityCSV(t, f.admin, url.Values{"category": {"documents"}})
		if len(exported) != 1 || exported[0][2] != "Client creator@x.test" || exported[0][8] != f.px.Name {
			t.Fatalf("CSV: %q", exported)
		}
		if _, _, body := c.Get(t, fmt.Sprintf("/portal/documents/%d", f.xShared.ID)); !strings.Contains(body, "by Client creator@x.test") {
			t.Fatalf("the portal's document page does not name its updater:\n%s", between(body, "<article", "</article>"))
		}
	})
}

// The route table refuses these callers first; the service refuses them
// too, with the same error, and writes nothing.
func TestTheDocumentsServiceRefusesARoleWithoutThePermission(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		f := setUpTwoOrganizations(t, d)
		a, ctx := f.a, t.Context()
		admin := userByEmail(t, a, "admin@acme.test")
		readOnly := a.AddUser(t, admin, "ro@acme.test", padlock.RoleReadOnly)
		creator := a.AddUser(t, admin, "cr@acme.test", padlock.RoleCreator)
		editor := a.AddUser(t, admin, "ed@acme.test", padlock.RoleEditor)
		portalLite, portalCreator := userByEmail(t, a, "lite@x.test"), userByEmail(t, a, "creator@x.test")
		edit := func(doc *padlock.Document) *padlock.Document {
			c := *doc
			c.Title = "changed"
			return &c
		}
		tests := []struct {
			name  string
			write func() error
			want  error
		}{
			{"a Read-only user may not create a document", func() error {
				return a.Docs.CreateDocument(ctx, actor(readOnly), &padlock.Document{OrganizationID: f.x.ID, Title: "new"})
			}, padlock.ErrNoAccess},
			{"a Read-only user may not edit a document", func() error {
				return a.Docs.UpdateDocument(ctx, actor(readOnly), edit(f.xShared))
			}, padlock.ErrNoAccess},
			{"a Creator may not delete a document", func() error {
				_, err := a.Docs.DeleteDocument(ctx, actor(creator), f.x.ID, f.xShared.ID)
				return err
			}, padlock.ErrNoAccess},
			{"an Editor may not add an organization", func() error {
				_, err := a.Docs.CreateOrganization(ctx, actor(editor), "Hooli")
				return err
			}, padlock.ErrNoAccess},
			{"a Lite portal user may not edit a shared document", func() error {
				return a.Docs.UpdateDocument(ctx, actor(portalLite), edit(f.xShared))
			}, padlock.ErrNoAccess},
			{"a portal Creator may not edit a document their portal does not see", func() error {
				return a.Docs.UpdateDocument(ctx, actor(portalCreator), edit(f.xPrivate))
			}, padlock.ErrNotFound},
			{"a portal Creator may not add a document to another organization", func() error {
				return a.Docs.CreateDocument(ctx, actor(portalCreator), &padlock.Document{OrganizationID: f.y.ID, Title: "new"})
			}, padlock.ErrNotFound},
		}
		for _, tt := range tests {
			if err := tt.write(); !errors.Is(err, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
			}
		}
		kinds := append(padlock.KindsOf("documents"), padlock.KindsOf("organizations")...)
		if events, err := a.DB.Conn().Activity(ctx, admin.AccountID, store.ActivityFilter{Kinds: kinds}); err != nil || len(events) != 0 {
			t.Fatalf("refused writes were recorded: %v, %v", events, err)
		}
		for _, doc := range []*padlock.Document{f.xShared, f.xPrivate} {
			if got, err := a.DB.Conn().Document(ctx, doc.AccountID, doc.OrganizationID, doc.ID); err != nil || got.Title != doc.Title {
				t.Errorf("document %q after refused writes: %v, %v", doc.Title, got, err)
			}
		}
		// Through the route table the answer is the same.
		ro := a.NewClient()
		ro.SignIn(t, "ro@acme.test", testenv.Password)
		if status, _, body := ro.PostForm(t, fmt.Sprintf("/organizations/%d/documents", f.x.ID), url.Values{"title": {"new"}}); status != http.StatusForbidden || !strings.Contains(body, padlock.ErrNoAccess.Message) {
			t.Fatalf("the route: %d\n%.400s", status, body)
		}
	})
}

func TestTheDocumentPageShowsItsUpdatersCurrentName(t *testing.T) {
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, doc := signedInAdmin(t, d)
		a.AddUser(t, userByEmail(t, a, "admin@acme.test"), "ed@acme.test", padlock.RoleEditor)
		ed := a.NewClient()
		ed.SignIn(t, "ed@acme.test", testenv.Password)
		docURL := fmt.Sprintf("/organizations/%d/documents/%d", org.ID, doc.ID)
		postedTo(t, ed, docURL, url.Values{"title": {"Network"}, "body": {"VLANs 10 and 20"}})
		if _, _, body := admin.Get(t, docURL); !strings.Contains(body, "by User ed@acme.test") {
			t.Fatalf("the page does not name the updater:\n%s", between(body, "<article", "</article>"))
		}
		postedTo(t, ed, "/settings/profile", url.Values{"name": {"Edna Mode"}})
		for _, path := range []string{docURL, fmt.Sprintf("/organizations/%d", org.ID)} {
			_, _, body := admin.Get(t, path)
			if !strings.Contains(body, "Edna Mode") || strings.Contains(body, "User ed@acme.test") {
				t.Errorf("%s does not show the updater's current name:\n%s", path, between(body, "<main", "</main>"))
			}
		}
	})
}

func userByEmail(t *testing.T, a *testenv.TestApp, email string) *padlock.User {
	t.Helper()
	c, err := a.DB.Conn().CredentialsByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return c.User
}
