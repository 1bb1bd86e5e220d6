//go:build unix

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/node"
)

// TestTreasuryAndDecisionActions: the treasury lists a donation; a
// proposal's settings action changes only the settings given (the others
// stay as in force); council rule actions take their flags; a spend
// larger than the community account holds, the removal of a stranger or a
// malformed weight is refused and writes nothing.
func TestTreasuryAndDecisionActions(t *testing.T) {
	alice, bob, _, bobID := oakPair(t)
	bob.ok(t, "hours", "pay", "--to", node.CommunityAccount, "--minutes", "45", "--skill", "gift")
	carry(t, bob, alice)
	var tr node.TreasuryInfo
	if err := json.Unmarshal([]byte(alice.ok(t, "treasury", "--json").stdout), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Balance != 45 || tr.In != 45 || tr.Out != 0 || len(tr.Lines) != 1 || tr.Names[tr.Lines[0].Member] != "Bob" {
		t.Fatalf("treasury: %+v", tr)
	}
	if out := alice.ok(t, "treasury").stdout; !strings.Contains(out, "community account: 45 min") || !strings.Contains(out, "from Bob") {
		t.Fatalf("treasury printed:\n%s", out)
	}
	id := alice.ok(t, "proposal", "create", "--title", "Slower decay", "--method", "consent", "--set-half-life", "90").last()
	var d node.ProposalDetail
	if err := json.Unmarshal([]byte(alice.ok(t, "proposal", "show", id, "--json").stdout), &d); err != nil {
		t.Fatal(err)
	}
	if a := d.Proposal.Actions; len(a) != 1 || a[0].Kind != governance.ActSettings || a[0].Settings.HalfLifeDays != 90 ||
		a[0].Settings.MinBalance != -20*60 || a[0].Settings.MaxBalance != 100*60 {
		t.Fatalf("settings action: %+v", d.Proposal.Actions)
	}
	rules := alice.ok(t, "proposal", "create", "--title", "Our rules", "--method", "consent", "--weight", "reputation:3", "--credits-per-month", "50").last()
	d = node.ProposalDetail{}
	if err := json.Unmarshal([]byte(alice.ok(t, "proposal", "show", rules, "--json").stdout), &d); err != nil {
		t.Fatal(err)
	}
	if a := d.Proposal.Actions; len(a) != 2 || a[0].Kind != governance.ActCouncilCredits || a[0].Credits != 50 ||
		a[1].Kind != governance.ActCouncilWeight || a[1].Weight != governance.WeightReputation || a[1].Cap != 3 {
		t.Fatalf("council rule actions: %+v", d.Proposal.Actions)
	}
	if out := alice.ok(t, "proposal", "show", rules).stdout; !strings.Contains(out, "action 1: 50 voice credits a month per member\n") ||
		!strings.Contains(out, "action 2: votes weigh by reputation, at most 3\n") {
		t.Fatalf("proposal show printed:\n%s", out)
	}
	if out := alice.ok(t, "council", "list").stdout; !strings.Contains(out, "100 voice credits a month") {
		t.Fatalf("council list printed %q", out)
	}
	before := alice.ok(t, "status", "--json").stdout
	refuses(t, alice, []cliCase{
		{"spend past the treasury", []string{"proposal", "create", "--title", "x", "--method", "consent", "--spend", bobID + "=46"}, 1,
			"the community account cannot pay 46 min"},
		{"remove a stranger", []string{"proposal", "create", "--title", "x", "--method", "consent",
			"--remove", "12D3KooWPHgCGZkm1tvApQue8hKmJKKW1UXrTT6KyoPEgJVc6ZaY"}, 1, "is not an active member"},
		{"bad weight", []string{"proposal", "create", "--title", "x", "--method", "consent", "--weight", "heavy:2"}, 2, "want equal or reputation:CAP"},
		{"weight cap too high", []string{"proposal", "create", "--title", "x", "--method", "consent", "--weight", "reputation:1000"}, 1, "a cap from 1 to 100"},
	})
	if after := alice.ok(t, "status", "--json").stdout; after != before {
		t.Fatal("refused proposals changed the state")
	}
}
