//go:build unix

package main

import (
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/node"
)

// balanceJSON is the part of 'balance --json' the tests read.
type balanceJSON struct {
	Member  string `json:"member"`
	Name    string `json:"name"`
	Minutes int64  `json:"minutes"`
}

func balanceOf(t *testing.T, h home, args ...string) balanceJSON {
	t.Helper()
	r := h.ok(t, append([]string{"balance", "--json"}, args...)...)
	var b balanceJSON
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("balance --json is not JSON: %v\n%s", err, r.stdout)
	}
	return b
}

// carry exports from's records and imports them into to.
func carry(t *testing.T, from, to home) {
	t.Helper()
	car := filepath.Join(t.TempDir(), "records.car")
	from.ok(t, "export", "--records", car)
	to.ok(t, "import", car)
}

// cliCase is a command expected to be refused with exit code code and
// want in its error.
type cliCase = struct {
	name string
	args []string
	code int
	want string
}

// refuses runs each case as h and expects its refusal, with nothing on
// stdout.
func refuses(t *testing.T, h home, cases []cliCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, h.dir, h.pass, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
				t.Fatalf("exit %d (want %d), stderr %q (want %q), stdout %q", r.code, tc.code, r.stderr, tc.want, r.stdout)
			}
		})
	}
}

// oakPair makes two homes, Alice's and Bob's, members of the society Oak
// that Alice founded, with each other's records (carried as CAR files).
func oakPair(t *testing.T) (alice, bob home, aliceID, bobID string) {
	t.Helper()
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	alice, bob = newHome(t), newHome(t)
	bob.dir += "-bob"
	aliceID = memberLine(t, alice.ok(t, "init", "--name", "Alice"))
	bobID = memberLine(t, bob.ok(t, "init", "--name", "Bob"))
	alice.ok(t, "society", "create", "Oak")
	code := alice.ok(t, "invite").last()
	carry(t, alice, bob)
	bob.ok(t, "join", code)
	carry(t, bob, alice)
	carry(t, alice, bob)
	return alice, bob, aliceID, bobID
}

