package auth_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestEverySignInPathReachesItsOutcomeOnlyThroughTheDecision reads the
// program's source: a session is created in one place only (beginSession),
// which asks padlock.NextStep; the state a session started in decides
// nothing outside the auth package, and NextStep has no other caller than
// beginSession and the per-request decision. Password, SSO, challenge and
// enrollment all start sessions through beginSession; invitation
// acceptance and password reset start none (their HTTP tests show the user
// signs in afterwards like anyone else).
func TestEverySignInPathReachesItsOutcomeOnlyThroughTheDecision(t *testing.T) {
	t.Parallel()
	creators := map[string]bool{}
	deciders := map[string]bool{}
	stateReaders := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			where := filepath.ToSlash(path) + ":" + fn.Name.Name
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					if sel, ok := x.Fun.(*ast.SelectorExpr); ok {
						switch sel.Sel.Name {
						case "CreateSession":
							creators[where] = true
						case "NextStep":
							deciders[where] = true
						}
					}
				case *ast.SelectorExpr:
					if x.Sel.Name == "State" && !strings.HasPrefix(filepath.ToSlash(path), "../auth/") && !strings.HasPrefix(filepath.ToSlash(path), "../store/") {
						stateReaders[where] = true
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(creators) != 1 || !creators["../auth/assurance.go:beginSession"] {
		t.Errorf("sessions are created in %v; want only in beginSession", keys(creators))
	}
	want := map[string]bool{"../auth/assurance.go:beginSession": true, "../auth/assurance.go:stepOf": true}
	if len(deciders) != len(want) || !deciders["../auth/assurance.go:beginSession"] || !deciders["../auth/assurance.go:stepOf"] {
		t.Errorf("NextStep is called from %v; want beginSession and stepOf", keys(deciders))
	}
	if len(stateReaders) > 0 {
		t.Errorf("a session's starting state is read outside auth and store in %v: decide with Current.Step", keys(stateReaders))
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
