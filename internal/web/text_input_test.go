package web_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/padlock-mfa/padlock/internal/padlock"
	"github.com/padlock-mfa/padlock/internal/store"
	"github.com/padlock-mfa/padlock/internal/testenv"
)

// badText is what no text field may hold, by name; lineBreaks is what only
// a multi-line field (a document body, a pasted list) may hold.
var (
	badText = map[string]string{
		"invalid UTF-8":       "Acme \xff\xfe IT",
		"a NUL":               "Acme\x00IT",
		"a control character": "Acme\x1b[2JIT",
		"a C1 control":        "Acme\u0085IT",
	}
	lineBreaks = map[string]string{
		"a CR LF":          "Acme\r\nIT",
		"a line feed":      "Acme\nIT",
		"a trailing break": "Acme IT\n",
		"a tab":            "Acme\tIT",
	}
)

// textField is one text input of one form: posting base with the field
// replaced must be refused beside the field.
type textField struct {
	client    *testenv.Client
	path      string
	base      url.Values
	field     string
	multiLine bool
}

func (f textField) badValues() map[string]string {
	out := maps.Clone(badText)
	if !f.multiLine {
		maps.Copy(out, lineBreaks)
	}
	return out
}

// refuseBadText posts every bad value into every field and expects a 422
// with the field's own error.
func refuseBadText(t *testing.T, fields []textField) {
	t.Helper()
	for _, f := range fields {
		for what, v := range f.badValues() {
			t.Run(f.path+" "+f.field+" with "+what, func(t *testing.T) {
				form := maps.Clone(f.base)
				form.Set(f.field, v)
				status, _, body := f.client.PostForm(t, f.path, form)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+f.field+`-error"`) {
					t.Fatalf("status %d (want 422), error beside %s shown: %v\n%.300s", status, f.field, strings.Contains(body, f.field+"-error"), body)
				}
			})
		}
	}
}

// inviteToken invites email with the form at path and returns the token of
// the emailed link under prefix.
func inviteToken(t *testing.T, a *testenv.TestApp, c *testenv.Client, path, email, role, prefix string) string {
	t.Helper()
	if status, _, body := c.PostForm(t, path, url.Values{"emails": {email}, "role": {role}}); status != http.StatusSeeOther {
		t.Fatalf("invite %s: %d\n%.300s", email, status, body)
	}
	return testenv.LinkToken(t, a.SMTP.WaitFor(t, email, "invit").Body, prefix)
}

