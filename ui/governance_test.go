package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// govOf returns u's governance screen, shown, with the proposal form's
// clock fixed at the test clock's start and times in UTC.
func govOf(t *testing.T, u *UI) *govScreen {
	t.Helper()
	utcTimes(t)
	old := govNow
	govNow = func() time.Time { return time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { govNow = old })
	return shownScreen[*govScreen](t, u)
}

// putProposal fills the proposal form for a method and puts the proposal.
func putProposal(t *testing.T, u *UI, s *govScreen, title, method, options string, set func(f *govForm)) {
	t.Helper()
	s.tabs.SelectIndex(2)
	f := s.form
	f.title.SetText(title)
	f.method.SetSelected(govMethodName(method))
	f.options.SetText(options)
	if set != nil {
		set(f)
	}
	test.Tap(f.send)
	u.Wait()
}

// castVote taps Vote and returns the problem shown next to the ballot.
func castVote(u *UI, s *govScreen) string {
	test.Tap(s.vote)
	u.Wait()
	return s.ballotMsg.problem()
}

// proposalsOf lists the society's proposals through the API.
func proposalsOf(t *testing.T, u *UI) []node.ProposalInfo {
	t.Helper()
	ps, err := u.api().ProposalList(node.ProposalsRequest{Society: u.Society()})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestGovernanceVoteChangesResult(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	// Ben's clock is a minute ahead of Ann's, so that he votes after her
	// proposal opens.
	ben := addMemberAt(t, u, "Ben", &testClock{t: time.Date(2026, 5, 1, 9, 5, 0, 0, time.UTC)})
	s := govOf(t, u)
	if !hasText(s.list, "No proposals in this council yet") {
		t.Fatalf("empty list: %q", texts(s.list))
	}
	if got := s.delegTo.Options; len(got) != 1 || got[0] != "Ben" {
		t.Fatalf("delegation choices %q", got)
	}

	// A form with problems says so next to each field and puts nothing.
	putProposal(t, u, s, "", node.MethodYesNo, "", func(f *govForm) { f.quorum.SetText("half") })
	if p := s.form.fTitle.problem(); !strings.Contains(p, "Say what is to be decided") {
		t.Errorf("title problem %q", p)
	}
	if p := s.form.fQuorum.problem(); !strings.Contains(p, "not a fraction") {
		t.Errorf("quorum problem %q", p)
	}
	if ps := proposalsOf(t, u); len(ps) != 0 {
		t.Fatalf("a proposal was put from a bad form: %+v", ps)
	}

	putProposal(t, u, s, "Paint the hall green", node.MethodYesNo, "", func(f *govForm) { f.quorum.SetText("50%") })
	ps := proposalsOf(t, u)
	if len(ps) != 1 || ps[0].Title != "Paint the hall green" || ps[0].Method != node.MethodYesNo || ps[0].Status != node.ProposalOpen {
		t.Fatalf("proposals %+v", ps)
	}
	if s.tabs.SelectedIndex() != 1 || s.detailHead.Text != "Paint the hall green" {
		t.Fatalf("the new proposal is not shown: tab %d, %q", s.tabs.SelectedIndex(), s.detailHead.Text)
	}
	if !hasText(s.resultBox, "Result: provisional") || !hasText(s.resultBox, "0 ballots counted; 2 members may vote") {
		t.Fatalf("result before voting: %q", texts(s.resultBox))
	}
	if !hasText(s.list, "Paint the hall green") || !hasText(s.list, "0 of 2 voted") {
		t.Fatalf("list: %q", texts(s.list))
	}

	// Voting without an answer is refused next to the ballot.
	if p := castVote(u, s); !strings.Contains(p, "Choose your answer") {
		t.Fatalf("ballot problem %q", p)
	}
	s.ballot.choice.SetSelected("Yes")
	if p := castVote(u, s); p != "" {
		t.Fatalf("ballot problem after voting %q", p)
	}
	if !hasText(s.resultBox, "1 ballots counted; 2 members may vote") {
		t.Fatalf("result after voting: %q", texts(s.resultBox))
	}
	if d, err := u.api().ProposalShow(node.ProposalIDRequest{Society: u.Society(), ID: ps[0].ID}); err != nil || d.Result.YesNo.Yes != 1 {
		t.Fatalf("count after voting %+v, %v", d, err)
	}

	// Ben votes no on his peer; the result shown follows.
	ben.sync(t, u)
	if _, err := ben.api.Vote(node.VoteRequest{Society: u.Society(), ID: ps[0].ID, Choice: "no"}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	if !hasText(s.resultBox, "2 ballots counted; 2 members may vote") || !hasText(s.resultBox, "It does not pass") {
		t.Fatalf("result after Ben's vote: %q", texts(s.resultBox))
	}
}

func TestGovernanceQuadraticOverBudgetWritesNothing(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := govOf(t, u)
	putProposal(t, u, s, "Where do we plant", node.MethodQuadratic, "Oaks\nApples\nHazels", func(f *govForm) { f.credits.SetText("9") })
	ps := proposalsOf(t, u)
	if len(ps) != 1 || s.ballot == nil || s.ballot.plus == nil {
		t.Fatalf("proposals %+v, ballot %+v", ps, s.ballot)
	}
	b := s.ballot
	for range 3 {
		test.Tap(b.plus["Oaks"])
	}
	test.Tap(b.plus["Apples"])
	if !strings.Contains(b.left.Text, "cost 10 of your 9 credits") {
		t.Fatalf("running cost %q", b.left.Text)
	}
	if p := castVote(u, s); !strings.Contains(p, "cost 10 credits; you have 9") {
		t.Fatalf("ballot problem %q", p)
	}
	if n := proposalsOf(t, u)[0].Ballots; n != 0 {
		t.Fatalf("%d ballots after an over-budget vote", n)
	}

	// Taking a vote back brings it within budget: it counts.
	test.Tap(b.minus["Apples"])
	if p := castVote(u, s); p != "" {
		t.Fatalf("ballot problem %q", p)
	}
	d, err := u.api().ProposalShow(node.ProposalIDRequest{Society: u.Society(), ID: ps[0].ID})
	if err != nil || len(d.Result.Ballots) != 1 || d.Result.Points.Counts[0].Option != "Oaks" || d.Result.Points.Counts[0].Votes != 3 {
		t.Fatalf("count %+v, %v", d, err)
	}
	if !hasText(s.resultBox, "Oaks") || !hasText(s.resultBox, "Chosen: Oaks") {
		t.Fatalf("result %q", texts(s.resultBox))
	}
}

func TestHomeWaitingVotes(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	soc := u.Society()
	home := shownScreen[*homeScreen](t, u)
	if !hasText(home.votesBox, "Nothing waits for your vote") {
		t.Fatalf("votes before any proposal: %q", texts(home.votesBox))
	}
	closes := uint64(time.Date(2026, 5, 8, 9, 0, 0, 0, time.UTC).UnixMilli())
	info, err := u.api().ProposalCreate(node.ProposalRequest{Society: soc, Title: "Open the shed on Sundays",
		Method: node.MethodConsent, Closes: closes})
	if err != nil {
		t.Fatal(err)
	}
	u.refreshAll()
	u.Wait()
	open := button(t, home.votesBox, "Open the shed on Sundays")
	if !hasText(home.votesBox, "Consent · closes 2026-05-08") {
		t.Fatalf("votes: %q", texts(home.votesBox))
	}

	// Tapping it opens it on the governance screen, where the vote is cast.
	test.Tap(open)
	u.Wait()
	s := shownScreen[*govScreen](t, u)
	if u.Tabs().Selected().Text != "Governance" || s.tabs.SelectedIndex() != 1 || s.detail == nil || s.detail.Info.ID != info.ID {
		t.Fatalf("tab %q, inner tab %d, detail %+v", u.Tabs().Selected().Text, s.tabs.SelectedIndex(), s.detail)
	}
	s.ballot.choice.SetSelected("I object")
	if p := castVote(u, s); !strings.Contains(p, "needs a reason") {
		t.Fatalf("objection without a reason: %q", p)
	}
	s.ballot.reason.SetText("The neighbours sleep late")
	if p := castVote(u, s); p != "" {
		t.Fatalf("ballot problem %q", p)
	}
	if !hasText(s.resultBox, "Objections stand from: Ann") || !hasText(s.resultBox, "It does not pass") {
		t.Fatalf("result %q", texts(s.resultBox))
	}
	if !hasText(home.votesBox, "Nothing waits for your vote") {
		t.Fatalf("votes after voting: %q", texts(home.votesBox))
	}
}

// TestGovBallots: each method's ballot reads what the member did into the
// vote the node takes, or says what is wrong before anything is sent.
func TestGovBallots(t *testing.T) {
	test.NewTempApp(t)
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	opts := []node.ProposalOption{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	projects := []node.ProposalOption{{Name: "a", Cost: 30}, {Name: "b", Cost: 50}, {Name: "c", Cost: 20}}
	for _, c := range []struct {
		name    string
		p       node.ProposalBody
		prev    *node.Ballot
		do      func(b *govBallot)
		want    string // the vote, printed
		problem string
		shown   string // a text the ballot shows after do
	}{
		{name: "yes/no", p: node.ProposalBody{Method: node.MethodYesNo}, do: func(b *govBallot) { b.choice.SetSelected("Abstain") },
			want: "choice=abstain"},
		{name: "yes/no unanswered", p: node.ProposalBody{Method: node.MethodYesNo}, do: func(*govBallot) {}, problem: "Choose your answer"},
		{name: "yes/no prefilled", p: node.ProposalBody{Method: node.MethodYesNo}, prev: &node.Ballot{Choice: "no"}, do: func(*govBallot) {},
			want: "choice=no"},
		{name: "consent", p: node.ProposalBody{Method: node.MethodConsent}, do: func(b *govBallot) { b.choice.SetSelected("I consent") },
			want: "choice=consent"},
		{name: "objection without reason", p: node.ProposalBody{Method: node.MethodConsent},
			do: func(b *govBallot) { b.choice.SetSelected("I object") }, problem: "needs a reason"},
		{name: "block with reason", p: node.ProposalBody{Method: node.MethodConsensus}, do: func(b *govBallot) {
			b.choice.SetSelected("Block")
			b.reason.SetText(" too loud ")
		}, want: "choice=block reason=too loud"},
		{name: "approval", p: node.ProposalBody{Method: node.MethodApproval, Options: opts},
			do: func(b *govBallot) { b.checks.SetSelected([]string{"a", "c"}) }, want: "approve=[a c]"},
		{name: "budget", p: node.ProposalBody{Method: node.MethodBudgetMES, Options: projects, Rule: node.ProposalRule{Budget: 60}},
			do:   func(b *govBallot) { b.checks.SetSelected([]string{"a (costs 30)", "b (costs 50)"}) },
			want: "approve=[a b]", shown: "The projects you approve cost 80; the budget is 60."},
		{name: "score", p: node.ProposalBody{Method: node.MethodScore, Options: opts, Rule: node.ProposalRule{ScoreMax: 5}},
			do: func(b *govBallot) {
				b.sliders["a"].SetValue(5)
				b.sliders["c"].SetValue(2)
			}, want: "points=[{a 5} {c 2}]"},
		{name: "dots", p: node.ProposalBody{Method: node.MethodDots, Options: opts, Rule: node.ProposalRule{Dots: 3}},
			do: func(b *govBallot) {
				test.Tap(b.plus["b"])
				test.Tap(b.plus["b"])
			}, want: "points=[{b 2}]", shown: "1 of 3 dots left."},
		{name: "dots over", p: node.ProposalBody{Method: node.MethodDots, Options: opts, Rule: node.ProposalRule{Dots: 1}},
			do: func(b *govBallot) {
				test.Tap(b.plus["a"])
				test.Tap(b.plus["b"])
			}, problem: "You gave 2 dots; you have 1"},
		{name: "quadratic against", p: node.ProposalBody{Method: node.MethodQuadratic, Options: opts, Rule: node.ProposalRule{Credits: 9}},
			do: func(b *govBallot) {
				test.Tap(b.minus["c"])
				test.Tap(b.minus["c"])
				test.Tap(b.plus["a"])
			}, want: "points=[{a 1} {c -2}]", shown: "These votes cost 5 of your 9 credits"},
		{name: "ranking", p: node.ProposalBody{Method: node.MethodSchulze, Options: opts},
			do: func(b *govBallot) {
				b.move(2, -1) // c above b
				b.move(1, -1) // c above a
			}, want: "rank=[c a b]"},
		{name: "ranking kept", p: node.ProposalBody{Method: node.MethodIRV, Options: opts}, prev: &node.Ballot{Rank: []string{"b"}},
			do: func(b *govBallot) { b.move(0, -1) }, want: "rank=[b a c]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newGovBallot(&c.p, c.prev, nil)
			c.do(b)
			req, err := b.request()
			if c.problem != "" {
				if err == nil || !strings.Contains(err.Error(), c.problem) {
					t.Fatalf("problem %v, want %q", err, c.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if req.Choice != "" {
				got = append(got, "choice="+req.Choice)
			}
			if req.Reason != "" {
				got = append(got, "reason="+req.Reason)
			}
			if req.Approve != nil {
				got = append(got, fmt.Sprintf("approve=%v", req.Approve))
			}
			if req.Points != nil {
				got = append(got, fmt.Sprintf("points=%v", req.Points))
			}
			if req.Rank != nil {
				got = append(got, fmt.Sprintf("rank=%v", req.Rank))
			}
			if s := strings.Join(got, " "); s != c.want {
				t.Errorf("vote %q, want %q", s, c.want)
			}
			if c.shown != "" && !hasText(b.obj, c.shown) {
				t.Errorf("the ballot shows %q, want %q", texts(b.obj), c.shown)
			}
		})
	}
}

// TestGovernanceMarkup renders the proposals, a ranked proposal with its
// rounds, and the proposal form.
func TestGovernanceMarkup(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMemberAt(t, u, "Ben", &testClock{t: time.Date(2026, 5, 1, 9, 5, 0, 0, time.UTC)})
	utcTimes(t)
	soc := u.Society()
	closes := uint64(time.Date(2026, 5, 8, 18, 0, 0, 0, time.UTC).UnixMilli())
	if _, err := u.api().ProposalCreate(node.ProposalRequest{Society: soc, Title: "Paint the hall green", Method: node.MethodYesNo,
		Rule:   node.ProposalRule{Quorum: node.Fraction{Num: 1, Den: 2}, Threshold: node.Fraction{Num: 2, Den: 3}, Inclusive: true},
		Closes: closes}); err != nil {
		t.Fatal(err)
	}
	p, err := u.api().ProposalCreate(node.ProposalRequest{Society: soc, Title: "Which tool first?", Method: node.MethodIRV, Topic: "tools",
		Text: "The tool library buys one tool this month.", Closes: closes,
		Options: []node.ProposalOption{{Name: "Lawn mower"}, {Name: "Drill"}, {Name: "Ladder"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.api().Vote(node.VoteRequest{Society: soc, ID: p.ID, Rank: []string{"Ladder", "Drill"}}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	if _, err := ben.api.Vote(node.VoteRequest{Society: soc, ID: p.ID, Rank: []string{"Drill", "Lawn mower"}}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)

	solo := newGovernance(u).(*govScreen)
	w := soloWindow(t, solo.tab().Content)
	old := govNow
	govNow = func() time.Time { return time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { govNow = old })
	solo.refresh()
	u.Wait()
	test.AssertRendersToMarkup(t, "governance.xml", w.Canvas())
	solo.open(p.ID)
	u.Wait()
	if !hasText(solo.resultBox, "Round 2") || !hasText(solo.resultBox, "Chosen: Drill") {
		t.Fatalf("result %q", texts(solo.resultBox))
	}
	test.AssertRendersToMarkup(t, "governance_proposal.xml", w.Canvas())
	solo.tabs.SelectIndex(2)
	solo.form.method.SetSelected(govMethodName(node.MethodBudgetMES))
	test.AssertRendersToMarkup(t, "governance_form.xml", w.Canvas())
	// A consent proposal paying Ben 2 hours.
	solo.form.method.SetSelected(govMethodName(node.MethodConsent))
	solo.form.actions.pick.SetSelected(govActionName(node.ActSpend))
	pay := solo.form.actions.list[0]
	pay.selects[0].SetSelected("Ben")
	pay.entries[0].SetText("2")
	test.AssertRendersToMarkup(t, "governance_form_actions.xml", w.Canvas())

	// The delegation tab: mine on tools to Ben, and Ben's to me.
	if err := u.api().Delegate(node.DelegateRequest{Society: soc, To: "Ben", Topic: "tools"}); err != nil {
		t.Fatal(err)
	}
	if err := ben.api.Delegate(node.DelegateRequest{Society: soc, To: "Ann"}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	solo.refresh()
	u.Wait()
	solo.tabs.SelectIndex(3)
	test.AssertRendersToMarkup(t, "governance_delegation.xml", w.Canvas())
}

// TestGovernanceDemo: the demo society's councils show as a tree, its
// proposals with their outcomes, a final instant-runoff with its rounds,
// and the home lists what waits for Ann's vote.
func TestGovernanceDemo(t *testing.T) {
	u := demoUI(t)
	home := shownScreen[*homeScreen](t, u)
	for _, title := range []string{"Open the tool shed on Sunday mornings", "Where should the new trees go?",
		"What should the workers' council take on this month?"} {
		button(t, home.votesBox, title)
	}
	if hasText(home.votesBox, "Rate the new Saturday breads") || hasText(home.votesBox, "Elect the street committee") {
		t.Fatalf("votes waiting: %q", texts(home.votesBox))
	}
	s := shownScreen[*govScreen](t, u)
	if kids := s.children[node.RootCouncil]; len(kids) != 2 {
		t.Fatalf("councils under the society: %v", kids)
	}
	for _, want := range []string{"Consent · final · passed", "Yes / no · final · not passed", "Budget (equal shares) · final · chosen: Seeds, Compost bins",
		"Single transferable vote · scheduled"} {
		if !hasText(s.list, want) {
			t.Errorf("no %q in the list: %q", want, texts(s.list))
		}
	}
	workers := s.children[node.RootCouncil][0]
	if s.councilLine(workers) != "Workers' council · workers · open" {
		t.Fatalf("first council %q", s.councilLine(workers))
	}
	s.tree.Select(workers)
	u.Wait()
	if !hasText(s.about, "5 members") || !hasText(s.about, "You are a member") || !s.join.Hidden || s.leave.Hidden {
		t.Fatalf("council: %q, join hidden %v, leave hidden %v", s.about.Text, s.join.Hidden, s.leave.Hidden)
	}
	// Ann leaves the workers' council and joins it again.
	test.Tap(s.leave)
	u.Wait()
	if !hasText(s.about, "4 members") || s.join.Hidden || !s.leave.Hidden {
		t.Fatalf("after leaving: %q, join hidden %v", s.about.Text, s.join.Hidden)
	}
	test.Tap(s.join)
	u.Wait()
	if !hasText(s.about, "5 members") || !hasText(s.about, "You are a member") {
		t.Fatalf("after joining again: %q", s.about.Text)
	}

	// Delegation in the council: a member must be chosen; then given and
	// revoked.
	s.tabs.SelectIndex(3)
	test.Tap(button(t, s.tabs.Selected().Content, "Delegate"))
	u.Wait()
	if p := s.delegMsg.problem(); !strings.Contains(p, "Choose the member") {
		t.Fatalf("delegation problem %q", p)
	}
	s.delegTo.SetSelected("Ben")
	s.delegTopic.SetText("tools")
	test.Tap(button(t, s.tabs.Selected().Content, "Delegate"))
	u.Wait()
	if p := s.delegMsg.problem(); p != "" || s.delegDone.Text != "Ben now votes for you in this council on tools." {
		t.Fatalf("delegated: problem %q, %q", p, s.delegDone.Text)
	}
	test.Tap(button(t, s.tabs.Selected().Content, "Undelegate"))
	u.Wait()
	if p := s.delegMsg.problem(); p != "" || !strings.Contains(s.delegDone.Text, "revoked") {
		t.Fatalf("undelegated: problem %q, %q", p, s.delegDone.Text)
	}
	s.tabs.SelectIndex(0)

	test.Tap(button(t, s.list, "Which tool does the tool library buy first?"))
	u.Wait()
	for _, want := range []string{"Result: final", "Round 3", "eliminated: Pressure washer", "Chosen: Lawn mower"} {
		if !hasText(s.resultBox, want) {
			t.Errorf("no %q in the result: %q", want, texts(s.resultBox))
		}
	}
	if !hasText(s.ballotBox, "Voting is not open") || !s.vote.Hidden {
		t.Errorf("a ballot for a final proposal: %q", texts(s.ballotBox))
	}
	s.tree.Select(node.RootCouncil)
	u.Wait()
	test.Tap(button(t, s.list, "Hold the street party on Sundays"))
	u.Wait()
	for _, want := range []string{"Ann carried 1 delegated votes", "It does not pass", "The quorum is reached"} {
		if !hasText(s.resultBox, want) {
			t.Errorf("no %q in the result: %q", want, texts(s.resultBox))
		}
	}
}

// TestGovernanceCouncilNames: in a 360 dp phone window, a council whose
// line is longer than the tree is wide is cut with an ellipsis in the
// tree (nothing past the window), and the council's card shows the whole
// line, wrapped, once it is chosen.
func TestGovernanceCouncilNames(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	w := u.Window()
	w.Resize(fyne.NewSize(360, 640))
	if !u.ShowPhone("governance") {
		t.Fatal("no governance on the phone")
	}
	u.Wait()
	s := u.screens[4].(*govScreen)
	workers := s.children[node.RootCouncil][0]
	c := s.councils[workers]
	c.Name = "The neighbourhood's gardens, orchards, allotments and seed library council"
	s.councils[workers] = c
	s.tree.OpenBranch(node.RootCouncil)
	s.tree.Refresh()
	full := s.councilLine(workers)
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject
	found := false
	each(s.tree, func(o fyne.CanvasObject) {
		l, ok := o.(*widget.Label)
		if !ok || !l.Visible() || l.Text == "" {
			return
		}
		if l.Truncation != fyne.TextTruncateEllipsis {
			t.Errorf("tree line %q is not ellipsized", l.Text)
		}
		if end := abs(l).X + l.Size().Width; end > 360.5 || l.MinSize().Width > l.Size().Width+0.5 {
			t.Errorf("tree line %q ends at %.0f (width %.0f, minimum %.0f)", l.Text, end, l.Size().Width, l.MinSize().Width)
		}
		if l.Text == full {
			found = true
			if fyne.MeasureText(full, theme.TextSize(), l.TextStyle).Width <= l.Size().Width {
				t.Fatalf("the long line fits the tree (%.0f dp): the test shows nothing", l.Size().Width)
			}
		}
	})
	if !found {
		t.Fatalf("no tree line %q", full)
	}
	s.showCouncil(c, "")
	u.Wait()
	if s.councilCard.Text != full || !s.councilCard.Visible() || s.councilCard.Wrapping != fyne.TextWrapWord {
		t.Fatalf("the council's card shows %q, want %q wrapped", s.councilCard.Text, full)
	}
	for _, o := range windowOverflows(w) {
		t.Error(o)
	}
}
