package archtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Forbidden entries are import paths. One prefixed "mod:" is relative to
// the module ("mod:p2p" is <module>/p2p). An entry matches the path itself
// and every package below it; one ending in "/" (like "fyne.io/") matches
// any path with that prefix.
var (
	fyneAny    = "fyne.io/"
	fyneApp    = "fyne.io/fyne/v2/app"
	libp2pNet  = "github.com/libp2p/go-libp2p/p2p"
	pubsub     = "github.com/libp2p/go-libp2p-pubsub"
	netHTTP    = "net/http"
	badger     = "github.com/dgraph-io/badger"
	coreBanned = []string{fyneAny, libp2pNet, pubsub}
)

// rule says what pkg (module-relative) and the packages below it must not
// depend on. Each list is checked at a different depth:
//
//   - forbidden: anywhere in the dependency closure, third-party code
//     included;
//   - ownCode: among the imports of any package of this module in the
//     closure (pkg itself included), so that the module's own code does not
//     reach it while third-party libraries still may (badger, which the
//     core stores use, reaches net/http through expvar and OpenTelemetry);
//   - direct: among the imports of pkg and the packages below it only.
type rule struct {
	pkg       string
	forbidden []string
	ownCode   []string
	direct    []string
	noCgo     bool // list dependencies as built with CGO_ENABLED=0
}

func mod(rel ...string) []string {
	out := make([]string, len(rel))
	for i, r := range rel {
		out[i] = "mod:" + r
	}
	return out
}

// domainsBut lists the ledger's packages that domain d must not import:
// every other domain except membership, the read models and the assembly.
func domainsBut(d string) []string {
	var out []string
	for _, o := range []string{"membership", "timebank", "contrib", "directory", "governance", "reputation", "all"} {
		if o != d && o != "membership" {
			out = append(out, "ledger/"+o)
		}
	}
	return out
}

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

var rules = []rule{
	{pkg: "identity", forbidden: join(coreBanned, mod("p2p", "ledger", "ui", "node")), ownCode: []string{netHTTP}},
	{pkg: "crdt", forbidden: join(coreBanned, mod("p2p", "ledger", "ui", "node")), ownCode: []string{netHTTP}},
	// The ledger and every package below it (the domain modules) have no
	// network, no Fyne and no node.
	{pkg: "ledger", forbidden: join(coreBanned, mod("p2p", "ui", "node")), ownCode: []string{netHTTP}},
	// A domain imports no other domain but membership; membership imports
	// none. Only reputation (a read model over contributions and the time
	// bank) and all (the assembly) see several domains.
	{pkg: "ledger/membership", forbidden: mod(domainsBut("membership")...)},
	{pkg: "ledger/timebank", forbidden: mod(domainsBut("timebank")...)},
	{pkg: "ledger/contrib", forbidden: mod(domainsBut("contrib")...)},
	{pkg: "ledger/directory", forbidden: mod(domainsBut("directory")...)},
	{pkg: "ledger/reputation", forbidden: mod("ledger/directory", "ledger/all")},
	// Governance is one domain module: it reads membership through package
	// ledger and no other domain; its voting methods (tally) are pure
	// functions with no store and no ledger.
	{pkg: "ledger/governance", forbidden: join(coreBanned, mod("p2p", "ui", "node", "ledger/all", "ledger/directory")), ownCode: []string{netHTTP}},
	{pkg: "ledger/governance/tally", forbidden: join(coreBanned, mod("p2p", "ui", "node", "crdt", "ledger", "identity")), ownCode: []string{netHTTP}},
	{pkg: "p2p", forbidden: join([]string{fyneAny}, mod("ui"))},
	// The UI sees the peer through node's API only: its own imports hold no
	// store, ledger, identity or network package (node brings them in).
	{pkg: "ui", forbidden: []string{fyneApp}, direct: join([]string{badger, libp2pNet, pubsub}, mod("p2p", "crdt", "ledger", "identity"))},
	{pkg: "node", forbidden: join([]string{fyneAny}, mod("ui"))},
	// The measuring code commons-node bench and the bench module share
	// builds without cgo, as the headless command that runs it does.
	{pkg: "node/bench", forbidden: join([]string{fyneAny}, mod("ui")), noCgo: true},
	{pkg: "cmd/commons-node", forbidden: []string{fyneAny}, noCgo: true},
	// mobile holds what only phones need and no desktop-only code: no
	// fyne/app (the root's), no desktop driver, no UI screens.
	{pkg: "mobile", forbidden: join([]string{fyneApp, "fyne.io/fyne/v2/driver/desktop", "fyne.io/fyne/v2/internal/driver/glfw"}, mod("ui"))},
}

