//go:build unix

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/node"
)

// TestGovernanceCommands: a proposal created in one home, voted from two
// members whose records travel as CAR files, recounts identically in both
// homes; bad input is refused with a clear error and writes nothing.
func TestGovernanceCommands(t *testing.T) {
	alice, bob, aliceID, bobID := oakPair(t)

	yn := alice.ok(t, "proposal", "create", "--title", "Buy a mower", "--method", "yesno", "--quorum", "1/2", "--threshold", "1/2").last()
	rk := alice.ok(t, "proposal", "create", "--title", "Picnic place", "--method", "irv", "--options", "park,beach,hill", "--topic", "fun").last()
	before := alice.ok(t, "status", "--json").stdout
	refuses(t, alice, []cliCase{
		{"no subcommand", []string{"proposal"}, 2, "proposal create|list|show|recount|close"},
		{"no title", []string{"proposal", "create", "--method", "yesno"}, 2, "--title and --method are required"},
		{"bad fraction", []string{"proposal", "create", "--title", "x", "--method", "yesno", "--quorum", "3/2"}, 2, `--quorum "3/2"`},
		{"bad closes", []string{"proposal", "create", "--title", "x", "--method", "consent", "--closes", "soon"}, 2, `--closes "soon"`},
		{"cost of no option", []string{"proposal", "create", "--title", "x", "--method", "budget-mes", "--options", "a,b", "--costs", "c=3"}, 2, `--costs names "c"`},
		{"unknown method", []string{"proposal", "create", "--title", "x", "--method", "lottery"}, 1, `unknown voting method "lottery"`},
		{"one option", []string{"proposal", "create", "--title", "x", "--method", "approval", "--options", "a"}, 1, "needs 2 to 64 options"},
		{"unknown council", []string{"proposal", "create", "--title", "x", "--method", "consent", "--council", "bafyfoo/0"}, 1, "council"},
		{"two ballot shapes", []string{"vote", yn, "--choice", "yes", "--rank", "a"}, 2, "exactly one of"},
		{"no ballot", []string{"vote", yn}, 2, "exactly one of"},
		{"bad points", []string{"vote", yn, "--score", "a4"}, 2, `--score "a4"`},
		{"wrong shape for the method", []string{"vote", yn, "--rank", "park"}, 1, "a yesno ballot gives a choice, not a rank"},
		{"unknown choice", []string{"vote", yn, "--choice", "maybe"}, 1, `choice "maybe"`},
		{"ranking repeats", []string{"vote", rk, "--rank", "park,hill,park"}, 1, `option "park" appears twice`},
		{"ranking unknown", []string{"vote", rk, "--rank", "park,moon"}, 1, `unknown option "moon"`},
		{"unknown proposal", []string{"vote", "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "--choice", "yes"}, 1, "no proposal"},
		{"not an ID", []string{"proposal", "show", "nope"}, 1, "not a proposal ID"},
		{"close too early", []string{"proposal", "close", yn}, 1, "can be closed from"},
		{"delegate to self", []string{"delegate", "--to", aliceID}, 1, "cannot delegate to yourself"},
		{"delegate to nobody", []string{"delegate", "--to", "Zed"}, 1, `no member "Zed"`},
		{"delegate without --to", []string{"delegate"}, 2, "--to MEMBER is required"},
		{"join the root", []string{"council", "join", "root"}, 1, "every member is in the root council"},
		{"create council without kind", []string{"council", "create", "Bakery"}, 1, `council kind ""`},
	})
	if after := alice.ok(t, "status", "--json").stdout; after != before {
		t.Fatalf("refused commands changed the state:\n%s\n%s", before, after)
	}

	// Bob votes on both, having received them; Alice votes and changes
	// her mind; the records travel back.
	carry(t, alice, bob)
	bob.ok(t, "vote", yn, "--choice", "yes")
	bob.ok(t, "vote", rk, "--rank", "beach,park")
	alice.ok(t, "vote", yn, "--choice", "no")
	alice.ok(t, "vote", yn, "--choice", "yes")
	alice.ok(t, "vote", rk, "--rank", "hill,park")
	carry(t, bob, alice)
	carry(t, alice, bob)

	recount := func(h home, id string) governance.Result {
		t.Helper()
		var res governance.Result
		if err := json.Unmarshal([]byte(h.ok(t, "proposal", "recount", id, "--json").stdout), &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, id := range []string{yn, rk} {
		a, b := recount(alice, id), recount(bob, id)
		aj, _ := json.Marshal(a)
		bj, _ := json.Marshal(b)
		if string(aj) != string(bj) {
			t.Fatalf("the homes recount %s differently:\n%s\n%s", id, aj, bj)
		}
		if len(a.Ballots) != 2 || a.Status != governance.StatusOpen || !a.Provisional {
			t.Fatalf("recount %s: %+v", id, a)
		}
		for _, cb := range a.Ballots {
			if cb.Voter != aliceID && cb.Voter != bobID {
				t.Fatalf("ballot of %q, not a member ID", cb.Voter)
			}
		}
	}
	if res := recount(bob, yn); res.YesNo == nil || res.YesNo.Yes != 2 || !res.Passed {
		t.Fatalf("yes/no: %+v", res.YesNo)
	}
	// IRV elects one winner, with its rounds.
	if res := recount(bob, rk); res.Ranked == nil || len(res.Winners) != 1 || len(res.Ranked.Rounds) == 0 {
		t.Fatalf("irv: %+v", res.Ranked)
	}
	out := bob.ok(t, "proposal", "recount", yn).stdout
	if !strings.Contains(out, "open (provisional)") || !strings.Contains(out, aliceID) || !strings.Contains(out, "yes 2, no 0") {
		t.Fatalf("proposal recount printed:\n%s", out)
	}
	var list []node.ProposalInfo
	if err := json.Unmarshal([]byte(bob.ok(t, "proposal", "list", "--json").stdout), &list); err != nil || len(list) != 2 || list[0].ID != rk {
		t.Fatalf("proposal list --json: %+v %v", list, err)
	}
	// Bob delegates to Alice for the "fun" topic, and takes it back.
	bob.ok(t, "delegate", "--to", "Alice", "--topic", "fun")
	bob.ok(t, "undelegate", "--topic", "fun")
	if out := alice.ok(t, "council", "list").stdout; !strings.Contains(out, "root  Society") {
		t.Fatalf("council list printed %q", out)
	}
}
