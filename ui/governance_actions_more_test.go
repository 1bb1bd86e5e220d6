package ui

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/commons-society/commons/node"
)

// TestGovernanceCouncilActions: in the demo society, each council action
// the form offers (move a sub-council, admit a member to an invitation
// council, voice credits, vote weight) and a budget's project payment,
// once attached, writes a proposal carrying exactly that action and
// shows what it will do; a bad value shows under the action and writes
// nothing.
func TestGovernanceCouncilActions(t *testing.T) {
	u := demoUI(t)
	utcTimes(t)
	s := shownScreen[*govScreen](t, u)
	ids := map[string]string{}
	for id, c := range s.councils {
		ids[c.Name] = id
	}
	workers, consumers := ids[node.DemoWorkersCouncil], ids[node.DemoConsumersCouncil]
	if workers == "" || consumers == "" {
		t.Fatalf("demo councils %v", ids)
	}
	// member is a member of the demo outside the invitation council, to
	// admit and pay; inside one who is in it.
	var member, memberID, inside string
	invited := consumers
	for label, id := range s.delegIDs {
		if !slices.Contains(s.councils[invited].Members, id) {
			if member == "" || label < member {
				member, memberID = label, id
			}
		} else if inside == "" || label < inside {
			inside = label
		}
	}
	if member == "" || inside == "" {
		t.Fatalf("the consumers' council holds %q of %v", s.councils[invited].Members, s.delegIDs)
	}
	memberKey, err := node.MemberKey(memberID)
	if err != nil {
		t.Fatal(err)
	}
	// inCouncil selects a council; an invitation council is made so on
	// the screen only, as the demo has none (the ledger takes an
	// admission to any council other than the root).
	inCouncil := func(id string, invitation bool) {
		s.tree.Select(id)
		u.Wait()
		if invitation {
			c := s.councils[id]
			c.Membership = node.MembershipInvitation
			s.councils[id] = c
		}
		s.form.actions.clear()
	}
	for _, c := range []struct {
		name, council, method, options string
		invitation                     bool
		kind                           string
		fill                           func(x *govAction)
		want                           node.ProposalAction // Kind empty: nothing may be written
		shown, problem                 string
	}{
		{name: "move a sub-council", council: node.RootCouncil, method: node.MethodConsent, kind: node.ActCouncilReparent,
			fill: func(x *govAction) {
				x.selects[0].SetSelected(node.DemoWorkersCouncil)
				x.selects[1].SetSelected(node.DemoConsumersCouncil)
			}, want: node.ProposalAction{Kind: node.ActCouncilReparent, Council: workers, Parent: consumers},
			shown: "Move the council " + node.DemoWorkersCouncil + " under " + node.DemoConsumersCouncil},
		{name: "move a council under itself", council: node.RootCouncil, method: node.MethodConsent, kind: node.ActCouncilReparent,
			fill: func(x *govAction) {
				x.selects[0].SetSelected(node.DemoWorkersCouncil)
				x.selects[1].SetSelected(node.DemoWorkersCouncil)
			}, problem: "A council cannot move under itself or one of its own sub-councils."},
		{name: "move a council where it is", council: node.RootCouncil, method: node.MethodConsent, kind: node.ActCouncilReparent,
			fill: func(x *govAction) {
				x.selects[0].SetSelected(node.DemoWorkersCouncil)
				x.selects[1].SetSelected("The society")
			}, problem: "The council is already there"},
		{name: "move no council", council: node.RootCouncil, method: node.MethodConsent, kind: node.ActCouncilReparent,
			fill: func(x *govAction) { x.selects[1].SetSelected(node.DemoConsumersCouncil) }, problem: "Choose the sub-council."},
		{name: "admit a member", council: invited, invitation: true, method: node.MethodYesNo, kind: node.ActCouncilAdmit,
			fill: func(x *govAction) { x.selects[0].SetSelected(member) },
			want: node.ProposalAction{Kind: node.ActCouncilAdmit, Member: memberKey}, shown: "Admit " + member + " to this council"},
		{name: "admit nobody", council: invited, invitation: true, method: node.MethodYesNo, kind: node.ActCouncilAdmit,
			fill: func(*govAction) {}, problem: "Choose the member."},
		{name: "admit a member already in", council: invited, invitation: true, method: node.MethodYesNo, kind: node.ActCouncilAdmit,
			fill: func(x *govAction) { x.selects[0].SetSelected(inside) }, problem: inside + " is in this council already."},
		{name: "voice credits", council: consumers, method: node.MethodConsensus, kind: node.ActCouncilCredits,
			fill: func(x *govAction) { x.entries[0].SetText("250") },
			want: node.ProposalAction{Kind: node.ActCouncilCredits, Credits: 250}, shown: "Give each member 250 voice credits a month"},
		{name: "no voice credits", council: consumers, method: node.MethodConsensus, kind: node.ActCouncilCredits,
			fill: func(x *govAction) { x.entries[0].SetText("0") }, problem: "Give a whole number from 1 to 10000."},
		{name: "fractional voice credits", council: consumers, method: node.MethodConsensus, kind: node.ActCouncilCredits,
			fill: func(x *govAction) { x.entries[0].SetText("2.5") }, problem: `"2.5" is not a whole number`},
		{name: "equal weight", council: node.RootCouncil, method: node.MethodConsent, kind: node.ActCouncilWeight,
			fill: func(*govAction) {}, want: node.ProposalAction{Kind: node.ActCouncilWeight, Weight: node.WeightEqual},
			shown: "Weigh each member's vote equally"},
		{name: "reputation weight", council: workers, method: node.MethodConsent, kind: node.ActCouncilWeight,
			fill:  func(x *govAction) { x.selects[0].SetSelectedIndex(1); x.entries[0].SetText("3") },
			want:  node.ProposalAction{Kind: node.ActCouncilWeight, Weight: node.WeightReputation, Cap: 3},
			shown: "Weigh votes by reputation, at most 3 a member"},
		{name: "reputation weight without a cap", council: workers, method: node.MethodConsent, kind: node.ActCouncilWeight,
			fill: func(x *govAction) { x.selects[0].SetSelectedIndex(1) }, problem: "Give a whole number from 1 to 100."},
		{name: "equal weight with a cap", council: workers, method: node.MethodConsent, kind: node.ActCouncilWeight,
			fill: func(x *govAction) { x.entries[0].SetText("3") }, problem: "One member, one vote has no cap"},
		{name: "pay for a project", council: node.RootCouncil, method: node.MethodBudgetMES, options: "Benches = 20\nMural = 30",
			kind: govFund, fill: func(x *govAction) {
				x.selects[0].SetSelected(member)
				x.selects[1].SetSelected("Mural")
			}, want: node.ProposalAction{Kind: node.ActSpend, Member: memberKey, Amount: 30, Project: "Mural"},
			shown: "for the project Mural"},
		{name: "pay for a project, some hours", council: node.RootCouncil, method: node.MethodBudgetGreedy,
			options: "Benches = 20\nMural = 30", kind: govFund, fill: func(x *govAction) {
				x.selects[0].SetSelected(member)
				x.selects[1].SetSelected("Benches")
				x.entries[0].SetText("0.25")
			}, want: node.ProposalAction{Kind: node.ActSpend, Member: memberKey, Amount: 15, Project: "Benches"},
			shown: "for the project Benches"},
		{name: "pay for a project, more than the community account holds", council: node.RootCouncil, method: node.MethodBudgetMES,
			options: "Benches = 20\nMural = 300", kind: govFund, fill: func(x *govAction) {
				x.selects[0].SetSelected(member)
				x.selects[1].SetSelected("Mural")
			}, problem: "The community account cannot pay 5 h"},
		{name: "pay for no project", council: node.RootCouncil, method: node.MethodBudgetMES, options: "Benches = 20\nMural = 30",
			kind: govFund, fill: func(x *govAction) { x.selects[0].SetSelected(member) },
			problem: "Choose one of the projects listed under Options."},
		{name: "pay for a project no longer listed", council: node.RootCouncil, method: node.MethodBudgetMES,
			options: "Benches = 20\nMural = 30", kind: govFund, fill: func(x *govAction) {
				x.selects[0].SetSelected(member)
				x.selects[1].SetSelected("Mural")
				s.form.options.SetText("Benches = 20\nTrees = 10")
			}, problem: "Choose one of the projects listed under Options."},
	} {
		t.Run(c.name, func(t *testing.T) {
			inCouncil(c.council, c.invitation)
			before := len(proposalsOf(t, u))
			putProposal(t, u, s, "Decide: "+c.name, c.method, c.options, func(f *govForm) {
				f.budget.SetText("400")
				if _, ok := f.actions.kinds[govActionName(c.kind)]; !ok {
					t.Fatalf("%s not offered: %q", c.kind, f.actions.pick.Options)
				}
				f.actions.pick.SetSelected(govActionName(c.kind))
				c.fill(f.actions.list[0])
			})
			ps := proposalsOf(t, u)
			if c.want.Kind == "" {
				if len(ps) != before {
					t.Fatalf("a proposal was written: %+v", ps[0])
				}
				if got := s.form.actions.list[0].field.problem(); !strings.Contains(got, c.problem) {
					t.Fatalf("problem %q, want %q", got, c.problem)
				}
				return
			}
			if len(ps) != before+1 {
				t.Fatalf("no proposal written: send %q, action %q", s.form.fSend.problem(), s.form.actions.list[0].field.problem())
			}
			if s.detail == nil || len(s.detail.Proposal.Actions) != 1 {
				t.Fatalf("detail %+v", s.detail)
			}
			a := s.detail.Proposal.Actions[0]
			w := c.want
			if a.Kind != w.Kind || a.Council != w.Council || a.Parent != w.Parent || !bytes.Equal(a.Member, w.Member) ||
				a.Credits != w.Credits || a.Weight != w.Weight || a.Cap != w.Cap || a.Amount != w.Amount || a.Project != w.Project {
				t.Fatalf("action %+v, want %+v", a, w)
			}
			if !strings.Contains(s.detailInfo.Text, c.shown) {
				t.Fatalf("detail %q, want %q", s.detailInfo.Text, c.shown)
			}
		})
	}
}

