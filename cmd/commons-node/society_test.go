//go:build unix

package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/commons-society/commons/node"
)

// TestSocietyCommands: invite list, activity and society settings between
// two homes that exchange CAR files, and their refusals.
func TestSocietyCommands(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	alice, bob := newHome(t), newHome(t)
	bob.dir += "-bob"
	memberLine(t, alice.ok(t, "init", "--name", "Alice"))
	memberLine(t, bob.ok(t, "init", "--name", "Bob"))
	alice.ok(t, "society", "create", "Oak")
	if out := alice.ok(t, "invite", "list").stdout; !strings.Contains(out, "no invites yet") {
		t.Fatalf("invite list before any invite: %q", out)
	}
	code := alice.ok(t, "invite", "--uses", "2").last()
	carry(t, alice, bob)
	bob.ok(t, "join", code)
	carry(t, bob, alice)
	carry(t, alice, bob)
	alice.ok(t, "invite", "--hours", "5")

	var invs []node.InviteInfo
	if err := json.Unmarshal([]byte(alice.ok(t, "invite", "list", "--json").stdout), &invs); err != nil {
		t.Fatal(err)
	}
	if len(invs) != 2 || invs[0].Uses != 1 || invs[0].State != node.InviteOpen || invs[1].Used != 1 || invs[1].Uses != 2 || invs[1].State != node.InviteOpen {
		t.Fatalf("invite list --json: %+v", invs)
	}
	alice.ok(t, "invite", "revoke", invs[0].ID)
	out := alice.ok(t, "invite", "list").stdout
	for _, want := range []string{"revoked  0 of 1 used", "open     1 of 2 used", invs[0].ID, invs[1].ID} {
		if !strings.Contains(out, want) {
			t.Fatalf("invite list lacks %q:\n%s", want, out)
		}
	}

	bob.ok(t, "offer", "add", "--skill", "baking", "--description", "Sourdough")
	carry(t, bob, alice)
	out = alice.ok(t, "activity").stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], "Bob offers baking: Sourdough") || !strings.HasSuffix(lines[1], "Bob joined") ||
		!strings.HasSuffix(lines[2], "Alice founded Oak") {
		t.Fatalf("activity printed:\n%s", out)
	}
	var items []node.ActivityItem
	if err := json.Unmarshal([]byte(alice.ok(t, "activity", "--limit", "1", "--json").stdout), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != node.ActivityOffered || items[0].Name != "Bob" || items[0].Skill != "baking" {
		t.Fatalf("activity --json: %+v", items)
	}

	out = bob.ok(t, "society", "settings").stdout
	if out != "society    Oak\nbalances   from -20 h to 100 h\nhalf-life  365 days (reputation)\n" {
		t.Fatalf("society settings printed %q", out)
	}

	before := alice.ok(t, "status", "--json").stdout
	for _, tc := range []struct {
		name string
		h    home
		args []string
		code int
		want string
	}{
		{"not the founder", bob, []string{"society", "settings", "--max-hours", "50"}, 1, "only the society's founder"},
		{"minimum above zero", alice, []string{"society", "settings", "--min-hours", "5"}, 1, "the minimum balance must be zero or below"},
		{"beyond 1000 h", alice, []string{"society", "settings", "--max-hours", "1000.5"}, 1, "within 1000 h"},
		{"no half-life", alice, []string{"society", "settings", "--half-life-days", "0"}, 1, "half-life is 1 to"},
		{"hours not a number", alice, []string{"society", "settings", "--min-hours", "lots"}, 2, "not a number of hours"},
		{"days not a number", alice, []string{"society", "settings", "--half-life-days", "-3"}, 2, "not a number of days"},
		{"unknown subcommand", alice, []string{"society", "rules"}, 2, "society settings"},
		{"bad limit", alice, []string{"activity", "--limit", "0"}, 2, "--limit"},
		{"extra argument", alice, []string{"invite", "list", "now"}, 2, "want 0 argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.h.dir, tc.h.pass, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Fatalf("exit %d (want %d), stderr %q (want %q), stdout %q", r.code, tc.code, r.stderr, tc.want, r.stdout)
			}
		})
	}
	if after := alice.ok(t, "status", "--json").stdout; after != before {
		t.Fatalf("refused commands changed the state:\n%s\n%s", before, after)
	}

	out = alice.ok(t, "society", "settings", "--min-hours", "-7.5", "--half-life-days", "30").stdout
	if out != "settings changed\nsociety    Oak\nbalances   from -7 h 30 min to 100 h\nhalf-life  30 days (reputation)\nyou founded it: you may change these\n" {
		t.Fatalf("society settings (change) printed %q", out)
	}
	carry(t, alice, bob)
	var sj settingsJSON
	if err := json.Unmarshal([]byte(bob.ok(t, "society", "settings", "--json").stdout), &sj); err != nil {
		t.Fatal(err)
	}
	if sj.Name != "Oak" || sj.Founder || sj.Settings.MinBalance != -450 || sj.Settings.MaxBalance != 6000 || sj.Settings.HalfLifeDays != 30 {
		t.Fatalf("society settings --json: %+v", sj)
	}
	if b := balanceOf(t, bob); b.Minutes != 0 {
		t.Fatalf("Bob's balance: %+v", b)
	}
	if out := bob.ok(t, "balance").stdout; out != "Bob: 0 h (limits -7 h 30 min to 100 h)\n" {
		t.Fatalf("balance printed %q", out)
	}
	if out := bob.ok(t, "activity", "--limit", "1").stdout; !strings.Contains(out, "Alice changed the society's settings: balances from -7 h 30 min to 100 h, reputation half-life 30 days") {
		t.Fatalf("activity printed %q", out)
	}
}
