package web_test

import (
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

type apiDocumentOne struct {
	Document struct {
		ID               int64
		OrganizationID   int64 `json:"organization_id"`
		Title, Body      string
		SharedWithPortal bool   `json:"shared_with_portal"`
		UpdatedBy        string `json:"updated_by"`
	}
}

type apiDocumentList struct {
	Documents []struct {
		ID    int64
		Title string
	}
	NextCursor *string `json:"next_cursor"`
}

// allDocumentTitles follows next_cursor through an organization's
// documents.
func allDocumentTitles(t *testing.T, x *apiAccount, path string) []string {
	t.Helper()
	var titles []string
	eachAPIPage(t, x, path, func(ans apiAnswer) *string {
		var l apiDocumentList
		ans.json(t, &l)
		for _, d := range l.Documents {
			titles = append(titles, d.Title)
		}
		return l.NextCursor
	})
	return titles
}

// eachAPIPage reads a list from path (which has a query string already)
// with the read-only key, giving each page to page, which returns its
// next_cursor, until the last; it returns how many pages there were.
func eachAPIPage(t *testing.T, x *apiAccount, path string, page func(apiAnswer) *string) int {
	t.Helper()
	next := path
	for n := 1; n <= 100; n++ {
		ans := x.call(t, x.readOnly, "GET", next, "")
		if ans.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", next, ans.status, ans.body)
		}
		cursor := page(ans)
		if cursor == nil {
			return n
		}
		next = path + "&cursor=" + url.QueryEscape(*cursor)
	}
	t.Fatal("no last page")
	return 0
}

// A script documents a client as the screens do: it adds and edits an
// organization's documents through the same service, each change audited
// with the key's name, which the document page then shows as its last
// saver; the list pages by title.
func TestAKeyAddsListsReadsAndEditsAnOrganizationsDocuments(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		org, err := x.a.Docs.CreateOrganization(t.Context(), actor(adminOf(t, x)), "Initech")
		if err != nil {
			t.Fatal(err)
		}
		docs := fmt.Sprintf("/api/v1/organizations/%d/documents", org.ID)
		var one apiDocumentOne
		ans := x.call(t, x.readWrite, "POST", docs, `{"title": "  Network  ", "body": "VLAN 10: staff\nVLAN 20: guests", "shared_with_portal": true}`)
		ans.json(t, &one)
		if ans.status != http.StatusCreated || one.Document.Title != "Network" || one.Document.OrganizationID != org.ID ||
			!one.Document.SharedWithPortal || one.Document.UpdatedBy != "API key: nightly-report" || !strings.Contains(one.Document.Body, "VLAN 20") {
			t.Fatalf("create: %d %s", ans.status, ans.body)
		}
		doc := docs + "/" + itoa(one.Document.ID)
		ans = x.call(t, x.readWrite, "PATCH", doc, `{"body": "VLAN 30: printers", "shared_with_portal": false}`)
		ans.json(t, &one)
		if ans.status != http.StatusOK || one.Document.Title != "Network" || one.Document.Body != "VLAN 30: printers" || one.Document.SharedWithPortal {
			t.Fatalf("update: %d %s", ans.status, ans.body)
		}
		if ans := x.call(t, x.readOnly, "GET", doc, ""); ans.status != http.StatusOK || !strings.Contains(ans.body, `"body":"VLAN 30: printers"`) {
			t.Fatalf("get: %d %s", ans.status, ans.body)
		}
		if _, _, page := x.admin.Get(t, fmt.Sprintf("/organizations/%d/documents/%d", org.ID, one.Document.ID)); !strings.Contains(page, "API key: nightly-report") {
			t.Fatalf("the document page does not name the key as its last saver:\n%s", between(page, "<main", "</main>"))
		}
		events, _ := x.a.DB.Conn().Activity(t.Context(), org.AccountID, store.ActivityFilter{Kinds: padlock.KindsOf("documents")})
		var kinds []string
		for i := len(events) - 1; i >= 0; i-- {
			if events[i].ActorLabel != "API key: nightly-report" || events[i].ActorID != 0 || !strings.HasPrefix(events[i].Detail, "Initech: Network") {
				t.Errorf("not audited with the key's name: %+v", events[i])
			}
			kinds = append(kinds, events[i].Kind)
		}
		if want := "document_created document_shared document_edited document_unshared"; strings.Join(kinds, " ") != want {
			t.Fatalf("audit: %v, want %s", kinds, want)
		}

		// Titles the keys sort by, the longest a title may be among them:
		// every page's cursor is one the next request accepts.
		long := strings.Repeat("<", padlock.MaxTitleLen)
		wide := strings.Repeat("文", padlock.MaxTitleLen)
		for _, title := range []string{"b", "a", long, wide, "b", "c"} {
			if err := x.a.Docs.CreateDocument(t.Context(), actor(adminOf(t, x)), &padlock.Document{OrganizationID: org.ID, Title: title}); err != nil {
				t.Fatal(err)
			}
		}
		// (The order is the database's collation of titles: compared with
		// one page of all, not with a list written here.)
		var l apiDocumentList
		if ans := x.call(t, x.readOnly, "GET", docs+"?limit=500", ""); ans.status != http.StatusOK || strings.Contains(ans.body, "VLAN") {
			t.Fatalf("one page of all: %d %s", ans.status, ans.body)
		} else {
			ans.json(t, &l)
		}
		var all []string
		for _, d := range l.Documents {
			all = append(all, d.Title)
		}
		got := allDocumentTitles(t, x, docs+"?limit=1")
		sorted := slices.Sorted(slices.Values(got))
		if !slices.Equal(got, all) || l.NextCursor != nil || !slices.Equal(sorted, []string{long, "Network", "a", "b", "b", "c", wide}) {
			t.Fatalf("paged by one: %q\none page: %q", got, all)
		}
	})
}

