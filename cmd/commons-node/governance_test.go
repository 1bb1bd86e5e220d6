//go:build unix

package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

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
		{"delegation without list", []string{"delegation"}, 2, "delegation list"},
		{"delegations of an unknown council", []string{"delegation", "list", "--council", "bafyfoo/0"}, 1, "no council bafyfoo/0"},
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
	if out := bob.ok(t, "proposal", "show", yn).stdout; !strings.Contains(out, "running peers close it from") || !strings.Contains(out, "grace of 24h0m0s") {
		t.Fatalf("proposal show printed:\n%s", out)
	}
	var list []node.ProposalInfo
	if err := json.Unmarshal([]byte(bob.ok(t, "proposal", "list", "--json").stdout), &list); err != nil || len(list) != 2 || list[0].ID != rk {
		t.Fatalf("proposal list --json: %+v %v", list, err)
	}
	// Bob delegates to Alice for the "fun" topic, and takes it back.
	bob.ok(t, "delegate", "--to", "Alice", "--topic", "fun")
	if out := bob.ok(t, "delegation", "list").stdout; !strings.Contains(out, "You give your vote:") ||
		!strings.Contains(out, "Society  fun    to Alice ("+aliceID+")") || !strings.Contains(out, "Members who give you their vote:\n  none") {
		t.Fatalf("delegation list printed:\n%s", out)
	}
	var ds node.DelegationsInfo
	if err := json.Unmarshal([]byte(bob.ok(t, "delegation", "list", "--council", "root", "--json").stdout), &ds); err != nil ||
		len(ds.Given) != 1 || ds.Given[0].To != aliceID || ds.Given[0].Topic != "fun" || len(ds.Received) != 0 {
		t.Fatalf("delegation list --json: %+v %v", ds, err)
	}
	bob.ok(t, "undelegate", "--topic", "fun")
	if out := bob.ok(t, "delegation", "list").stdout; !strings.Contains(out, "You give your vote:\n  none") {
		t.Fatalf("delegation list after undelegating printed:\n%s", out)
	}
	if out := alice.ok(t, "council", "list").stdout; !strings.Contains(out, "root  Society") {
		t.Fatalf("council list printed %q", out)
	}
}

// TestGovernanceRefusals: ballots and delegations that break a proposal's
// rule, a vote on a closed proposal and a vote from outside the electorate
// are refused with an error in the user's terms, and write nothing.
func TestGovernanceRefusals(t *testing.T) {
	alice, _, _, _ := oakPair(t)
	create := func(args ...string) string {
		t.Helper()
		return alice.ok(t, append([]string{"proposal", "create", "--title", "Q"}, args...)...).last()
	}
	score := create("--method", "score", "--options", "a,b,c", "--score-max", "5")
	dots := create("--method", "dots", "--options", "a,b", "--dots", "3")
	quad := create("--method", "quadratic", "--options", "a,b", "--credits", "9")
	appr := create("--method", "approval", "--options", "a,b,c")
	short := create("--method", "consent", "--closes", "3s", "--grace", "1s")
	carol := newHome(t)
	carol.dir += "-carol"
	carolID := memberLine(t, carol.ok(t, "init", "--name", "Carol"))
	eventually(t, 30*time.Second, func() (bool, string) {
		var d node.ProposalDetail
		out := alice.ok(t, "proposal", "show", short, "--json").stdout
		return json.Unmarshal([]byte(out), &d) == nil && d.Info.Status == governance.StatusClosing, "still open: " + out
	})
	before := alice.ok(t, "status", "--json").stdout
	refuses(t, alice, []cliCase{
		{"score over the maximum", []string{"vote", score, "--score", "a=6"}, 1, `score 6 for "a" is outside 0 to 5`},
		{"negative score", []string{"vote", score, "--score", "a=-1"}, 1, `score -1 for "a" is outside 0 to 5`},
		{"score for an unknown option", []string{"vote", score, "--score", "d=2"}, 1, `unknown option "d"`},
		{"score twice for one option", []string{"vote", score, "--score", "a=2,a=3"}, 1, `option "a" appears twice`},
		{"dots over the budget", []string{"vote", dots, "--dots", "a=2,b=2"}, 1, "4 dots given, 3 per voter"},
		{"credits over the budget", []string{"vote", quad, "--credits", "a=3,b=1"}, 1, "cost 10 credits (n votes cost n²), over the budget of 9"},
		{"approval repeats", []string{"vote", appr, "--approve", "a,a"}, 1, `option "a" appears twice`},
		{"vote on a closed proposal", []string{"vote", short, "--choice", "consent"}, 1, "voting closed at"},
		{"delegate to a non-member", []string{"delegate", "--to", carolID}, 1, "no member"},
		{"delegate to the community account", []string{"delegate", "--to", "community"}, 1, "community account cannot vote"},
	})
	if after := alice.ok(t, "status", "--json").stdout; after != before {
		t.Fatalf("refused commands changed the state:\n%s\n%s", before, after)
	}
	// Carol joins after the proposals opened: she is not in their electorate.
	code := alice.ok(t, "invite").last()
	carry(t, alice, carol)
	carol.ok(t, "join", code)
	carry(t, carol, alice)
	carry(t, alice, carol)
	before = carol.ok(t, "status", "--json").stdout
	refuses(t, carol, []cliCase{
		{"vote from outside the electorate", []string{"vote", appr, "--approve", "a"}, 1, "not in this proposal's electorate"},
	})
	if after := carol.ok(t, "status", "--json").stdout; after != before {
		t.Fatalf("a refused vote changed the state:\n%s\n%s", before, after)
	}
}