// TestHoursCommands: the time-bank commands between two homes that
// exchange CAR files, and their refusals.
func TestHoursCommands(t *testing.T) {
	alice, bob, aliceID, bobID := oakPair(t)

	before := alice.ok(t, "status", "--json").stdout
	refuses(t, alice, []cliCase{
		{"no subcommand", []string{"hours"}, 2, "hours give|pay"},
		{"unknown subcommand", []string{"hours", "lend"}, 2, "unknown subcommand"},
		{"give without --to", []string{"hours", "give", "--minutes", "5", "--skill", "x"}, 2, "--to"},
		{"give without --skill", []string{"hours", "give", "--to", "Bob", "--minutes", "5"}, 2, "--skill"},
		{"give without minutes", []string{"hours", "give", "--to", "Bob", "--skill", "x"}, 2, "--minutes"},
		{"minutes and hours", []string{"hours", "give", "--to", "Bob", "--minutes", "5", "--hours", "1", "--skill", "x"}, 2, "not both"},
		{"bad hours", []string{"hours", "give", "--to", "Bob", "--hours", "lots", "--skill", "x"}, 2, "--hours"},
		{"too many minutes", []string{"hours", "pay", "--to", "Bob", "--minutes", "6001", "--skill", "x"}, 2, "6000"},
		{"pool on give", []string{"hours", "give", "--from-pool", "--to", "Bob", "--minutes", "5", "--skill", "x"}, 2, "-from-pool"},
		{"reject without reason", []string{"hours", "reject", "bafyx"}, 2, "--reason"},
		{"confirm without ID", []string{"hours", "confirm"}, 2, "want 1 argument"},
		{"bad review", []string{"hours", "confirm", "bafyx", "--review", "meh"}, 2, "satisfied"},
		{"dispute without reason", []string{"hours", "dispute", "bafyx"}, 2, "--reason"},
		{"csv and json", []string{"statement", "--csv", "--json"}, 2, "not both"},
		{"two balances", []string{"balance", "Alice", "Bob"}, 2, "at most one"},
		{"unknown member", []string{"hours", "give", "--to", "Zed", "--minutes", "5", "--skill", "x"}, 1, `no member "Zed"`},
		{"oneself", []string{"hours", "give", "--to", "alice", "--minutes", "5", "--skill", "x"}, 1, "yourself"},
		{"past the limit", []string{"hours", "pay", "--to", "Bob", "--hours", "21", "--skill", "x"}, 1, "below the society's minimum of -20 h"},
		{"not an ID", []string{"hours", "confirm", "nope"}, 1, "not a transfer ID"},
		{"pool past its floor", []string{"hours", "pay", "--from-pool", "--to", "Bob", "--minutes", "5", "--skill", "x"}, 1, "community account"},
		{"unknown balance", []string{"balance", "Zed"}, 1, "no member"},
	})
	if after := alice.ok(t, "status", "--json").stdout; after != before {
		t.Fatalf("refused commands changed the state:\n%s\n%s", before, after)
	}

	r := alice.ok(t, "hours", "give", "--to", "Bob", "--hours", "1.5", "--skill", "Gardening", "--note", "hedges")
	id := r.last()
	if !strings.HasPrefix(id, "bafy") || !strings.Contains(r.stdout, "Bob pays Alice 1 h 30 min (pending) for gardening: hedges") {
		t.Fatalf("hours give printed %q", r.stdout)
	}
	carry(t, alice, bob)
	var pending []struct {
		ID      string `json:"id"`
		Minutes int64  `json:"minutes"`
		Account string `json:"account"`
	}
	if err := json.Unmarshal([]byte(bob.ok(t, "hours", "pending", "--json").stdout), &pending); err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].ID != id || pending[0].Minutes != -90 || pending[0].Account != bobID {
		t.Fatalf("Bob's pending: %+v", pending)
	}
	if out := bob.ok(t, "hours", "pending").stdout; !strings.Contains(out, id) || !strings.Contains(out, "you would pay Alice 1 h 30 min for gardening") {
		t.Fatalf("hours pending printed %q", out)
	}
	if r := bob.ok(t, "hours", "confirm", id, "--review", "satisfied", "--review-note", "tidy"); r.last() != id || !strings.HasPrefix(r.stdout, "confirmed: ") {
		t.Fatalf("hours confirm printed %q", r.stdout)
	}
	if r := runCLI(t, bob.dir, bob.pass, "hours", "confirm", id); r.code != 1 || !strings.Contains(r.stderr, "already answered") {
		t.Fatalf("second confirm: exit %d, %q", r.code, r.stderr)
	}
	carry(t, bob, alice)

	if b := balanceOf(t, alice); b.Minutes != 90 || b.Member != aliceID || b.Name != "Alice" {
		t.Fatalf("Alice's balance: %+v", b)
	}
	if b := balanceOf(t, alice, "Bob"); b.Minutes != -90 || b.Member != bobID {
		t.Fatalf("Bob's balance on Alice's device: %+v", b)
	}
	if out := alice.ok(t, "balance").stdout; out != "Alice: 1 h 30 min (limits -20 h to 100 h)\n" {
		t.Fatalf("balance printed %q", out)
	}
	if out := alice.ok(t, "hours", "show", id).stdout; !strings.Contains(out, "Bob pays Alice 1 h 30 min (confirmed)") || !strings.Contains(out, "review: satisfied: tidy") {
		t.Fatalf("hours show printed %q", out)
	}
	if out := alice.ok(t, "hours", "list").stdout; !strings.Contains(out, id) {
		t.Fatalf("hours list printed %q", out)
	}
	if out := alice.ok(t, "balance", "community").stdout; out != "community: 0 h (cannot go below 0 h)\n" {
		t.Fatalf("balance community printed %q", out)
	}
	out := alice.ok(t, "statement").stdout
	if head := strings.Fields(strings.Split(out, "\n")[1]); len(head) < 2 || head[0] != "TIME" || head[1] != "HOURS" {
		t.Fatalf("statement columns %q: the amounts are hours and minutes", head)
	}
	for _, want := range []string{"Alice: balance 1 h 30 min", "FLAG", "+1 h 30 min", "Bob", "gardening", "hedges", id} {
		if !strings.Contains(out, want) {
			t.Fatalf("statement lacks %q:\n%s", want, out)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(alice.ok(t, "statement", "--csv").stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || !reflect.DeepEqual(rows[0], node.StatementCSVHeader()) {
		t.Fatalf("statement --csv: %q", rows)
	}
	if row := rows[1]; row[1] != id || row[2] != bobID || row[3] != "Bob" || row[4] != "gardening" || row[5] != "hedges" ||
		row[6] != "90" || row[7] != "90" || row[8] != "false" || row[9] != "false" {
		t.Fatalf("statement --csv row: %q", row)
	}
	if _, err := time.Parse(time.RFC3339, rows[1][0]); err != nil {
		t.Fatalf("statement --csv time: %v", err)
	}
	var st node.StatementInfo
	if err := json.Unmarshal([]byte(bob.ok(t, "statement", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Member != bobID || st.Balance != -90 || len(st.Lines) != 1 || st.Lines[0].Minutes != -90 || st.Lines[0].Counterparty != aliceID {
		t.Fatalf("Bob's statement --json: %+v", st)
	}
}

// poll calls cond until it holds or the deadline passes; it is polling a
// condition, not a sleep used as synchronisation.
func poll(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached in %v: %s", what, timeout, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestHoursThreePeers is the end-to-end test: three 'commons-node
// run' peers on loopback (127.0.0.1 only, no mDNS); A gives B hours, B
// confirms, and all three show the same balances and statements.
func TestHoursThreePeers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	a, b, c := newHome(t), newHome(t), newHome(t)
	b.dir, c.dir = b.dir+"-b", c.dir+"-c"
	ids := map[string]string{}
	for i, h := range []home{a, b, c} {
		name := []string{"Alice", "Bob", "Carol"}[i]
		ids[name] = memberLine(t, h.ok(t, "init", "--name", name))
	}
	pa := startPeer(t, a)
	for _, h := range []home{b, c} {
		startPeer(t, h, "--peer", pa.addr)
	}
	// Through the control sockets: no passphrase needed.
	soc := runCLI(t, a.dir, "", "society", "create", "Elm Street").last()
	for _, h := range []home{b, c} {
		code := runCLI(t, a.dir, "", "invite").last()
		ic, err := node.ParseInviteCode(code)
		if err != nil {
			t.Fatal(err)
		}
		for _, addr := range ic.Addrs { // loopback only
			if !strings.HasPrefix(addr, "/ip4/127.0.0.1/") {
				t.Fatalf("the invite code carries %s", addr)
			}
		}
		if r := runCLI(t, h.dir, "", "join", code); r.code != 0 || !strings.Contains(r.stdout, "joined") {
			t.Fatalf("join: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	cli := func(h home, args ...string) result {
		t.Helper()
		r := runCLI(t, h.dir, "", append(args, "--society", soc)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}

	r := cli(a, "hours", "give", "--to", "Bob", "--minutes", "90", "--skill", "gardening", "--note", "hedges")
	id := r.last()
	if !strings.HasPrefix(id, "bafy") {
		t.Fatalf("hours give printed %q", r.stdout)
	}
	poll(t, "the transfer reaches Bob", 20*time.Second, func() (bool, string) {
		out := cli(b, "hours", "pending", "--json").stdout
		return strings.Contains(out, id), out
	})
	cli(b, "hours", "confirm", id, "--review", "satisfied")

	want := map[string]int64{"Alice": 90, "Bob": -90, "Carol": 0}
	own := map[string]home{"Alice": a, "Bob": b, "Carol": c}
	poll(t, "identical balances and statements on the three peers", 20*time.Second, func() (bool, string) {
		var seen []string
		for name, w := range want {
			// Each member's own balance, on their own peer.
			var mine balanceJSON
			if err := json.Unmarshal([]byte(cli(own[name], "balance", "--json").stdout), &mine); err != nil {
				t.Fatal(err)
			}
			if mine.Minutes != w || mine.Member != ids[name] {
				return false, name + "'s own balance: " + cli(own[name], "balance").stdout
			}
			// Every member's balance and statement, the same on every peer.
			var bal, stmt string
			for _, h := range []home{a, b, c} {
				hb := cli(h, "balance", ids[name], "--json").stdout
				hs := cli(h, "statement", "--member", name, "--json").stdout
				if bal == "" {
					bal, stmt = hb, hs
				} else if hb != bal || hs != stmt {
					return false, "peers differ on " + name + ":\n" + bal + hb + stmt + hs
				}
			}
			var sb balanceJSON
			var st node.StatementInfo
			if err := json.Unmarshal([]byte(bal), &sb); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(stmt), &st); err != nil {
				t.Fatal(err)
			}
			if sb.Minutes != w || st.Balance != w || (w != 0) != (len(st.Lines) == 1) {
				return false, name + ": " + bal + stmt
			}
			if w != 0 && (st.Lines[0].Transfer != id || st.Lines[0].Minutes != w || st.Lines[0].Balance != w || !st.Oldest) {
				t.Fatalf("%s's statement: %+v", name, st)
			}
			seen = append(seen, name)
		}
		return true, strings.Join(seen, ",")
	})
	// The peers hold the same records.
	poll(t, "identical state hashes", 20*time.Second, func() (bool, string) {
		var hashes []string
		for _, h := range []home{a, b, c} {
			st := status(t, h.dir, "")
			if len(st.Societies) != 1 {
				return false, "societies"
			}
			hashes = append(hashes, st.Societies[0].StateHash)
		}
		return hashes[0] == hashes[1] && hashes[1] == hashes[2], strings.Join(hashes, " ")
	})
}
