//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/node"
)

// TestProposalCouncilActions: 'proposal create' takes every action kind
// the ledger carries: --rename, --reparent, --dissolve and --admit write
// exactly that action (naming a council by its ID, here one a proposal
// would create), --fund pays a member for a budget project (its cost,
// or the minutes given); malformed flags and actions the ledger refuses
// write nothing.
func TestProposalCouncilActions(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	alice := home{dir: filepath.Join(t.TempDir(), "demo"), pass: node.DemoPassphrase}
	if err := node.Demo(alice.dir, []byte(node.DemoPassphrase), nil); err != nil {
		t.Fatal(err)
	}
	var councils []governance.Council
	if err := json.Unmarshal([]byte(alice.ok(t, "council", "list", "--json").stdout), &councils); err != nil {
		t.Fatal(err)
	}
	ids := map[string]governance.Council{}
	for _, c := range councils {
		ids[c.Name] = c
	}
	bakery, mill := ids[node.DemoWorkersCouncil].ID, ids[node.DemoConsumersCouncil].ID
	if bakery == "" || mill == "" {
		t.Fatalf("demo councils %+v", councils)
	}
	var bobID string // a member outside the workers' council
	var members []node.MemberInfo
	if err := json.Unmarshal([]byte(alice.ok(t, "members", "--json").stdout), &members); err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if !slices.Contains(ids[node.DemoWorkersCouncil].Members, m.ID) {
			bobID = m.ID
		}
	}
	if bobID == "" {
		bobID = members[len(members)-1].ID
	}
	bobKey, err := node.MemberKey(bobID)
	if err != nil {
		t.Fatal(err)
	}
	show := func(t *testing.T, id string) []governance.Action {
		t.Helper()
		var d node.ProposalDetail
		if err := json.Unmarshal([]byte(alice.ok(t, "proposal", "show", id, "--json").stdout), &d); err != nil {
			t.Fatal(err)
		}
		return d.Proposal.Actions
	}
	for _, c := range []struct {
		name string
		args []string
		want governance.Action
	}{
		{"rename", []string{"--method", "consent", "--rename", bakery + "=Bakehouse"},
			governance.Action{Kind: governance.ActCouncilRename, Council: bakery, Name: "Bakehouse"}},
		{"reparent", []string{"--method", "consent", "--reparent", bakery + "=" + mill},
			governance.Action{Kind: governance.ActCouncilReparent, Council: bakery, Parent: mill}},
		{"dissolve", []string{"--method", "yesno", "--quorum", "1/2", "--threshold", "1/2", "--dissolve", mill},
			governance.Action{Kind: governance.ActCouncilDissolve, Council: mill}},
		{"admit", []string{"--method", "consent", "--council", bakery, "--admit", bobID},
			governance.Action{Kind: governance.ActCouncilAdmit, Member: bobKey}},
		{"fund at cost", []string{"--method", "budget-mes", "--options", "oven,van", "--costs", "oven=20,van=30", "--budget", "40",
			"--fund", "van=" + bobID}, governance.Action{Kind: governance.ActSpend, Member: bobKey, Project: "van", Amount: 30}},
		{"fund some minutes", []string{"--method", "budget-greedy", "--options", "oven,van", "--costs", "oven=20,van=30", "--budget", "40",
			"--fund", "oven=" + bobID + ":15"}, governance.Action{Kind: governance.ActSpend, Member: bobKey, Project: "oven", Amount: 15}},
	} {
		t.Run(c.name, func(t *testing.T) {
			id := alice.ok(t, append([]string{"proposal", "create", "--title", c.name}, c.args...)...).last()
			a := show(t, id)
			w := c.want
			if len(a) != 1 || a[0].Kind != w.Kind || a[0].Council != w.Council || a[0].Name != w.Name || a[0].Parent != w.Parent ||
				!bytes.Equal(a[0].Member, w.Member) || a[0].Project != w.Project || a[0].Amount != w.Amount {
				t.Fatalf("actions %+v, want %+v", a, w)
			}
		})
	}
	before := alice.ok(t, "status", "--json").stdout
	create := func(args ...string) []string { return append([]string{"proposal", "create", "--title", "x"}, args...) }
	refuses(t, alice, []cliCase{
		{"rename without a name", create("--method", "consent", "--rename", bakery), 2, "want COUNCIL_ID=NEW_NAME"},
		{"reparent without a parent", create("--method", "consent", "--reparent", bakery+"="), 2, "want COUNCIL_ID=NEW_PARENT_ID"},
		{"dissolve the root", create("--method", "consent", "--dissolve", "root"), 1, "the root council is the society"},
		{"reparent under itself", create("--method", "consent", "--reparent", bakery+"="+bakery), 1, "moves under another council"},
		{"admit a stranger's ID", create("--method", "consent", "--council", bakery, "--admit", "nobody"), 2, `--admit "nobody" is not a member ID`},
		{"admit to the root", create("--method", "consent", "--admit", bobID), 1, "every member is in the root council already"},
		{"fund an unknown project", create("--method", "budget-mes", "--options", "oven,van", "--costs", "oven=20,van=30",
			"--budget", "40", "--fund", "mill="+bobID), 2, `--fund names "mill"`},
		{"fund without a member", create("--method", "budget-mes", "--options", "oven,van", "--costs", "oven=20,van=30",
			"--budget", "40", "--fund", "van"), 2, "want PROJECT=MEMBER_ID[:MINUTES]"},
		{"fund on a yes/no", create("--method", "consent", "--options", "", "--fund", "van="+bobID), 2, `--fund names "van"`},
	})
	if after := alice.ok(t, "status", "--json").stdout; after != before {
		t.Fatal("refused proposals changed the state")
	}
}