func TestBadBytesInAnyTextFieldAreRefusedBesideTheFieldOnBothDatabases(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, doc := signedInAdmin(t, d)
		portal := newPortal(t, a, admin, org, false)
		invitePortalUser(t, a, admin, portal, "creator@initech.test", padlock.RoleCreator)
		client := a.NewClient()
		portalSignIn(t, client, "creator@initech.test")
		shared := &padlock.Document{AccountID: org.AccountID, OrganizationID: org.ID, Title: "Shared", Body: "text", UpdatedAt: a.Clock.Now(), SharedWithPortal: true}
		if err := a.DB.Conn().CreateDocument(t.Context(), shared); err != nil {
			t.Fatal(err)
		}
		staffToken := inviteToken(t, a, admin, "/account/users", "new@acme.test", "editor", "/invitation/")
		portalToken := inviteToken(t, a, admin, fmt.Sprintf("/account/portals/%d/users", portal.ID), "new@initech.test", "lite", "/portal/invitation/")

		docPath := fmt.Sprintf("/organizations/%d/documents/%d", org.ID, doc.ID)
		document := url.Values{"title": {"Runbook"}, "body": {"text"}}
		sso := url.Values{"entity_id": {"https://idp.test/entity"}, "sso_url": {"https://idp.test/sso"}, "certificate": {"not a certificate"}}
		options := url.Values{"jit_role": {"lite"}}
		invite := url.Values{"role": {"editor"}}
		fields := []textField{
			{admin, "/organizations", url.Values{}, "name", false},
			{admin, fmt.Sprintf("/organizations/%d/documents", org.ID), document, "title", false},
			{admin, fmt.Sprintf("/organizations/%d/documents", org.ID), document, "body", true},
			{admin, docPath, document, "title", false},
			{admin, docPath, document, "body", true},
			{admin, "/settings/profile", url.Values{}, "name", false},
			{admin, "/account/portals", url.Values{"organization": {fmt.Sprint(org.ID)}}, "name", false},
			{admin, fmt.Sprintf("/account/portals/%d", portal.ID), url.Values{}, "name", false},
			{admin, "/account/users", invite, "emails", true},
			{admin, fmt.Sprintf("/account/portals/%d/users", portal.ID), url.Values{"role": {"lite"}}, "emails", true},
			{admin, "/account/settings/sso/idp", sso, "entity_id", false},
			{admin, "/account/settings/sso/idp", sso, "sso_url", false},
			{admin, "/account/settings/sso/idp", url.Values{}, "metadata_url", false},
			{admin, "/account/settings/sso/idp", url.Values{}, "metadata_xml", true},
			{admin, "/account/settings/sso/idp", sso, "certificate", true},
			{admin, "/account/settings/sso/options", options, "mfa_contexts", true},
			{admin, "/account/settings/sso/options", options, "domains", true},
			{admin, "/account/settings/sso/options", options, "break_glass", true},
			{admin, "/account/settings/sso/options", url.Values{}, "jit_role", false},
			{a.NewClient(), "/invitation/" + staffToken, url.Values{"password": {testenv.Password}}, "name", false},
			{a.NewClient(), "/portal/invitation/" + portalToken, url.Values{"password": {testenv.Password}}, "name", false},
			{a.NewClient(), "/forgot", url.Values{}, "email", false},
			{a.NewClient(), "/portal/forgot", url.Values{}, "email", false},
			{a.NewClient(), "/sso", url.Values{}, "sso_email", false},
			{client, "/portal/documents", document, "title", false},
			{client, "/portal/documents", document, "body", true},
			{client, fmt.Sprintf("/portal/documents/%d", shared.ID), document, "title", false},
			{client, fmt.Sprintf("/portal/documents/%d", shared.ID), document, "body", true},
			{client, "/portal/settings/profile", url.Values{}, "name", false},
		}
		refuseBadText(t, fields)

		// Nothing was stored: every text is as it was.
		ctx := t.Context()
		orgs, _ := a.DB.Conn().OrganizationsAfter(ctx, org.AccountID, "", 10)
		docs, _ := a.DB.Conn().Documents(ctx, org.AccountID, org.ID, false, store.DocumentKey{}, 10)
		portals, _ := a.DB.Conn().Portals(ctx, org.AccountID, store.PortalPage{})
		rec, _ := a.DB.Conn().SSOConfig(ctx, padlock.SSOTenant{AccountID: org.AccountID})
		if len(orgs) != 1 || len(docs) != 2 || len(portals) != 1 || portals[0].Name != portal.Name {
			t.Fatalf("bad text was stored: %d organizations, %d documents, %d portals", len(orgs), len(docs), len(portals))
		}
		for _, listed := range docs {
			d, err := a.DB.Conn().Document(ctx, org.AccountID, org.ID, listed.ID)
			if err != nil {
				t.Fatal(err)
			}
			if d.Title != doc.Title && d.Title != shared.Title || d.Body != doc.Body && d.Body != shared.Body {
				t.Errorf("a document changed: %q %q", d.Title, d.Body)
			}
		}
		if rec.IDPEntityID != "" || len(rec.MFAContexts) != 0 || len(rec.Domains) != 0 {
			t.Errorf("SSO settings changed: %q %q %q", rec.IDPEntityID, rec.MFAContexts, rec.Domains)
		}
		for _, email := range []string{"admin@acme.test", "creator@initech.test", "new@acme.test", "new@initech.test"} {
			c, err := a.DB.Conn().CredentialsByEmail(ctx, email)
			if err != nil || strings.ContainsAny(c.User.Name, "\x00\x1b\n\t") || strings.Contains(c.User.Name, "\uFFFD") || c.User.Name == "" != (c.User.Status == padlock.StatusInvited) {
				t.Errorf("%s: name %q, status %s, %v", email, c.User.Name, c.User.Status, err)
			}
		}
	})
}

