package node

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance"
)

// advance moves the shared clock forward.
func (c *stepClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestGovernanceDecides: a consent proposal creating a council, voted on
// two peers, closed on a third after its close time and grace, becomes
// final and creates the council on every peer; only the council's
// members vote on its proposals; refused requests write nothing.
func TestGovernanceDecides(t *testing.T) {
	w := newContribWorld(t)
	alice, bob, carol := w.ps["Alice"], w.ps["Bob"], w.ps["Carol"]
	closes := uint64(w.clock.now().Add(time.Hour).UnixMilli())
	p, err := alice.ProposalCreate(ProposalRequest{Society: w.soc, Title: "A bakery council", Method: governance.MethodConsent,
		Closes: closes, Rule: governance.Rule{GraceMillis: 60_000},
		Actions: []governance.Action{{Kind: governance.ActCouncilCreate, Name: "Bakery", CKind: governance.KindWorkers, Membership: governance.RuleOpen}}})
	if err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	for _, v := range []*peer{alice, bob} {
		if _, err := v.Vote(VoteRequest{Society: w.soc, ID: p.ID, Choice: "consent"}); err != nil {
			t.Fatal(err)
		}
	}
	w.sync(t)
	bakery := p.ID + "/0"
	refused := func(what string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: %v, want an error containing %q", what, err, want)
		}
	}
	before := w.state(t, carol)
	_, err = carol.ProposalClose(ProposalIDRequest{Society: w.soc, ID: p.ID})
	refused("close before time", err, "can be closed from")
	refused("join before the decision", carol.CouncilJoin(CouncilRequest{Society: w.soc, Council: bakery}), "no council")
	refused("delegate to self", carol.Delegate(DelegateRequest{Society: w.soc, To: w.id("Carol")}), "yourself")
	_, err = carol.Vote(VoteRequest{Society: w.soc, ID: p.ID, Choice: "object"})
	refused("objection without reason", err, "needs a reason")
	if after := w.state(t, carol); after != before {
		t.Fatal("refused requests changed the state")
	}

	w.clock.advance(time.Hour + time.Minute)
	_, err = carol.Vote(VoteRequest{Society: w.soc, ID: p.ID, Choice: "consent"})
	refused("vote after close", err, "voting closed")
	info, err := carol.ProposalClose(ProposalIDRequest{Society: w.soc, ID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	if info.Status != governance.StatusClosing || !info.Provisional || info.Ballots != 2 || !info.Passed {
		t.Fatalf("after the close: %+v", info)
	}
	w.sync(t)
	w.clock.advance(2 * time.Minute)
	for _, x := range w.all {
		cs, err := x.CouncilList(SocietyRequest{Society: w.soc})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 || cs[1].ID != bakery || cs[1].Name != "Bakery" {
			t.Fatalf("councils: %+v", cs)
		}
		d, err := x.ProposalShow(ProposalIDRequest{Society: w.soc, ID: p.ID})
		if err != nil || d.Info.Status != governance.StatusFinal || d.Info.Provisional {
			t.Fatalf("show: %+v %v", d, err)
		}
	}
	if err := carol.CouncilJoin(CouncilRequest{Society: w.soc, Council: bakery}); err != nil {
		t.Fatal(err)
	}
	refused("join twice", carol.CouncilJoin(CouncilRequest{Society: w.soc, Council: bakery}), "already in")
	w.sync(t)
	_, err = carol.ProposalCreate(ProposalRequest{Society: w.soc, Council: bakery, Title: "Sourdough", Method: governance.MethodYesNo,
		Closes: uint64(w.clock.now().Add(time.Hour).UnixMilli())})
	refused("yes/no without threshold", err, "quorum and threshold")
	q, err := carol.ProposalCreate(ProposalRequest{Society: w.soc, Council: bakery, Title: "Sourdough", Method: governance.MethodConsent,
		Closes: uint64(w.clock.now().Add(time.Hour).UnixMilli())})
	if err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	if _, err := carol.Vote(VoteRequest{Society: w.soc, ID: q.ID, Choice: "consent"}); err != nil {
		t.Fatal(err)
	}
	_, err = alice.Vote(VoteRequest{Society: w.soc, ID: q.ID, Choice: "consent"})
	if err == nil || !errors.Is(err, ledger.ErrNotAllowed) || !strings.Contains(err.Error(), "electorate") {
		t.Fatalf("a vote from outside the council: %v", err)
	}
	res, err := carol.ProposalRecount(ProposalIDRequest{Society: w.soc, ID: q.ID})
	if err != nil || res.Electorate != 1 || len(res.Ballots) != 1 || res.Ballots[0].Voter != w.id("Carol") {
		t.Fatalf("recount: %+v %v", res, err)
	}
}

// TestGovernanceResultMemberIDs: a result names objectors and blockers by
// member ID, as it names voters.
func TestGovernanceResultMemberIDs(t *testing.T) {
	w := newContribWorld(t)
	alice, bob := w.ps["Alice"], w.ps["Bob"]
	closes := uint64(w.clock.now().Add(time.Hour).UnixMilli())
	for _, c := range []struct {
		method, choice string
		names          func(*governance.Result) []string
	}{
		{governance.MethodConsent, "object", func(r *governance.Result) []string { return r.Consent.Objectors }},
		{governance.MethodConsensus, "block", func(r *governance.Result) []string { return r.Consensus.Blockers }},
	} {
		p, err := alice.ProposalCreate(ProposalRequest{Society: w.soc, Title: "Close the garden at night", Method: c.method, Closes: closes})
		if err != nil {
			t.Fatal(err)
		}
		w.sync(t)
		if _, err := bob.Vote(VoteRequest{Society: w.soc, ID: p.ID, Choice: c.choice, Reason: "foxes"}); err != nil {
			t.Fatal(err)
		}
		w.sync(t)
		res, err := alice.ProposalRecount(ProposalIDRequest{Society: w.soc, ID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.names(res); len(got) != 1 || got[0] != w.id("Bob") {
			t.Errorf("%s: %v, want Bob's member ID %s", c.method, got, w.id("Bob"))
		}
	}
}
