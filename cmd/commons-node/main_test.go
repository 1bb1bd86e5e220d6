package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
)

// home is one member's home directory and passphrase.
type home struct {
	dir  string
	pass string
}

func newHome(t *testing.T) home {
	t.Helper()
	return home{dir: filepath.Join(t.TempDir(), "home"), pass: "correct horse " + t.Name()}
}

// result is the outcome of one run.
type result struct {
	code           int
	stdout, stderr string
}

// last returns the last non-empty line of stdout.
func (r result) last() string {
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// runCLI runs the command line in process with args after --home DIR, with
// the passphrase in the environment (unset when pass is empty).
func runCLI(t *testing.T, dir, pass string, args ...string) result {
	t.Helper()
	t.Setenv(identity.PassphraseEnv, pass)
	if pass == "" {
		os.Unsetenv(identity.PassphraseEnv)
	}
	var out, errb bytes.Buffer
	code := run(append([]string{"--home", dir}, args...), strings.NewReader(""), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// ok runs the command line as h and fails unless it exits 0.
func (h home) ok(t *testing.T, args ...string) result {
	t.Helper()
	r := runCLI(t, h.dir, h.pass, args...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// statusJSON is the part of 'status --json' the tests read.
type statusJSON struct {
	Member struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		DeviceID string `json:"device_id"`
	} `json:"member"`
	Societies []struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Members   uint64 `json:"members"`
		Records   uint64 `json:"records"`
		StateHash string `json:"state_hash"`
		Me        string `json:"me"`
	} `json:"societies"`
}

func status(t *testing.T, dir, pass string) statusJSON {
	t.Helper()
	r := runCLI(t, dir, pass, "status", "--json")
	if r.code != 0 {
		t.Fatalf("status --json: exit %d: %s", r.code, r.stderr)
	}
	var st statusJSON
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("status --json is not JSON: %v\n%s", err, r.stdout)
	}
	return st
}

// memberLine returns the member ID printed by init.
func memberLine(t *testing.T, r result) string {
	t.Helper()
	for _, l := range strings.Split(r.stdout, "\n") {
		if id, ok := strings.CutPrefix(l, "member: "); ok {
			return strings.TrimSpace(id)
		}
	}
	t.Fatalf("init printed no member line: %s", r.stdout)
	return ""
}

func TestWalkthrough(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	alice, bob := newHome(t), newHome(t)
	alice.pass, bob.pass = "alice passphrase", "bob passphrase"
	cars := t.TempDir()
	car := func(name string) string { return filepath.Join(cars, name) }

	r := alice.ok(t, "init", "--name", "Alice")
	aliceID := memberLine(t, r)
	if !strings.Contains(r.stdout, "recovery phrase") || len(strings.Fields(strings.SplitN(r.stdout, "recovery phrase", 2)[1])) < 24 {
		t.Fatalf("init output lacks the recovery phrase: %s", r.stdout)
	}
	bobID := memberLine(t, bob.ok(t, "init", "--name", "Bob"))
	if aliceID == bobID || aliceID == "" {
		t.Fatalf("member IDs %q and %q", aliceID, bobID)
	}

	soc := alice.ok(t, "society", "create", "Garden", "Club").last()
	if !strings.HasPrefix(soc, "bafy") {
		t.Fatalf("society create printed %q last, want a CID", soc)
	}
	code := alice.ok(t, "invite", "--uses", "1", "--hours", "48").last()
	if !strings.HasPrefix(code, node.InvitePrefix) {
		t.Fatalf("invite printed %q last, want a code", code)
	}
	if ic, err := node.ParseInviteCode(code); err != nil || ic.Society.String() != soc || ic.Name != "Garden Club" {
		t.Fatalf("invite code %+v, %v", ic, err)
	}

	if got := alice.ok(t, "export", "--records", car("a1.car")).last(); got != car("a1.car") {
		t.Fatalf("export printed %q last", got)
	}
	bob.ok(t, "import", car("a1.car"))
	r = bob.ok(t, "join", code)
	if !strings.Contains(r.stdout, "asked to join \"Garden Club\"") || r.last() != soc {
		t.Fatalf("join printed %q", r.stdout)
	}
	if st := status(t, bob.dir, bob.pass); len(st.Societies) != 1 || st.Societies[0].Me != "waiting" || st.Societies[0].Members != 1 {
		t.Fatalf("Bob waiting: %+v", st)
	}
	bob.ok(t, "export", "--records", car("b1.car"))
	if r := alice.ok(t, "import", car("b1.car")); !strings.Contains(r.stdout, "admitted 1") || !strings.Contains(r.stdout, "stored 1,") {
		t.Fatalf("Alice's import of the join printed %q", r.stdout)
	}
	alice.ok(t, "export", "--records", car("a2.car"))
	if r := bob.ok(t, "import", car("a2.car")); !strings.Contains(r.stdout, "admitted 0") {
		t.Fatalf("Bob's import of the admission printed %q", r.stdout)
	}
	if r := bob.ok(t, "profile", "set", "--name", "Robert", "--skills", "go, plumbing,,", "--bio", "fixes things"); r.last() != "profile updated" {
		t.Fatalf("profile set printed %q", r.stdout)
	}
	// A relative export path is taken from the working directory.
	t.Chdir(cars)
	bob.ok(t, "export", "--records", "b2.car")
	r = alice.ok(t, "import", car("b2.car"))
	if !strings.Contains(r.stdout, "stored 1,") {
		t.Fatalf("Alice's import of the profile printed %q", r.stdout)
	}
	importHash := strings.TrimPrefix(r.last(), "state ")

	as, bs := status(t, alice.dir, alice.pass), status(t, bob.dir, "")
	if as.Member.ID != aliceID || as.Member.Name != "Alice" || bs.Member.ID != bobID || bs.Member.Name != "Robert" {
		t.Fatalf("members: Alice %+v, Bob %+v", as.Member, bs.Member)
	}
	if len(as.Societies) != 1 || len(bs.Societies) != 1 {
		t.Fatalf("societies: Alice %+v, Bob %+v", as.Societies, bs.Societies)
	}
	a, b := as.Societies[0], bs.Societies[0]
	if a.ID != soc || b.ID != soc || a.Name != "Garden Club" || b.Name != "Garden Club" {
		t.Fatalf("society: Alice %+v, Bob %+v", a, b)
	}
	if a.Members != 2 || b.Members != 2 || a.Records != b.Records || a.Records != 5 || a.StateHash != b.StateHash || a.StateHash != importHash || len(a.StateHash) != 64 {
		t.Fatalf("diverged: Alice %+v, Bob %+v (import said %s)", a, b, importHash)
	}
	if a.Me != "founder" || b.Me != "member" {
		t.Fatalf("standing: Alice %q, Bob %q", a.Me, b.Me)
	}

	// The text status says the same.
	r = runCLI(t, bob.dir, "", "status")
	for _, want := range []string{"member  Robert (" + bobID + ")", "society Garden Club", "me       member", "members  2", "state    " + b.StateHash} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}
	// A second join is refused and changes nothing.
	if r := runCLI(t, bob.dir, bob.pass, "join", code); r.code != 1 || !strings.Contains(r.stderr, "already") {
		t.Fatalf("second join: exit %d, %s", r.code, r.stderr)
	}
	if st := status(t, bob.dir, ""); st.Societies[0].StateHash != b.StateHash {
		t.Fatalf("a refused join changed the state: %+v", st)
	}
}

func TestBadInput(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	soc := h.ok(t, "society", "create", "Garden").last()
	car := filepath.Join(t.TempDir(), "garden.car")
	h.ok(t, "export", "--records", car)
	before := runCLI(t, h.dir, "", "status", "--json")
	if before.code != 0 {
		t.Fatal(before.stderr)
	}
	missing := filepath.Join(t.TempDir(), "missing.car")

	tests := []struct {
		name string
		pass string // "" : the home's passphrase
		args []string
		code int
		want string // in stderr
	}{
		{"unknown command", "", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"no command", "", nil, 2, "usage"},
		{"unknown global flag", "", []string{"--bogus", "status"}, 2, "there is no option --bogus for this command"},
		{"unknown flag", "", []string{"status", "--bogus"}, 2, "status: there is no option --bogus for this command"},
		{"unknown flag after argument", "", []string{"import", car, "--force"}, 2, "-force"},
		{"bad flag value", "", []string{"invite", "--uses", "many"}, 2, `invite: --uses: "many" is not a whole number`},
		{"zero uses", "", []string{"invite", "--uses", "0"}, 2, "--uses"},
		{"join notacode", "", []string{"join", "notacode"}, 2, "invite code"},
		{"join truncated code", "", []string{"join", node.InvitePrefix + "abc"}, 2, "invite code"},
		{"join without code", "", []string{"join"}, 2, "want 1 argument"},
		{"society without name", "", []string{"society", "create"}, 2, "NAME is required"},
		{"society blank name", "", []string{"society", "create", "  "}, 2, "NAME is required"},
		{"society bad subcommand", "", []string{"society", "delete", "x"}, 2, "society create NAME"},
		{"profile without fields", "", []string{"profile", "set"}, 2, "at least one of"},
		{"export without file", "", []string{"export"}, 2, "--records"},
		{"import two files", "", []string{"import", car, car}, 2, "want 1 argument"},
		{"init without name", "", []string{"init"}, 2, "--name is required"},
		{"init twice", "", []string{"init", "--name", "Again"}, 1, "already holds an identity"},
		{"import missing file", "", []string{"import", missing}, 1, "no such file"},
		{"export unknown society", "", []string{"export", "--society", "bafynotacid", "--records", car}, 1, "no such society"},
		{"wrong passphrase: society", "wrong passphrase", []string{"society", "create", "Other"}, 1, "passphrase"},
		{"wrong passphrase: invite", "wrong passphrase", []string{"invite"}, 1, "passphrase"},
		{"wrong passphrase: import", "wrong passphrase", []string{"import", car}, 1, "passphrase"},
		{"wrong passphrase: profile", "wrong passphrase", []string{"profile", "set", "--name", "Mallory"}, 1, "passphrase"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pass := tc.pass
			if pass == "" {
				pass = h.pass
			}
			r := runCLI(t, h.dir, pass, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, tc.code, r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "commons-node: ") && tc.args != nil {
				t.Errorf("stderr %q does not start with the program name", r.stderr)
			}
			if !strings.Contains(r.stderr, tc.want) {
				t.Errorf("stderr %q lacks %q", r.stderr, tc.want)
			}
			if tc.code == 2 && !strings.Contains(r.stderr, "usage") {
				t.Errorf("a usage error does not point to the usage: %q", r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("a failed command printed %q", r.stdout)
			}
		})
	}
	after := runCLI(t, h.dir, "", "status", "--json")
	if after.code != 0 || after.stdout != before.stdout {
		t.Fatalf("bad commands changed the status:\nbefore %s\nafter  %s", before.stdout, after.stdout)
	}
	if st := status(t, h.dir, ""); st.Member.Name != "Alice" || len(st.Societies) != 1 || st.Societies[0].ID != soc || st.Societies[0].Records != 1 {
		t.Fatalf("status after bad commands: %+v", st)
	}

	// Help goes to stdout with exit 0.
	for _, args := range [][]string{{"--help"}, {"help"}} {
		r := runCLI(t, h.dir, "", args...)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "usage: commons-node") {
			t.Errorf("%v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
	// A home without an identity says so.
	empty := filepath.Join(t.TempDir(), "empty")
	if r := runCLI(t, empty, "", "status"); r.code != 1 || !strings.Contains(r.stderr, "no identity") {
		t.Errorf("status of an empty home: exit %d, %s", r.code, r.stderr)
	}
	// The identity's recovery phrase needs the right passphrase.
	if r := runCLI(t, h.dir, "wrong", "identity", "phrase"); r.code != 1 || !strings.Contains(r.stderr, "passphrase") || r.stdout != "" {
		t.Errorf("identity phrase with a wrong passphrase: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := h.ok(t, "identity", "phrase"); len(strings.Fields(r.stdout)) != 24 {
		t.Errorf("identity phrase printed %q", r.stdout)
	}
}

// serve opens the node of a home in the test process and serves its
// control socket until the test ends or stop is called.
func serve(t *testing.T, h home) (n *node.Node, stop func()) {
	t.Helper()
	id, err := identity.Load(node.Paths{Home: h.dir}.Identity(), []byte(h.pass))
	if err != nil {
		t.Fatal(err)
	}
	n, err = node.Open(h.dir, id, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := node.Listen(node.Paths{Home: h.dir}, n)
	if err != nil {
		n.Close()
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
		n.Close()
	}
	t.Cleanup(stop)
	return n, stop
}

func TestThroughSocket(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	n, stop := serve(t, h)
	if _, err := node.Dial(node.Paths{Home: h.dir}); err != nil {
		t.Fatal(err)
	}

	// No passphrase from here on: the serving node holds the keys (and the
	// store: opening it here would fail on Badger's directory lock).
	soc := runCLI(t, h.dir, "", "society", "create", "Garden")
	if soc.code != 0 || !strings.HasPrefix(soc.last(), "bafy") {
		t.Fatalf("society create through the socket: exit %d, %q %q", soc.code, soc.stdout, soc.stderr)
	}
	if r := runCLI(t, h.dir, "", "profile", "set", "--name", "Alicia", "--skills", "Compost"); r.code != 0 || r.last() != "profile updated" {
		t.Fatalf("profile set through the socket: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	inv := runCLI(t, h.dir, "", "invite")
	if inv.code != 0 || !strings.HasPrefix(inv.last(), node.InvitePrefix) {
		t.Fatalf("invite through the socket: exit %d, %q %q", inv.code, inv.stdout, inv.stderr)
	}
	st := status(t, h.dir, "")
	want, err := n.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Member.Name != "Alicia" || want.Member.Name != "Alicia" || len(st.Societies) != 1 {
		t.Fatalf("status through the socket: %+v", st)
	}
	if s := st.Societies[0]; s.ID != soc.last() || s.ID != want.Societies[0].ID || s.StateHash != want.Societies[0].StateHash || s.Records != 3 || s.Me != "founder" {
		t.Fatalf("status through the socket %+v, node says %+v", s, want.Societies[0])
	}
	car := filepath.Join(t.TempDir(), "garden.car")
	if r := runCLI(t, h.dir, "", "export", "--records", car); r.code != 0 || !strings.Contains(r.stdout, "exported 3 records") {
		t.Fatalf("export through the socket: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, h.dir, "", "import", car); r.code != 0 || !strings.Contains(r.stdout, "already held 3") {
		t.Fatalf("import through the socket: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	// Errors of the serving node come back with exit status 1.
	if r := runCLI(t, h.dir, "", "invite", "--society", "bafynope"); r.code != 1 || !strings.Contains(r.stderr, "no such society") {
		t.Fatalf("invite of an unknown society through the socket: exit %d, %q", r.code, r.stderr)
	}
	// A second server on the same home is refused.
	if r := runCLI(t, h.dir, h.pass, "run"); r.code != 1 || !strings.Contains(r.stderr, "already serves") {
		t.Fatalf("run while another process serves: exit %d, %q", r.code, r.stderr)
	}

	// Once the server stops, status opens the store itself and sees the
	// same state without the passphrase.
	stop()
	if _, err := node.Dial(node.Paths{Home: h.dir}); !errors.Is(err, node.ErrNotRunning) {
		t.Fatalf("Dial after stop: %v", err)
	}
	if st2 := status(t, h.dir, ""); st2.Member.Name != "Alicia" || st2.Societies[0].StateHash != st.Societies[0].StateHash {
		t.Fatalf("local status after the server stopped: %+v, want %+v", st2, st)
	}
}
