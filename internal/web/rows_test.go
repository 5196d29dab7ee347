package web

import (
	"html/template"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/padlock-mfa/padlock/internal/padlock"
)

func TestListRowsWrittenInGoEscapeTheirText(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	rows := rowFuncs(a)
	evil := `<script>alert(1)</script>" onclick="x'&`
	escaped := `&lt;script&gt;alert(1)&lt;/script&gt;&#34; onclick=&#34;x&#39;&amp;`
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	orgs := rows["organizationRows"].(func([]*padlock.Organization) template.HTML)
	docs := rows["documentRows"].(func([]*padlock.Document) template.HTML)
	portalDocs := rows["portalDocumentRows"].(func([]*padlock.Document) template.HTML)
	doc := []*padlock.Document{{ID: 9, OrganizationID: 4, Title: evil, UpdatedAt: at, UpdatedBy: evil}}
	for _, tc := range []struct {
		name string
		got  template.HTML
		want string
	}{
		{"organizations", orgs([]*padlock.Organization{{ID: 4, Name: evil, CreatedAt: at}, {ID: 5, Name: "Hooli"}}),
			`<tr><td><a href="/organizations/4">` + string(a.Icon("building")) + " " + escaped + `</a></td><td>4 Mar 2026 04:06 UTC</td></tr>` +
				`<tr><td><a href="/organizations/5">` + string(a.Icon("building")) + ` Hooli</a></td><td>never</td></tr>`},
		{"documents", docs(doc),
			`<tr><td><a href="/organizations/4/documents/9">` + string(a.Icon("file-earmark-text")) + " " + escaped + `</a></td><td>4 Mar 2026 04:06 UTC</td><td>` + escaped + `</td></tr>`},
		{"portal documents", portalDocs(doc),
			`<tr><td><a href="/portal/documents/9">` + string(a.Icon("file-earmark-text")) + " " + escaped + `</a></td><td>4 Mar 2026 04:06 UTC</td><td>` + escaped + `</td></tr>`},
		{"no rows", orgs(nil), ""},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
		if strings.Contains(string(tc.got), "<script>") {
			t.Errorf("%s: markup written unescaped", tc.name)
		}
	}
}

func TestConstantCallsAreWrittenIntoTheTemplates(t *testing.T) {
	t.Parallel()
	a := mustLoadAssets(t)
	p, err := parseTemplates(templateFiles, a)
	if err != nil {
		t.Fatal(err)
	}
	for name, page := range p.byName {
		for _, d := range page.Templates() {
			if d.Tree == nil {
				continue
			}
			if s := d.Tree.Root.String(); strings.Contains(s, "{{icon \"") || strings.Contains(s, "{{asset \"") {
				t.Errorf("%s: %s still calls icon or asset with a constant", name, d.Name())
			}
		}
	}
	for _, src := range []string{`{{icon "no-such-icon"}}`, `{{asset "no/such.css"}}`} {
		fsys := fstest.MapFS{"templates/x.html": {Data: []byte(src)}}
		if _, err := readTemplate(fsys, "templates/x.html", a); err == nil || !strings.Contains(err.Error(), "no-such") && !strings.Contains(err.Error(), "no/such") {
			t.Errorf("%s: error %v; want it named", src, err)
		}
	}
}