// Another account's key and ids reach no document: 404 for every
// documents endpoint, whatever the body, and nothing changes. A document
// is reached only under its own organization.
func TestDocumentsThroughTheAPIStayWithinTheirAccountAndOrganization(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		org, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		other, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Hooli")
		doc := &padlock.Document{OrganizationID: org.ID, Title: "Secret", Body: "x"}
		if err := x.a.Docs.CreateDocument(t.Context(), actor(admin0), doc); err != nil {
			t.Fatal(err)
		}
		x.a.CreateAccount(t, "Beta IT", "admin@beta.test")
		bc := x.a.NewClient()
		bc.SignIn(t, "admin@beta.test", testenv.Password)
		enableMFA(t, x.a, bc)
		beta := createKey(t, bc, "beta-sync", padlock.APIReadWrite, "")
		docs := fmt.Sprintf("/api/v1/organizations/%d/documents", org.ID)
		one := fmt.Sprintf("%s/%d", docs, doc.ID)
		for _, c := range []struct{ key, method, path, body string }{
			{beta, "GET", docs, ""},
			{beta, "POST", docs, `{"title": "Planted"}`},
			{beta, "GET", one, ""},
			{beta, "PATCH", one, `{"title": "Taken"}`},
			{beta, "PATCH", one, `{"nonsense": true}`},
			{x.readWrite, "GET", fmt.Sprintf("/api/v1/organizations/%d/documents/%d", other.ID, doc.ID), ""},
			{x.readWrite, "PATCH", fmt.Sprintf("/api/v1/organizations/%d/documents/%d", other.ID, doc.ID), `{"title": "Moved"}`},
			{x.readWrite, "GET", docs + "/999999", ""},
			{x.readWrite, "GET", "/api/v1/organizations/999999/documents", ""},
		} {
			if ans := x.call(t, c.key, c.method, c.path, c.body); ans.status != http.StatusNotFound || ans.errorCode(t) != padlock.ENOTFOUND {
				t.Errorf("%s %s: %d %s, want 404", c.method, c.path, ans.status, ans.body)
			}
		}
		got, _ := x.a.DB.Conn().Document(t.Context(), org.AccountID, org.ID, doc.ID)
		list, _ := x.a.DB.Conn().Documents(t.Context(), org.AccountID, org.ID, false, store.DocumentKey{}, 10)
		if got.Title != "Secret" || len(list) != 1 {
			t.Fatalf("changed from outside: %+v, %d documents", got, len(list))
		}
	})
}

