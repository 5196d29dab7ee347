package web

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestTheEmbeddedTemplatesLoad(t *testing.T) {
	t.Parallel()
	if _, err := parsePages(mustLoadAssets(t)); err != nil {
		t.Fatal(err)
	}
}

func TestATemplateLoadsOnlyWithNamesPadlockKnows(t *testing.T) {
	t.Parallel()
	layout, err := fs.ReadFile(templateFiles, "templates/layout.html")
	if err != nil {
		t.Fatal(err)
	}
	a := mustLoadAssets(t)
	for _, tc := range []struct {
		name    string
		content string
		refusal string // "" when the page loads
	}{
		{"a known permission loads", `{{if can .Current "manage_users"}}x{{end}}`, ""},
		{"a known permission inside a pipeline loads", `{{with .Current}}{{if and . (can . "edit_documents")}}x{{end}}{{end}}`, ""},
		{"an unknown permission fails to load", `{{if can .Current "manage_userz"}}x{{end}}`, `no permission "manage_userz"`},
		{"an unknown permission in an else branch fails to load", `{{if .Flash}}{{else if not (can .Current "delete_everything")}}x{{end}}`, `no permission "delete_everything"`},
		{"a permission that is not a constant fails to load", `{{if can .Current .Title}}x{{end}}`, "must be a string constant"},
		{"a known nav loads", `{{if eq .Nav navActivity}}x{{end}}`, ""},
		{"an unknown nav fails to load", `{{if eq .Nav navActivities}}x{{end}}`, `"navActivities" not defined`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"templates/layout.html": {Data: layout},
				"templates/page.html":   {Data: []byte(`{{define "content"}}` + tc.content + `{{end}}`)},
			}
			_, err := parseTemplates(fsys, a)
			switch {
			case tc.refusal == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.refusal != "" && err == nil:
				t.Fatalf("loaded; want an error with %q", tc.refusal)
			case tc.refusal != "" && !strings.Contains(err.Error(), tc.refusal):
				t.Fatalf("error %q; want %q in it", err, tc.refusal)
			}
		})
	}
}
