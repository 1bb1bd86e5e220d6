package ui

import (
	"go/ast"
	"go/token"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"github.com/commons-society/commons/node"
)

// refusalDirs are the packages whose refusals a member can meet in the
// app (see internal/refusal): their formats and kinds are translated.
var refusalDirs = []string{"../ledger", "../ledger/governance", "../ledger/timebank", "../ledger/contrib",
	"../ledger/directory", "../ledger/membership", "../node", "../crdt"}

// refusalStrings returns every refusal format and kind text in the
// non-test source of refusalDirs, by directory, and the places where a
// format is not a literal. A format is the literal passed to
// refusal.New or refusal.Prefixed, or to a function of the same package
// that passes one of its parameters on as the format (such as
// governance's bad), and a kind the literal text of refusal.Kind.
func refusalStrings(t *testing.T) (byDir map[string][]string, dynamic []string) {
	t.Helper()
	byDir = map[string][]string{}
	fset := token.NewFileSet()
	for _, dir := range refusalDirs {
		parsed := parseDir(t, fset, dir)
		// formatArg is where a refusal call takes its format (-1: none).
		formatArg := func(call *ast.CallExpr) int {
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "refusal" {
					switch sel.Sel.Name {
					case "New", "Prefixed", "Kind":
						return 1
					}
				}
			}
			return -1
		}
		// wrappers maps a function passing its parameter on as a format
		// to that parameter's position.
		wrappers := map[string]int{}
		for _, af := range parsed {
			for _, d := range af.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv != nil {
					continue
				}
				var params []string
				for _, f := range fd.Type.Params.List {
					for _, n := range f.Names {
						params = append(params, n.Name)
					}
				}
				ast.Inspect(fd, func(n ast.Node) bool {
					if call, ok := n.(*ast.CallExpr); ok {
						if i := formatArg(call); i >= 0 && i < len(call.Args) {
							if id, ok := call.Args[i].(*ast.Ident); ok && slices.Contains(params, id.Name) {
								wrappers[fd.Name.Name] = slices.Index(params, id.Name)
							}
						}
					}
					return true
				})
			}
		}
		seen := map[string]bool{}
		for _, af := range parsed {
			ast.Inspect(af, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				i := formatArg(call)
				if id, ok := call.Fun.(*ast.Ident); ok {
					if w, ok := wrappers[id.Name]; ok {
						i = w
					}
				}
				if i < 0 || i >= len(call.Args) {
					return true
				}
				s, ok := stringLit(t, call.Args[i])
				if !ok {
					// A wrapper passes its parameter on; anything else
					// cannot be found.
					if id, isID := call.Args[i].(*ast.Ident); !isID || !isParam(af, call, id.Name) {
						dynamic = append(dynamic, fset.Position(call.Pos()).String())
					}
					return true
				}
				if !seen[s] {
					seen[s] = true
					byDir[dir] = append(byDir[dir], s)
				}
				return true
			})
		}
	}
	return byDir, dynamic
}

// isParam reports whether name is a parameter of the function declaring
// a call.
func isParam(f *ast.File, call *ast.CallExpr, name string) bool {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= call.Pos() && call.End() <= fd.End() {
			for _, p := range fd.Type.Params.List {
				for _, n := range p.Names {
					if n.Name == name {
						return true
					}
				}
			}
		}
	}
	return false
}

// refusalKeys are every refusal format and kind, sorted.
func refusalKeys(t *testing.T) []string {
	t.Helper()
	byDir, dynamic := refusalStrings(t)
	if len(dynamic) > 0 {
		t.Errorf("refusals with a format that is no literal (cannot be translated): %v", dynamic)
	}
	var keys []string
	for _, ks := range byDir {
		for _, k := range ks {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}

// TestRefusalsTranslated: every domain a member meets in the app has
// refusals found in its source, none uses %w (Sprintf cannot), and each
// has a French entry (TestTranslationsComplete checks the verbs).
func TestRefusalsTranslated(t *testing.T) {
	byDir, _ := refusalStrings(t)
	for _, c := range []struct {
		dir string
		min int
	}{{"../ledger", 5}, {"../ledger/governance", 50}, {"../ledger/timebank", 10}, {"../ledger/contrib", 10},
		{"../ledger/directory", 3}, {"../ledger/membership", 15}, {"../node", 50}, {"../crdt", 1}} {
		if got := len(byDir[c.dir]); got < c.min {
			t.Errorf("%s: %d refusals found, want at least %d: %q", c.dir, got, c.min, byDir[c.dir])
		}
	}
	fr := readBundle(t, "fr")
	for _, k := range refusalKeys(t) {
		if strings.Contains(k, "%w") {
			t.Errorf("refusal format %q uses %%w", k)
		}
		if v, ok := fr[k]; !ok || strings.TrimSpace(v) == "" {
			t.Errorf("fr.json has no translation of the refusal %q", k)
		}
	}
}

// TestRefusalsInFrench: in the French app, the ledger's and the node's
// refusals read in French: a log of hours past the credit limit (in the
// dialog) and a proposal paying more than the community account holds
// (under its action); in English they read as before.
func TestRefusalsInFrench(t *testing.T) {
	for _, c := range []struct {
		code            string
		logged, payment []string
	}{
		{"fr", []string{"Vous ne pouvez pas payer 21 h : limite de crédit: le solde passerait de 0 h à -21 h, sous le minimum de la société, -20 h."},
			[]string{"Le compte commun ne peut pas payer 500 h", "limite de crédit", "sous le minimum de la société"}},
		{"en", []string{"You cannot pay 21 h: credit limit: the balance would go from 0 h to -21 h, below the society's minimum of -20 h."},
			[]string{"The community account cannot pay 500 h", "credit limit", "below the society's minimum"}},
	} {
		t.Run(c.code, func(t *testing.T) {
			u, _ := fixedUI(t, "Ann")
			addMember(t, u, "Ben")
			t.Cleanup(func() { LoadTranslations("en") })
			u.SetLanguage(c.code)
			u.Wait()

			tb := timeBankOf(t, u)
			logHours(t, u, tb, lang.L("I received"), "Ben", "21h", "Plumbing")
			top := topOverlay(t, u)
			for _, want := range c.logged {
				if !hasText(top, want) {
					t.Errorf("dialog %q, want %q", texts(top), want)
				}
			}
			test.Tap(button(t, top, lang.L("OK")))

			s := govOf(t, u)
			before := len(proposalsOf(t, u))
			putProposal(t, u, s, "Pay Ben", node.MethodConsent, "", func(f *govForm) {
				f.actions.pick.SetSelected(govActionName(node.ActSpend))
				x := f.actions.list[0]
				x.selects[0].SetSelected("Ben")
				x.entries[0].SetText("500")
			})
			if len(proposalsOf(t, u)) != before {
				t.Fatal("a refused proposal was written")
			}
			got := s.form.actions.list[0].field.problem()
			for _, want := range c.payment {
				if !strings.Contains(got, want) {
					t.Errorf("problem under the payment %q, want %q", got, want)
				}
			}
		})
	}
}
