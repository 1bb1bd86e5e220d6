package ui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/commons-society/commons/node"
)

// TestGovernanceProposalActions: actions attached in the proposal form
// are written with the proposal; a problem is shown under its action
// (found on the device, or the node's refusal naming the action) and
// writes nothing.
func TestGovernanceProposalActions(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMemberAt(t, u, "Ben", &testClock{t: time.Date(2026, 5, 1, 9, 5, 0, 0, time.UTC)})
	benKey, err := node.MemberKey(ben.id)
	if err != nil {
		t.Fatal(err)
	}
	s := govOf(t, u)
	// attach adds an action through the picker and returns its editor.
	attach := func(t *testing.T, kind string) *govAction {
		t.Helper()
		a := s.form.actions
		a.pick.SetSelected(govActionName(kind))
		return a.list[len(a.list)-1]
	}
	for _, c := range []struct {
		name string
		fill func(t *testing.T) []*govAction
		// want checks the actions written; problems are the problems
		// shown under the editors returned by fill ("" for none), when
		// nothing may be written.
		want     func(t *testing.T, d *node.ProposalDetail)
		problems []string
	}{
		{name: "settings", fill: func(t *testing.T) []*govAction {
			x := attach(t, node.ActSettings)
			x.entries[0].SetText("-30")
			return []*govAction{x}
		}, want: func(t *testing.T, d *node.ProposalDetail) {
			a := d.Proposal.Actions
			if len(a) != 1 || a[0].Kind != node.ActSettings || a[0].Settings == nil || a[0].Settings.MinBalance != -30*60 ||
				a[0].Settings.MaxBalance != s.settings.MaxBalance || a[0].Settings.HalfLifeDays != s.settings.HalfLifeDays {
				t.Fatalf("actions %+v", a)
			}
			if !hasText(s.detailInfo, "If it passes:") || !hasText(s.detailInfo, "Set balances from -30 h to") {
				t.Fatalf("detail %q", s.detailInfo.Text)
			}
		}},
		{name: "settings out of range", fill: func(t *testing.T) []*govAction {
			x := attach(t, node.ActSettings)
			x.entries[0].SetText("5")
			return []*govAction{x}
		}, problems: []string{"The lowest balance is a number of hours from -1000 h to 0."}},
		{name: "settings unchanged", fill: func(t *testing.T) []*govAction {
			return []*govAction{attach(t, node.ActSettings)}
		}, problems: []string{"Give at least one new setting."}},
		{name: "remove a member", fill: func(t *testing.T) []*govAction {
			x := attach(t, node.ActRemoveMember)
			x.selects[0].SetSelected("Ben")
			return []*govAction{x}
		}, want: func(t *testing.T, d *node.ProposalDetail) {
			a := d.Proposal.Actions
			if len(a) != 1 || a[0].Kind != node.ActRemoveMember || !bytes.Equal(a[0].Member, benKey) {
				t.Fatalf("actions %+v", a)
			}
			if !hasText(s.detailInfo, "Remove Ben from the society") {
				t.Fatalf("detail %q", s.detailInfo.Text)
			}
		}},
		{name: "pay nobody", fill: func(t *testing.T) []*govAction {
			x := attach(t, node.ActSpend)
			x.entries[0].SetText("2")
			return []*govAction{x}
		}, problems: []string{"Choose the member."}},
		{name: "pay no hours", fill: func(t *testing.T) []*govAction {
			x := attach(t, node.ActSpend)
			x.selects[0].SetSelected("Ben")
			x.entries[0].SetText("two")
			return []*govAction{x}
		}, problems: []string{"Give the hours to pay"}},
		{name: "pay more than the community account holds", fill: func(t *testing.T) []*govAction {
			// The settings change comes first on screen but last for the
			// node: its refusal of the payment is under the payment.
			set := attach(t, node.ActSettings)
			set.entries[2].SetText("90")
			pay := attach(t, node.ActSpend)
			pay.selects[0].SetSelected("Ben")
			pay.entries[0].SetText("500")
			return []*govAction{set, pay}
		}, problems: []string{"", "The community account cannot pay 500 h"}},
		{name: "create a council", fill: func(t *testing.T) []*govAction {
			x := attach(t, node.ActCouncilCreate)
			x.entries[0].SetText("Bakery")
			x.selects[0].SetSelected(govKind(node.CouncilWorkers))
			x.selects[1].SetSelected(govRule(node.MembershipElection))
			x.entries[1].SetText("3")
			return []*govAction{x}
		}, want: func(t *testing.T, d *node.ProposalDetail) {
			a := d.Proposal.Actions
			if len(a) != 1 || a[0].Kind != node.ActCouncilCreate || a[0].Name != "Bakery" || a[0].CKind != node.CouncilWorkers ||
				a[0].Membership != node.MembershipElection || a[0].Seats != 3 {
				t.Fatalf("actions %+v", a)
			}
		}},
		{name: "an elected council without seats", fill: func(t *testing.T) []*govAction {
			x := attach(t, node.ActCouncilCreate)
			x.entries[0].SetText("Bakery")
			x.selects[1].SetSelected(govRule(node.MembershipElection))
			return []*govAction{x}
		}, problems: []string{"Give a whole number from 1 to 64."}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(proposalsOf(t, u))
			putProposal(t, u, s, "Decide "+c.name, node.MethodConsent, "", func(*govForm) {
				s.form.actions.clear()
				xs := c.fill(t)
				if c.problems != nil && len(xs) != len(c.problems) {
					t.Fatalf("%d editors for %d problems", len(xs), len(c.problems))
				}
			})
			ps := proposalsOf(t, u)
			if c.problems != nil {
				if len(ps) != before {
					t.Fatalf("a proposal was written: %+v", ps[0])
				}
				for i, want := range c.problems {
					got := s.form.actions.list[i].field.problem()
					if want == "" && got != "" || !strings.Contains(got, want) {
						t.Errorf("problem under action %d: %q, want %q", i+1, got, want)
					}
				}
				return
			}
			if len(ps) != before+1 {
				t.Fatalf("no proposal written: send %q", s.form.fSend.problem())
			}
			if len(s.form.actions.list) != 0 {
				t.Fatalf("the form keeps %d actions after the proposal is put", len(s.form.actions.list))
			}
			d, err := u.api().ProposalShow(node.ProposalIDRequest{Society: u.Society(), ID: ps[0].ID})
			if err != nil {
				t.Fatal(err)
			}
			c.want(t, d)
		})
	}
}