// env describes the module under test.
type env struct {
	root    string // directory holding go.mod
	modPath string // module path
}

func goCmd(t *testing.T, dir string, extraEnv []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &goError{args: args, err: err, stderr: stderr.String()}
	}
	return stdout.String(), nil
}

type goError struct {
	args   []string
	err    error
	stderr string
}

func (e *goError) Error() string {
	return "go " + strings.Join(e.args, " ") + ": " + e.err.Error() + ": " + strings.TrimSpace(e.stderr)
}

func moduleEnv(t *testing.T) env {
	t.Helper()
	gomod, err := goCmd(t, ".", nil, "env", "GOMOD")
	if err != nil {
		t.Fatal(err)
	}
	gomod = strings.TrimSpace(gomod)
	if gomod == "" || gomod == os.DevNull {
		t.Fatal("not inside a Go module (go env GOMOD is empty)")
	}
	root := filepath.Dir(gomod)
	modPath, err := goCmd(t, root, nil, "list", "-m")
	if err != nil {
		t.Fatal(err)
	}
	return env{root: root, modPath: strings.TrimSpace(modPath)}
}

// resolve turns a rule's forbidden entries into import-path patterns.
func (e env) resolve(forbidden []string) []string {
	out := make([]string, len(forbidden))
	for i, f := range forbidden {
		if rel, ok := strings.CutPrefix(f, "mod:"); ok {
			f = e.modPath + "/" + rel
		}
		out[i] = f
	}
	return out
}

// matches reports whether import path p is covered by pattern pat.
func matches(p, pat string) bool {
	if strings.HasSuffix(pat, "/") {
		return strings.HasPrefix(p, pat)
	}
	return p == pat || strings.HasPrefix(p, pat+"/")
}