func TestTheFirstRunFormRefusesBadBytesInEveryField(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a := testenv.StartApp(t, d, testenv.Options{})
		token, err := a.Auth.IssueSetupToken(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"account": {"Acme IT"}, "name": {"Ada"}, "email": {"ada@acme.test"}, "password": {testenv.Password}}
		c := a.NewClient()
		var fields []textField
		for _, f := range []string{"account", "name", "email"} {
			fields = append(fields, textField{c, "/setup/" + token, form, f, false})
		}
		refuseBadText(t, fields)
		if pending, err := a.Auth.SetupPending(t.Context()); err != nil || !pending {
			t.Fatalf("an account was created from bad text (pending %v, %v)", pending, err)
		}
	})
}

func TestADocumentBodyKeepsItsLinesAndTabs(t *testing.T) {
	t.Parallel()
	testenv.ForEachDialect(t, func(t *testing.T, d string) {
		a, admin, org, _ := signedInAdmin(t, d)
		body := "First line\r\nSecond line\n\tindented — ünïcode ✓\n"
		status, loc, page := admin.PostForm(t, fmt.Sprintf("/organizations/%d/documents", org.ID), url.Values{"title": {"  Notes  "}, "body": {body}})
		if status != http.StatusSeeOther {
			t.Fatalf("a multi-line body was refused: %d\n%.300s", status, page)
		}
		var id int64
		fmt.Sscanf(loc[strings.LastIndex(loc, "/")+1:], "%d", &id)
		got, err := a.DB.Conn().Document(t.Context(), org.AccountID, org.ID, id)
		if err != nil || got.Body != body || got.Title != "Notes" {
			t.Fatalf("stored %q / %q, %v", got.Title, got.Body, err)
		}
	})
}

// Fields that only look something up answer as they do for any unknown
// value, the same on both databases, and never with an internal error.
func TestLookupsWithBadBytesAnswerAsForAnyUnknownValue(t *testing.T) {
	t.Parallel()
	var (
		mu      sync.Mutex
		answers = map[string][]int{}
	)
	// The databases' subtests run side by side; the group ends when both
	// have, so that their answers can be compared.
	t.Run("each database", func(t *testing.T) {
		testenv.ForEachDialect(t, func(t *testing.T, d string) {
			a, admin, _, _ := signedInAdmin(t, d)
			c := a.NewClient()
			var got []int
			for _, v := range []string{"nobody@acme.test", "a\xff@acme.test", "a\x00@acme.test"} {
				s1, _, _ := c.PostForm(t, "/login", url.Values{"email": {v}, "password": {testenv.Password}})
				s2, _, _ := c.PostForm(t, "/portal/login", url.Values{"email": {v}, "password": {testenv.Password}})
				s3, _, _ := admin.Get(t, "/account/activity?user="+url.QueryEscape(v))
				s4, _, _ := c.Get(t, "/sso/"+url.PathEscape(strings.TrimSuffix(v, "@acme.test"))+"/login")
				got = append(got, s1, s2, s3, s4)
			}
			for i, s := range got {
				if s >= 500 || s != got[i%4] {
					t.Errorf("answers %v: a bad value is not answered like an unknown one", got)
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			answers[d] = got
		})
	})
	if sq, pg := fmt.Sprint(answers["sqlite"]), fmt.Sprint(answers["postgres"]); pg != "[]" && sq != pg {
		t.Errorf("the databases answer differently: SQLite %s, PostgreSQL %s", sq, pg)
	}
}