// Bad input on the documents endpoints is an error in the one shape with
// a code, never a 500, and changes nothing. A session of a role that may
// not write documents meets the screens' answer.
func TestTheDocumentsEndpointsRefuseBadInput(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		x := newAPIAccount(t, d)
		admin0 := adminOf(t, x)
		org, _ := x.a.Docs.CreateOrganization(t.Context(), actor(admin0), "Initech")
		doc := &padlock.Document{OrganizationID: org.ID, Title: "Network", Body: "VLANs"}
		if err := x.a.Docs.CreateDocument(t.Context(), actor(admin0), doc); err != nil {
			t.Fatal(err)
		}
		docs := fmt.Sprintf("/api/v1/organizations/%d/documents", org.ID)
		one := fmt.Sprintf("%s/%d", docs, doc.ID)
		orgCursor := url.QueryEscape(encodeTestCursor(`{"n":"Initech"}`))
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
			field                    string
		}{
			{"a huge page", "GET", docs + "?limit=100000", "", 422, "limit"},
			{"a page of none", "GET", docs + "?limit=0", "", 422, "limit"},
			{"a page size that is not a number", "GET", docs + "?limit=all", "", 422, "limit"},
			{"an unknown parameter", "GET", docs + "?shared=true", "", 422, "shared"},
			{"a cursor that is not base64", "GET", docs + "?cursor=***", "", 422, "cursor"},
			{"a cursor of garbage", "GET", docs + "?cursor=bm90IGpzb24", "", 422, "cursor"},
			{"a cursor of another list", "GET", docs + "?cursor=" + orgCursor, "", 422, "cursor"},
			{"a cursor without an id", "GET", docs + "?cursor=" + url.QueryEscape(encodeTestCursor(`{"t":"a"}`)), "", 422, "cursor"},
			{"a cursor with a NUL", "GET", docs + "?cursor=" + url.QueryEscape(encodeTestCursor(`{"t":"a\u0000","i":1}`)), "", 422, "cursor"},
			{"a query string that is not one", "GET", docs + "?cursor=%%%", "", 400, ""},
			{"a document id that is not a number", "GET", docs + "/abc", "", 404, ""},
			{"an organization id that overflows", "GET", "/api/v1/organizations/99999999999999999999/documents", "", 404, ""},
			{"no title", "POST", docs, `{"body": "x"}`, 422, "title"},
			{"an empty title", "POST", docs, `{"title": "  "}`, 422, "title"},
			{"a title of two lines", "POST", docs, `{"title": "a\nb"}`, 422, "title"},
			{"an overlong title", "POST", docs, `{"title": "` + strings.Repeat("x", padlock.MaxTitleLen+1) + `"}`, 422, "title"},
			{"an overlong text", "POST", docs, `{"title": "x", "body": "` + strings.Repeat("x", padlock.MaxDocumentLen+1) + `"}`, 422, "body"},
			{"a control character", "POST", docs, `{"title": "x", "body": "a\u0007b"}`, 422, "body"},
			{"a number for a title", "POST", docs, `{"title": 5}`, 422, "title"},
			{"a string for sharing", "POST", docs, `{"title": "x", "shared_with_portal": "yes"}`, 422, "shared_with_portal"},
			{"an unknown field", "POST", docs, `{"title": "x", "folder": "y"}`, 422, "folder"},
			{"malformed JSON", "POST", docs, `{"title": `, 400, ""},
			{"an array for the object", "PATCH", one, `["title"]`, 400, ""},
			{"an empty change", "PATCH", one, `{}`, 422, ""},
			{"an empty title in a change", "PATCH", one, `{"title": ""}`, 422, "title"},
			{"a number for a text", "PATCH", one, `{"body": 1}`, 422, "body"},
			{"an unknown field in a change", "PATCH", one, `{"updated_by": "me"}`, 422, "updated_by"},
		} {
			ans := x.call(t, x.readWrite, tc.method, tc.path, tc.body)
			code := map[int]string{400: padlock.EBADREQUEST, 404: padlock.ENOTFOUND, 422: padlock.EINVALID}[tc.status]
			if ans.status != tc.status || ans.errorCode(t) != code || tc.field != "" && !strings.Contains(ans.body, `"field":"`+tc.field+`"`) {
				t.Errorf("%s: %d %s, want %d on %q", tc.name, ans.status, ans.body, tc.status, tc.field)
			}
		}
		got, _ := x.a.DB.Conn().Document(t.Context(), org.AccountID, org.ID, doc.ID)
		list, _ := x.a.DB.Conn().Documents(t.Context(), org.AccountID, org.ID, false, store.DocumentKey{}, 10)
		if got.Title != "Network" || got.Body != "VLANs" || len(list) != 1 {
			t.Fatalf("bad input changed data: %+v, %d documents", got, len(list))
		}

		// A Read-only user's session reads documents and writes none.
		x.a.AddUser(t, admin0, "reader@acme.test", padlock.RoleReadOnly)
		reader := x.a.NewClient()
		reader.SignIn(t, "reader@acme.test", testenv.Password)
		if status, _, body := reader.Get(t, one); status != http.StatusOK || !strings.Contains(body, `"VLANs"`) {
			t.Fatalf("a Read-only session reading: %d %s", status, body)
		}
		req, _ := http.NewRequest("PATCH", x.a.URL+one, strings.NewReader(`{"title": "Mine"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", x.a.URL)
		if status, _, body := reader.Do(t, req); status != http.StatusForbidden || !strings.Contains(body, `"forbidden"`) {
			t.Fatalf("a Read-only session editing: %d %s", status, body)
		}
	})
}