// TestGovernanceActionsOfferedBy: which actions the form offers follows
// the council (root-only actions, admission for invitation councils,
// sub-council actions when there are sub-councils) and the method (a
// budget pays for its projects only; one credits and one weight change).
func TestGovernanceActionsOfferedBy(t *testing.T) {
	u := demoUI(t)
	s := shownScreen[*govScreen](t, u)
	var workers string
	for id, c := range s.councils {
		if c.Name == node.DemoWorkersCouncil {
			workers = id
		}
	}
	for _, c := range []struct {
		name, council, method string
		attach                string
		want                  []string
	}{
		{"root, consent", node.RootCouncil, node.MethodConsent, "", []string{node.ActSettings, node.ActRemoveMember, node.ActSpend,
			node.ActCouncilCreate, node.ActCouncilRename, node.ActCouncilReparent, node.ActCouncilDissolve, node.ActCouncilCredits,
			node.ActCouncilWeight}},
		{"root, one weight change", node.RootCouncil, node.MethodYesNo, node.ActCouncilWeight, []string{node.ActSettings,
			node.ActRemoveMember, node.ActSpend, node.ActCouncilCreate, node.ActCouncilRename, node.ActCouncilReparent,
			node.ActCouncilDissolve, node.ActCouncilCredits}},
		{"root, budget", node.RootCouncil, node.MethodBudgetMES, "", []string{govFund}},
		{"open sub-council", workers, node.MethodConsensus, "", []string{node.ActCouncilCreate, node.ActCouncilCredits,
			node.ActCouncilWeight}},
		{"sub-council, budget", workers, node.MethodBudgetGreedy, "", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.tree.Select(c.council)
			u.Wait()
			s.tabs.SelectIndex(2)
			f := s.form
			f.method.SetSelected(govMethodName(c.method))
			f.actions.clear()
			if c.attach != "" {
				f.actions.pick.SetSelected(govActionName(c.attach))
			}
			var want []string
			for _, k := range c.want {
				want = append(want, govActionName(k))
			}
			if strings.Join(f.actions.pick.Options, "|") != strings.Join(want, "|") {
				t.Fatalf("offered %q, want %q", f.actions.pick.Options, want)
			}
		})
	}
}
