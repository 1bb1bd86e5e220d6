package ui

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
)

var updateEnglish = flag.Bool("update-en", false, "rewrite translations/en.json from the lang.L literals of the package")

// uiStrings returns every literal passed to lang.L (or lang.Localize) in
// the package's non-test files, and the places where a non-literal is.
func uiStrings(t *testing.T) (keys []string, dynamic []string) {
	t.Helper()
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, af := range parseDir(t, fset, ".") {
		ast.Inspect(af, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "L" && sel.Sel.Name != "Localize") {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "lang" {
				return true
			}
			s, ok := stringLit(t, call.Args[0])
			if !ok {
				dynamic = append(dynamic, fset.Position(call.Pos()).String())
				return true
			}
			if !seen[s] {
				seen[s] = true
				keys = append(keys, s)
			}
			return true
		})
	}
	slices.Sort(keys)
	return keys, dynamic
}

// parseDir parses the non-test Go files of a directory.
func parseDir(t *testing.T, fset *token.FileSet, dir string) []*ast.File {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, af)
	}
	return parsed
}

// stringLit returns the value of a string literal; ok is false for any
// other expression.
func stringLit(t *testing.T, e ast.Expr) (string, bool) {
	t.Helper()
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		t.Fatal(err)
	}
	return s, true
}

func readBundle(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("translations", code+".json"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

var (
	verbs   = regexp.MustCompile(`%(\[[0-9]+\])?[-+# 0-9.]*[a-zA-Z%]`)
	indexes = regexp.MustCompile(`\[[0-9]+\]`)
)

// verbSet returns the format verbs of s, without explicit argument
// indexes, sorted: a translation may reorder arguments with %[2]s.
func verbSet(s string) []string {
	vs := verbs.FindAllString(s, -1)
	for i, v := range vs {
		vs[i] = indexes.ReplaceAllString(v, "")
	}
	slices.Sort(vs)
	return vs
}

// TestTranslationsComplete checks that every string the UI shows has an
// English and a French translation keeping the same format verbs, and that
// the bundles hold no stale keys. With -update-en it rewrites en.json.
func TestTranslationsComplete(t *testing.T) {
	keys, dynamic := uiStrings(t)
	if len(dynamic) > 0 {
		t.Errorf("lang.L with a non-literal argument (cannot be extracted): %v", dynamic)
	}
	if len(keys) < 20 {
		t.Fatalf("only %d translatable strings found", len(keys))
	}
	for _, k := range refusalKeys(t) { // what the ledger and node refuse, said by Readable
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if *updateEnglish {
		en := map[string]string{}
		for _, k := range keys {
			en[k] = k
		}
		b, err := json.MarshalIndent(en, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("translations", "en.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, code := range []string{"en", "fr"} {
		bundle := readBundle(t, code)
		var missing []string
		for _, k := range keys {
			v, ok := bundle[k]
			if !ok || strings.TrimSpace(v) == "" {
				missing = append(missing, k)
				continue
			}
			if !slices.Equal(verbSet(k), verbSet(v)) {
				t.Errorf("%s.json: %q → %q changes the format verbs", code, k, v)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s.json lacks %d strings: %q", code, len(missing), missing)
		}
		for k := range bundle {
			if !slices.Contains(keys, k) {
				t.Errorf("%s.json has a stale key %q", code, k)
			}
		}
	}
}

// TestFrenchIsUsed checks that choosing French changes the UI's strings.
func TestFrenchIsUsed(t *testing.T) {
	t.Cleanup(func() { LoadTranslations("en") })
	if err := LoadTranslations("fr"); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Create my identity"); got == "Create my identity" {
		t.Fatalf("French not applied: %q", got)
	}
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	if got := lang.L("Create my identity"); got != "Create my identity" {
		t.Fatalf("English not restored: %q", got)
	}
}
