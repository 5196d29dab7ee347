package padlock

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestActivityFilterShowsItsCategoriesInThisOrder(t *testing.T) {
	want := [][2]string{
		{"sign-in", "Sign-in"},
		{"lockout", "Lockout"},
		{"mfa", "MFA"},
		{"policy", "Policy"},
		{"users", "Users"},
		{"password", "Password"},
		{"portals", "Client portals"},
		{"organizations", "Organizations"},
		{"documents", "Documents"},
		{"sso", "Single sign-on"},
		{"api-keys", "API keys"},
	}
	var got [][2]string
	for _, c := range EventCategories {
		got = append(got, [2]string{c.Name, c.Label})
	}
	if !slices.Equal(got, want) {
		t.Fatalf("categories = %v\nwant %v", got, want)
	}
}

func TestEachCategorizedKindHasALabelAndOneCategory(t *testing.T) {
	seen := map[string]string{}
	for _, c := range EventCategories {
		if len(c.Kinds) == 0 {
			t.Errorf("%s has no kinds", c.Name)
		}
		for _, k := range c.Kinds {
			if _, ok := eventLabels[k]; !ok {
				t.Errorf("%s in %s reads as its words, not a label", k, c.Name)
			}
			if other, ok := seen[k]; ok {
				t.Errorf("%s is in %s and in %s", k, other, c.Name)
			}
			seen[k] = c.Name
		}
	}
}

// TestEveryEventKindHasALabelAndACategory reads the Event constants from
// the package's source, so a kind added without its label or its filter
// fails here rather than reading as its words on the Activity screen.
func TestEveryEventKindHasALabelAndACategory(t *testing.T) {
	kinds := eventKindsDeclared(t)
	if len(kinds) < len(eventLabels) {
		t.Fatalf("found %d Event constants for %d labels", len(kinds), len(eventLabels))
	}
	for _, k := range kinds {
		if l, ok := eventLabels[k]; !ok || l == "" {
			t.Errorf("%s has no label of its own", k)
		}
		if !slices.ContainsFunc(EventCategories, func(c Category) bool { return slices.Contains(c.Kinds, k) }) {
			t.Errorf("%s is in no category", k)
		}
	}
	for k := range eventLabels {
		if !slices.Contains(kinds, k) {
			t.Errorf("%s has a label but is not an event kind", k)
		}
	}
}

// eventKindsDeclared returns the values of the package's constants named
// Event…, the audit log's event kinds.
func eventKindsDeclared(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				kinds = append(kinds, eventConstants(t, g)...)
			}
		}
	}
	return kinds
}

func eventConstants(t *testing.T, g *ast.GenDecl) []string {
	t.Helper()
	var kinds []string
	for _, spec := range g.Specs {
		v := spec.(*ast.ValueSpec)
		for i, n := range v.Names {
			if !strings.HasPrefix(n.Name, "Event") || i >= len(v.Values) {
				continue
			}
			lit, ok := v.Values[i].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Fatalf("%s is not a string literal", n.Name)
			}
			s, _ := strconv.Unquote(lit.Value)
			kinds = append(kinds, s)
		}
	}
	return kinds
}

func TestEventLabel(t *testing.T) {
	cases := []struct {
		name, kind, want string
	}{
		{"a kind reads as its label", EventSignIn, "Signed in"},
		{"an MFA kind keeps MFA in capitals", EventMFAReset, "MFA reset"},
		{"a kind of one word reads as its label", EventLockout, "Locked out"},
		{"an SSO kind reads as its label", EventSSOIDPChanged, "SSO identity provider changed"},
		{"an unknown kind reads as its words", "brand_new_kind", "Brand new kind"},
		{"an unknown kind of one letter is capitalised", "x", "X"},
		{"an empty kind reads as nothing", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := EventLabel(tc.kind); got != tc.want {
				t.Fatalf("EventLabel(%q) = %q, want %q", tc.kind, got, tc.want)
			}
		})
	}
}

func TestKindsOf(t *testing.T) {
	cases := []struct {
		name, category string
		want           []string
	}{
		{"sign-in holds sign-ins, sign-outs, unlocks and rejected codes", "sign-in",
			[]string{EventSignIn, EventSignInFailed, EventSignOut, EventUnlock, EventMFAFailed}},
		{"lockout holds only lockouts", "lockout", []string{EventLockout}},
		{"sso holds the SSO kinds", "sso",
			[]string{EventSSOSignIn, EventSSOFailed, EventSSOSettings, EventSSOIDPChanged, EventSSOTested, EventSSOUserCreated}},
		{"a label is not a category", "Single sign-on", nil},
		{"names are case-sensitive", "Sign-in", nil},
		{"an unknown name has no kinds", "everything", nil},
		{"an empty name has no kinds", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := KindsOf(tc.category)
			if !slices.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Fatalf("KindsOf(%q) = %#v, want %#v", tc.category, got, tc.want)
			}
		})
	}
	for _, c := range EventCategories {
		if got := KindsOf(c.Name); !slices.Equal(got, c.Kinds) {
			t.Errorf("KindsOf(%q) = %v, want %v", c.Name, got, c.Kinds)
		}
	}
}
