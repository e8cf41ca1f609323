package registry

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

func TestKindNames(t *testing.T) {
	want := []string{"feature_group", "feature_version", "model", "model_version", "deployment", "validation_suite", "model_alias", "model_version_approval", "environment", "feature_view", "pipeline"}
	if got := KindNames(); !slices.Equal(got, want) {
		t.Errorf("KindNames() = %q, want %q", got, want)
	}
	for _, k := range kinds {
		if got, ok := KindNamed(k.Name()); !ok || got != k {
			t.Errorf("KindNamed(%q) = %q, %v; want %q", k.Name(), got, ok, k)
		}
	}
	for _, name := range []string{"", "feature group", "Model", "models", "audit"} {
		if k, ok := KindNamed(name); ok {
			t.Errorf("KindNamed(%q) = %q, want no kind", name, k)
		}
	}
}

// TestKindsListsEveryKind reads the package's source: every constant of
// type Kind is in kinds, so that a new kind has a name and a history.
func TestKindsListsEveryKind(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []Kind
	for _, name := range files {
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			if id, ok := spec.Type.(*ast.Ident); !ok || id.Name != "Kind" {
				return true
			}
			for _, v := range spec.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					t.Errorf("a Kind constant that is not a string literal: %#v", v)
					continue
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				declared = append(declared, Kind(s))
			}
			return true
		})
	}
	if len(declared) == 0 {
		t.Fatal("found no Kind constant in the package's source")
	}
	for _, k := range declared {
		if !slices.Contains(kinds, k) {
			t.Errorf("Kind %q is declared but missing from kinds", k)
		}
	}
	if len(declared) != len(kinds) {
		t.Errorf("%d Kind constants declared, kinds lists %d", len(declared), len(kinds))
	}
}
