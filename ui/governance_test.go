package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

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
	ben := addMemberAt(t, u, "Ben", &testClock{t: time.Date(2026, 5, 1, 9, 1, 0, 0, time.UTC)})
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
