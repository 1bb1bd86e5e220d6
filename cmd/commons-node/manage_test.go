package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commons-society/commons/node"
)

// deviceLine returns the device ID printed by init.
func deviceLine(t *testing.T, r result) string {
	t.Helper()
	for _, l := range strings.Split(r.stdout, "\n") {
		if id, ok := strings.CutPrefix(l, "device: "); ok {
			return strings.TrimSpace(id)
		}
	}
	t.Fatalf("init printed no device line: %s", r.stdout)
	return ""
}

// members runs 'members --json' in a home and returns the listing by name.
func members(t *testing.T, dir string) (map[string]node.MemberInfo, string) {
	t.Helper()
	r := runCLI(t, dir, "", "members", "--json")
	if r.code != 0 {
		t.Fatalf("members --json: exit %d: %s", r.code, r.stderr)
	}
	var ms []node.MemberInfo
	if err := json.Unmarshal([]byte(r.stdout), &ms); err != nil {
		t.Fatalf("members --json is not JSON: %v\n%s", err, r.stdout)
	}
	out := map[string]node.MemberInfo{}
	for _, m := range ms {
		out[m.Name] = m
	}
	if len(out) != len(ms) {
		t.Fatalf("members --json repeats a name: %s", r.stdout)
	}
	return out, r.stdout
}

// TestManageCommands runs members, invite revoke, remove, device revoke and
// leave once each; Alice's commands go through her node's control socket,
// Bob's and Carol's open their stores.
func TestManageCommands(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	alice, bob, carol := newHome(t), newHome(t), newHome(t)
	alice.pass, bob.pass, carol.pass = "alice passphrase", "bob passphrase", "carol passphrase"
	cars := t.TempDir()
	car := func(name string) string { return filepath.Join(cars, name) }

	aliceID := memberLine(t, alice.ok(t, "init", "--name", "Alice"))
	bobID := memberLine(t, bob.ok(t, "init", "--name", "Bob"))
	r := carol.ok(t, "init", "--name", "Carol")
	carolID, carolDev := memberLine(t, r), deviceLine(t, r)
	_, stop := serve(t, alice)

	alice.ok(t, "society", "create", "Garden")
	code := alice.ok(t, "invite", "--uses", "2").last()
	alice.ok(t, "export", "--records", car("a1.car"))
	for _, h := range []home{bob, carol} {
		h.ok(t, "import", car("a1.car"))
		h.ok(t, "join", code)
	}
	bob.ok(t, "export", "--records", car("b1.car"))
	carol.ok(t, "export", "--records", car("c1.car"))
	for _, f := range []string{"b1.car", "c1.car"} {
		if r := alice.ok(t, "import", car(f)); !strings.Contains(r.stdout, "admitted 1") {
			t.Fatalf("Alice's import of %s printed %q", f, r.stdout)
		}
	}
	alice.ok(t, "export", "--records", car("a2.car"))
	bob.ok(t, "import", car("a2.car"))
	carol.ok(t, "import", car("a2.car"))

	ms, _ := members(t, alice.dir)
	want := map[string]string{"Alice": aliceID, "Bob": bobID, "Carol": carolID}
	if len(ms) != 3 {
		t.Fatalf("members: %+v", ms)
	}
	for name, id := range want {
		if m := ms[name]; m.ID != id || m.Status != "active" || len(m.Devices) != 1 {
			t.Errorf("members lists %s as %+v", name, m)
		}
	}
	if ms["Carol"].Devices[0] != carolDev {
		t.Fatalf("Carol's devices %v, want [%s]", ms["Carol"].Devices, carolDev)
	}

	// A member may not remove anyone; nothing changes.
	before := status(t, bob.dir, "")
	r = runCLI(t, bob.dir, bob.pass, "remove", "Carol", "--reason", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "only the society's founder may do this") || r.stdout != "" {
		t.Fatalf("remove by a member: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if after := status(t, bob.dir, ""); after.Societies[0].StateHash != before.Societies[0].StateHash {
		t.Fatalf("a refused remove changed Bob's state")
	}

	// Invite revocation by code, once.
	code2 := alice.ok(t, "invite").last()
	if r := alice.ok(t, "invite", "revoke", code2); r.last() != "invite revoked" {
		t.Fatalf("invite revoke printed %q", r.stdout)
	}
	if r := runCLI(t, alice.dir, "", "invite", "revoke", code2); r.code != 1 || !strings.Contains(r.stderr, "already revoked") {
		t.Fatalf("second invite revoke: exit %d, %q", r.code, r.stderr)
	}

	if r := alice.ok(t, "device", "revoke", carolDev); r.last() != "device revoked" {
		t.Fatalf("device revoke printed %q", r.stdout)
	}
	// With three members, removing one is a decision of them all.
	r = runCLI(t, alice.dir, alice.pass, "remove", "Carol", "--reason", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "proposal create --council root") || r.stdout != "" {
		t.Fatalf("remove with three members: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := bob.ok(t, "leave"); r.last() != "left the society" {
		t.Fatalf("leave printed %q", r.stdout)
	}
	bob.ok(t, "export", "--records", car("b2.car"))
	alice.ok(t, "import", car("b2.car"))
	// Two active members: the founder removes alone.
	if r := alice.ok(t, "remove", "Carol", "--reason", "x"); r.last() != "member removed" {
		t.Fatalf("remove printed %q", r.stdout)
	}

	ms, viaSocket := members(t, alice.dir)
	for name, st := range map[string]string{"Alice": "active", "Bob": "left", "Carol": "removed"} {
		if ms[name].Status != st {
			t.Errorf("members lists %s as %+v, want %s", name, ms[name], st)
		}
	}
	if st := status(t, alice.dir, ""); st.Societies[0].Members != 1 {
		t.Fatalf("Alice's status after the departures: %+v", st)
	}
	// Without the server, the store opened in process lists the same.
	stop()
	if _, local := members(t, alice.dir); local != viaSocket {
		t.Fatalf("members without the socket:\n%s\nthrough it:\n%s", local, viaSocket)
	}
	r = runCLI(t, alice.dir, "", "members")
	for _, w := range []string{"Bob", "left", "Carol", "removed", bobID} {
		if r.code != 0 || !strings.Contains(r.stdout, w) {
			t.Errorf("members lacks %q: exit %d\n%s", w, r.code, r.stdout)
		}
	}
}