// violations returns, sorted, every path in deps that some forbidden
// pattern covers. Paths equal to or below self (the package the rule is
// about) are ignored.
func violations(self string, deps, forbidden []string) []string {
	var out []string
	for _, d := range deps {
		if matches(d, self) {
			continue
		}
		for _, f := range forbidden {
			if matches(d, f) {
				out = append(out, d)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// check lists the dependencies of r.pkg and everything below it and returns
// the forbidden ones. exists is false when go list cannot load r.pkg.
func (e env) check(t *testing.T, r rule) (viol []string, exists bool) {
	t.Helper()
	self := e.modPath + "/" + r.pkg
	var extra []string
	if r.noCgo {
		extra = []string{"CGO_ENABLED=0"}
	}
	if _, err := goCmd(t, e.root, extra, "list", self); err != nil {
		if hasGoFiles(filepath.Join(e.root, filepath.FromSlash(r.pkg))) {
			t.Fatalf("package %s has Go files but go list fails: %v", r.pkg, err)
		}
		t.Logf("%v", err)
		return nil, false
	}
	out, err := goCmd(t, e.root, extra, "list", "-deps", "-f",
		`{{.ImportPath}} {{join .Imports " "}}`, self+"/...")
	if err != nil {
		t.Fatal(err)
	}
	var deps, ownImports, directImports []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		deps = append(deps, f[0])
		if matches(f[0], e.modPath) {
			ownImports = append(ownImports, f[1:]...)
		}
		if matches(f[0], self) {
			directImports = append(directImports, f[1:]...)
		}
	}
	viol = violations(self, deps, e.resolve(r.forbidden))
	for _, v := range violations(self, dedup(ownImports), e.resolve(r.ownCode)) {
		viol = append(viol, v+" (imported by the module's own code)")
	}
	for _, v := range violations(self, dedup(directImports), e.resolve(r.direct)) {
		viol = append(viol, v+" (direct import)")
	}
	return viol, true
}

func dedup(list []string) []string {
	seen := make(map[string]bool, len(list))
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// hasGoFiles reports whether dir directly holds a non-test .go file.
func hasGoFiles(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, en := range entries {
		n := en.Name()
		if !en.IsDir() && strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			return true
		}
	}
	return false
}

func TestDependencyRules(t *testing.T) {
	e := moduleEnv(t)
	for _, r := range rules {
		t.Run(strings.ReplaceAll(r.pkg, "/", "_"), func(t *testing.T) {
			viol, exists := e.check(t, r)
			if !exists {
				t.Skipf("package %s does not exist yet", r.pkg)
			}
			for _, v := range viol {
				t.Errorf("%s must not depend on %s", r.pkg, v)
			}
		})
	}
}

// TestOnlyMainImportsFyneApp checks that no package but the root main
// package imports fyne.io/fyne/v2/app, in its code or its tests.
func TestOnlyMainImportsFyneApp(t *testing.T) {
	e := moduleEnv(t)
	out, err := goCmd(t, e.root, nil, "list", "-e", "-f",
		`{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] == e.modPath {
			continue
		}
		checked++
		for _, imp := range f[1:] {
			if imp == fyneApp {
				t.Errorf("%s imports %s: only the root main package may create the Fyne app", f[0], fyneApp)
			}
		}
	}
	if checked == 0 {
		t.Fatal("go list ./... listed no package besides the root")
	}
}

// TestCheckerDetectsViolations makes sure the checker is not vacuous: a
// rule that the existing ui package is known to break must be reported.
func TestCheckerDetectsViolations(t *testing.T) {
	e := moduleEnv(t)
	viol, exists := e.check(t, rule{pkg: "ui", forbidden: []string{fyneAny, "mod:ui"}})
	if !exists {
		t.Fatal("package ui is missing: the self-check needs it")
	}
	if len(viol) == 0 {
		t.Fatal("a rule forbidding fyne.io/ for ui reported no violation")
	}
	for _, v := range viol {
		if !strings.HasPrefix(v, "fyne.io/") {
			t.Errorf("unexpected violation %s (ui itself must be ignored)", v)
		}
	}

	// The domain rules see imports between the ledger's own packages: the
	// time bank imports membership.
	viol, _ = e.check(t, rule{pkg: "ledger/timebank", forbidden: mod("ledger/membership")})
	if len(viol) == 0 {
		t.Fatal("a rule forbidding ledger/timebank to depend on ledger/membership reported no violation")
	}

	viol, _ = e.check(t, rule{pkg: "ui", direct: []string{"fyne.io/fyne/v2/widget"}})
	if len(viol) == 0 {
		t.Fatal("a rule forbidding ui to import fyne.io/fyne/v2/widget directly reported no violation")
	}
	viol, _ = e.check(t, rule{pkg: "ui", ownCode: []string{"fyne.io/fyne/v2/widget"}})
	if len(viol) == 0 {
		t.Fatal("a rule forbidding the module's code to import fyne.io/fyne/v2/widget reported no violation")
	}
	// ui reaches fyne.io/fyne/v2/internal/... only through Fyne itself: a
	// direct or own-code rule must not report it.
	viol, _ = e.check(t, rule{pkg: "ui", direct: []string{"fyne.io/fyne/v2/internal/"}, ownCode: []string{"fyne.io/fyne/v2/internal/"}})
	if len(viol) != 0 {
		t.Fatalf("direct and own-code rules reported indirect dependencies: %v", viol)
	}
}

func TestMatches(t *testing.T) {
	tests := []struct {
		path, pattern string
		want          bool
	}{
		{"fyne.io/fyne/v2/widget", "fyne.io/", true},
		{"fyne.io/systray", "fyne.io/", true},
		{"fyne.iox/a", "fyne.io/", false},
		{"github.com/libp2p/go-libp2p/p2p/host/basic", libp2pNet, true},
		{"github.com/libp2p/go-libp2p/core/peer", libp2pNet, false},
		{"github.com/libp2p/go-libp2p/core/crypto", libp2pNet, false},
		{"github.com/libp2p/go-libp2p-pubsub", pubsub, true},
		{"github.com/libp2p/go-libp2p-pubsub/pb", pubsub, true},
		{"net/http", netHTTP, true},
		{"net/http/httptrace", netHTTP, true},
		{"net/httpx", netHTTP, false},
		{"github.com/dgraph-io/badger/v4", badger, true},
		{"github.com/dgraph-io/badgerx", badger, false},
		{"fyne.io/fyne/v2/app", fyneApp, true},
		{"fyne.io/fyne/v2/application", fyneApp, false},
	}
	for _, tt := range tests {
		if got := matches(tt.path, tt.pattern); got != tt.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tt.path, tt.pattern, got, tt.want)
		}
	}
	got := violations("m/ledger",
		[]string{"m/ledger", "m/ledger/store", "m/crdt", "m/p2p", "fmt", "fyne.io/fyne/v2"},
		[]string{"m/p2p", "m/ledger", "fyne.io/"})
	want := []string{"fyne.io/fyne/v2", "m/p2p"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("violations = %v, want %v", got, want)
	}
}