// TestGovernanceActionsOffered: the root council offers every action; a
// proposal with options carries none.
func TestGovernanceActionsOffered(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := govOf(t, u)
	s.tabs.SelectIndex(2)
	f := s.form
	f.method.SetSelected(govMethodName(node.MethodConsent))
	if got := len(f.actions.pick.Options); got != 6 { // no sub-council to rename, move or dissolve yet
		t.Fatalf("actions offered %q", f.actions.pick.Options)
	}
	f.actions.pick.SetSelected(govActionName(node.ActSettings))
	for _, o := range f.actions.pick.Options {
		if o == govActionName(node.ActSettings) {
			t.Fatalf("a second settings change is offered: %q", f.actions.pick.Options)
		}
	}
	for _, c := range []struct {
		method string
		shown  bool
	}{{node.MethodYesNo, true}, {node.MethodConsensus, true}, {node.MethodApproval, false}, {node.MethodIRV, false}} {
		f.method.SetSelected(govMethodName(c.method))
		if f.actions.view.Visible() != c.shown {
			t.Errorf("%s: actions shown %v, want %v", c.method, f.actions.view.Visible(), c.shown)
		}
	}
	test.Tap(f.send) // the approval form's problems; its actions are not read
	u.Wait()
	if f.actions.list[0].field.problem() != "" {
		t.Fatalf("the hidden action was checked: %q", f.actions.list[0].field.problem())
	}
}

// TestGovernanceDelegationShown: the Delegation tab shows my delegations
// in the council (every topic and per topic, to whom, since when) and who
// gives me their vote; revoking one from the screen changes what is
// shown.
func TestGovernanceDelegationShown(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMemberAt(t, u, "Ben", &testClock{t: time.Date(2026, 5, 1, 9, 5, 0, 0, time.UTC)})
	s := govOf(t, u)
	s.tabs.SelectIndex(3)
	revoke := func(t *testing.T, line string) {
		t.Helper()
		for _, o := range s.delegGiven.Objects {
			if hasText(o, line) {
				test.Tap(button(t, o, "Revoke"))
				u.Wait()
				return
			}
		}
		t.Fatalf("no delegation %q: %q", line, texts(s.delegGiven))
	}
	give := func(topic string) func(t *testing.T) {
		return func(t *testing.T) {
			s.delegTo.SetSelected("Ben")
			s.delegTopic.SetText(topic)
			test.Tap(button(t, s.tabs.Selected().Content, "Delegate"))
			u.Wait()
		}
	}
	for _, c := range []struct {
		name           string
		do             func(t *testing.T)
		given          []string
		received       string
		revokedMessage string
	}{
		{"nothing yet", func(*testing.T) {}, []string{"You vote for yourself in this council"}, "Nobody gives you their vote", ""},
		{"every topic to Ben", give(""), []string{"Every topic: Ben votes for you, since 2026-05-01 09:"}, "Nobody", ""},
		{"tools to Ben", give("tools"), []string{"Every topic: Ben votes for you", "Topic tools: Ben votes for you, since 2026-05-01 09:"}, "Nobody", ""},
		{"Ben gives me his vote", func(t *testing.T) {
			ben.sync(t, u)
			if err := ben.api.Delegate(node.DelegateRequest{Society: u.Society(), To: "Ann", Topic: "parks"}); err != nil {
				t.Fatal(err)
			}
			ben.sync(t, u)
		}, []string{"Every topic: Ben", "Topic tools: Ben"}, "Topic parks: Ben, since 2026-05-01 09:", ""},
		{"revoke tools", func(t *testing.T) { revoke(t, "Topic tools") }, []string{"Every topic: Ben votes for you"}, "Topic parks: Ben",
			"Your delegation on tools is revoked."},
		{"revoke every topic", func(t *testing.T) { revoke(t, "Every topic") }, []string{"You vote for yourself in this council"},
			"Topic parks: Ben", "Your delegation is revoked: you vote for yourself."},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.do(t)
			if p := s.delegMsg.problem(); p != "" {
				t.Fatalf("problem %q", p)
			}
			if len(s.delegGiven.Objects) != len(c.given) {
				t.Fatalf("given %q, want %q", texts(s.delegGiven), c.given)
			}
			for i, want := range c.given {
				if !hasText(s.delegGiven.Objects[i], want) {
					t.Errorf("given line %d %q, want %q", i+1, texts(s.delegGiven.Objects[i]), want)
				}
			}
			if !hasText(s.delegReceived, c.received) {
				t.Errorf("received %q, want %q", texts(s.delegReceived), c.received)
			}
			if c.revokedMessage != "" && s.delegDone.Text != c.revokedMessage {
				t.Errorf("message %q, want %q", s.delegDone.Text, c.revokedMessage)
			}
		})
	}
	// What the screen shows is what the node counts.
	d, err := u.api().Delegations(node.DelegationsRequest{Society: u.Society(), Council: node.RootCouncil})
	if err != nil || len(d.Given) != 0 || len(d.Received) != 1 || d.Received[0].From != ben.id {
		t.Fatalf("delegations %+v %v", d, err)
	}
}

// TestGovernanceDemoDetails: in the demo, a proposal shows when it closes,
// when peers close it, its grace and when it is final ("provisional"
// until then); a final passed proposal shows what its actions did; and
// the home's waiting votes follow the ledger's electorate: a member who
// left a council after a proposal opened still votes on it.
func TestGovernanceDemoDetails(t *testing.T) {
	u := demoUI(t)
	utcTimes(t)
	s := shownScreen[*govScreen](t, u)
	for _, c := range []struct {
		title string
		want  []string
	}{
		{"Set up a workers' council and a consumers' council", []string{"Final since", "the first close plus the grace of 24 h",
			"What it did:", `Create the council "Workers' council" (workers, members come in: open) — done`,
			`Create the council "Consumers' council" (consumers, members come in: open) — done`}},
		{"Open the tool shed on Sunday mornings", []string{"Opens 20", "closes 20", "Peers close it from", "a grace of 24 h",
			"provisional until then"}},
		{"Hold the street party on Sundays", []string{"Final since"}},
	} {
		s.tree.Select(node.RootCouncil)
		u.Wait()
		test.Tap(button(t, s.list, c.title))
		u.Wait()
		for _, want := range c.want {
			if !strings.Contains(s.detailInfo.Text, want) {
				t.Errorf("%s: no %q in %q", c.title, want, s.detailInfo.Text)
			}
		}
	}
	if strings.Contains(s.detailInfo.Text, "If it passes") || strings.Contains(s.detailInfo.Text, "What it did") {
		t.Errorf("actions shown for a proposal without any: %q", s.detailInfo.Text)
	}

	work := "What should the workers' council take on this month?"
	var workers string
	for _, id := range s.children[node.RootCouncil] {
		if s.councils[id].Name == node.DemoWorkersCouncil {
			workers = id
		}
	}

	// The root council renames or dissolves its sub-councils, picked by
	// name.
	for _, c := range []struct {
		kind, name string
	}{{node.ActCouncilRename, "Makers' council"}, {node.ActCouncilDissolve, ""}} {
		s.tree.Select(node.RootCouncil)
		u.Wait()
		putProposal(t, u, s, govActionName(c.kind), node.MethodConsent, "", func(f *govForm) {
			f.actions.pick.SetSelected(govActionName(c.kind))
			x := f.actions.list[0]
			x.selects[0].SetSelected(node.DemoWorkersCouncil)
			if c.name != "" {
				x.entries[0].SetText(c.name)
			}
		})
		if s.detail == nil || len(s.detail.Actions) != 1 {
			t.Fatalf("%s: detail %+v, send %q", c.kind, s.detail, s.form.fSend.problem())
		}
		if a := s.detail.Actions[0].Action; a.Kind != c.kind || a.Council != workers || a.Name != c.name {
			t.Fatalf("%s: action %+v", c.kind, a)
		}
		if !strings.Contains(s.detailInfo.Text, "the council "+node.DemoWorkersCouncil) {
			t.Fatalf("%s: detail %q", c.kind, s.detailInfo.Text)
		}
	}
	if err := u.api().CouncilLeave(node.CouncilRequest{Society: u.Society(), Council: workers}); err != nil {
		t.Fatal(err)
	}
	u.refreshAll()
	u.Wait()
	home := shownScreen[*homeScreen](t, u)
	test.Tap(button(t, home.votesBox, work))
	u.Wait()
	test.Tap(s.ballot.plus["Shared van"])
	if p := castVote(u, s); p != "" {
		t.Fatalf("Ann's vote, after leaving the council the proposal opened in: %q", p)
	}
	if hasText(home.votesBox, work) {
		t.Fatalf("still waiting after voting: %q", texts(home.votesBox))
	}
}
