package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/ipfs/go-cid"
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
		if len(d.Actions) != 1 || d.Actions[0].Outcome != ActionDone || d.Actions[0].Action.Name != "Bakery" {
			t.Fatalf("what the actions did: %+v", d.Actions)
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
	// Who may vote is the ledger's electorate: Carol, not Alice.
	for _, c := range []struct {
		who            *peer
		mayVote, voted bool
	}{{carol, true, true}, {alice, false, false}} {
		ps, err := c.who.ProposalList(ProposalsRequest{Society: w.soc, Council: bakery})
		if err != nil || len(ps) != 1 || ps[0].MayVote != c.mayVote || ps[0].Voted != c.voted {
			t.Fatalf("%s's list: %+v %v, want may vote %v, voted %v", c.who.name, ps, err, c.mayVote, c.voted)
		}
	}
	res, err := carol.ProposalRecount(ProposalIDRequest{Society: w.soc, ID: q.ID})
	if err != nil || res.Electorate != 1 || len(res.Ballots) != 1 || res.Ballots[0].Voter != w.id("Carol") {
		t.Fatalf("recount: %+v %v", res, err)
	}
}

// TestAutoClose: a peer closes by itself, once, every proposal whose close
// time plus grace has passed; an offline member's vote counts through its
// own close within the grace; a peer writes no close once the result is
// final; every peer then shows the same final result.
func TestAutoClose(t *testing.T) {
	w := newContribWorld(t)
	alice, bob, carol := w.ps["Alice"], w.ps["Bob"], w.ps["Carol"]
	const grace = time.Minute
	closes := w.clock.now().Add(time.Hour)
	p, err := alice.ProposalCreate(ProposalRequest{Society: w.soc, Title: "Paint the shed", Method: governance.MethodYesNo,
		Closes: uint64(closes.UnixMilli()), Rule: governance.Rule{GraceMillis: uint64(grace.Milliseconds()),
			Quorum: tally.Frac{Num: 1, Den: 2}, Threshold: tally.Frac{Num: 1, Den: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	w.sync(t)
	for _, v := range []*peer{alice, bob, carol} {
		if _, err := v.Vote(VoteRequest{Society: w.soc, ID: p.ID, Choice: "yes"}); err != nil {
			t.Fatal(err)
		}
	}
	// Carol is offline: her vote stays on her device; Alice and Bob sync.
	syncAll(t, w.soc, alice, bob)
	closeDue := func(v *peer, want int) {
		t.Helper()
		n, next, err := v.closeDue()
		if err != nil || n != want {
			t.Fatalf("%s closeDue wrote %d closes (%v), want %d", v.name, n, err, want)
		}
		if dueAt := closes.Add(grace); n == 0 && w.clock.now().Before(dueAt) && !next.Equal(dueAt) {
			t.Fatalf("%s: next due %v, want %v", v.name, next, dueAt)
		}
	}
	for _, v := range w.all {
		closeDue(v, 0) // not yet due
	}
	if d, err := alice.ProposalShow(ProposalIDRequest{Society: w.soc, ID: p.ID}); err != nil || d.Info.Grace != "1m0s" ||
		d.Info.ClosableFrom != fmtHLC(crdt.MakeHLC(uint64(closes.Add(grace).UnixMilli()), 0)) || d.Info.FinalAt != "" {
		t.Fatalf("show before the close: %+v %v", d, err)
	}

	w.clock.advance(time.Hour + grace + time.Second)
	closeDue(alice, 1)
	closeDue(alice, 0) // once per proposal
	alice.closeDone = nil
	closeDue(alice, 0) // and per device: a restarted peer sees its own close
	if _, err := alice.ProposalClose(ProposalIDRequest{Society: w.soc, ID: p.ID}); err == nil || !strings.Contains(err.Error(), "already closed") {
		t.Fatalf("a second close by hand: %v", err)
	}
	closeDue(carol, 1) // Carol, back within the grace, closes with her vote
	w.sync(t)
	w.clock.advance(grace)
	closeDue(bob, 0) // final: Bob's close would not count
	var first []byte
	for _, v := range w.all {
		d, err := v.ProposalShow(ProposalIDRequest{Society: w.soc, ID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if d.Info.Status != governance.StatusFinal || d.Info.Provisional || d.Info.Ballots != 3 || d.Info.ClosedBy != 2 || d.Info.FinalAt == "" || !d.Info.Passed {
			t.Fatalf("%s shows %+v", v.name, d.Info)
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if string(b) != string(first) {
			t.Fatalf("%s shows another result:\n%s\n%s", v.name, b, first)
		}
	}
}

// TestCloseRetry: a close the node refused to write is tried again on the
// next pass, and once written is not written again.
func TestCloseRetry(t *testing.T) {
	w := newContribWorld(t)
	alice := w.ps["Alice"]
	const grace = time.Minute
	p, err := alice.ProposalCreate(ProposalRequest{Society: w.soc, Title: "Fix the gate", Method: governance.MethodConsent,
		Closes: uint64(w.clock.now().Add(time.Hour).UnixMilli()), Rule: governance.Rule{GraceMillis: uint64(grace.Milliseconds())}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.Vote(VoteRequest{Society: w.soc, ID: p.ID, Choice: "consent"}); err != nil {
		t.Fatal(err)
	}
	w.clock.advance(time.Hour + grace + time.Second)
	refuse := func(cid.Cid, cid.Cid) error {
		return fmt.Errorf("%w: this device is not allowed to write yet", ledger.ErrNotAllowed)
	}
	for i, pass := range []struct {
		refused bool
		wrote   int
		closes  int
	}{
		{refused: true, wrote: 0, closes: 0},
		{refused: true, wrote: 0, closes: 0},
		{refused: false, wrote: 1, closes: 1},
		{refused: false, wrote: 0, closes: 1},
	} {
		alice.closeWrite = nil
		if pass.refused {
			alice.closeWrite = refuse
		}
		n, _, err := alice.closeDue()
		if n != pass.wrote || (err != nil) != pass.refused {
			t.Fatalf("pass %d: wrote %d closes (%v), want %d", i, n, err, pass.wrote)
		}
		if pass.refused && !errors.Is(err, ledger.ErrNotAllowed) {
			t.Fatalf("pass %d: %v, want the refusal", i, err)
		}
		d, err := alice.ProposalShow(ProposalIDRequest{Society: w.soc, ID: p.ID})
		if err != nil || d.Info.ClosedBy != pass.closes {
			t.Fatalf("pass %d: %d closes counted (%v), want %d", i, d.Info.ClosedBy, err, pass.closes)
		}
	}
}

// TestCloseLoop: peers running their network close a proposal by
// themselves once it is due by their clock: here, when records arrive
// after the clock passed the close time plus grace.
func TestCloseLoop(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	p, err := alice.ProposalCreate(ProposalRequest{Society: soc, Title: "Open on Sundays", Method: governance.MethodConsent,
		Closes: uint64(clock.now().Add(time.Hour).UnixMilli()), Rule: governance.Rule{GraceMillis: 60_000}})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, alice, bob)
	for _, v := range ps {
		if _, err := v.Vote(VoteRequest{Society: soc, ID: p.ID, Choice: "consent"}); err != nil {
			t.Fatal(err)
		}
	}
	syncAll(t, soc, alice, bob)
	mn := mockNetwork(t, ps...)
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	closedBy := func(v *peer) int {
		d, err := v.ProposalShow(ProposalIDRequest{Society: soc, ID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		return d.Info.ClosedBy
	}
	if closedBy(alice)+closedBy(bob) != 0 {
		t.Fatal("closed before its time")
	}
	clock.advance(time.Hour + 2*time.Minute)
	if err := bob.SetProfile(ProfileRequest{Society: soc, Bio: ptr("bakes on Sundays")}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, func() string { return fmt.Sprintf("closes: Alice %d, Bob %d", closedBy(alice), closedBy(bob)) },
		func() bool { return closedBy(alice) == 2 && closedBy(bob) == 2 })
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

// TestDelegations: each member sees the delegations in effect that they
// gave and received, with names and times, as delegations are given,
// replaced and revoked; a bad council is refused.
func TestDelegations(t *testing.T) {
	w := newContribWorld(t)
	alice, bob, carol := w.ps["Alice"], w.ps["Bob"], w.ps["Carol"]
	show := func(p *peer) (given, received string) {
		t.Helper()
		d, err := p.Delegations(DelegationsRequest{Society: w.soc})
		if err != nil {
			t.Fatal(err)
		}
		line := func(ds []DelegationInfo) string {
			var out []string
			for _, x := range ds {
				if x.Council != governance.Root || x.CouncilName == "" || x.Since == "" || x.ID == "" || x.From != w.id(x.FromName) || x.To != w.id(x.ToName) {
					t.Fatalf("delegation %+v", x)
				}
				out = append(out, x.FromName+">"+x.ToName+":"+x.Topic)
			}
			return strings.Join(out, " ")
		}
		return line(d.Given), line(d.Received)
	}
	for _, c := range []struct {
		name        string
		do          func() error
		who         *peer
		given, recv string
	}{
		{"none yet", func() error { return nil }, bob, "", ""},
		{"Carol to Bob", func() error { return carol.Delegate(DelegateRequest{Society: w.soc, To: "Bob"}) }, bob, "", "Carol>Bob:"},
		{"Carol sees hers", func() error { return nil }, carol, "Carol>Bob:", ""},
		{"Carol's parks to Alice", func() error { return carol.Delegate(DelegateRequest{Society: w.soc, To: "Alice", Topic: "parks"}) },
			carol, "Carol>Bob: Carol>Alice:parks", ""},
		{"Bob to Carol", func() error { return bob.Delegate(DelegateRequest{Society: w.soc, To: "Carol"}) },
			carol, "Carol>Bob: Carol>Alice:parks", "Bob>Carol:"},
		{"Carol revokes parks", func() error { return carol.Undelegate(DelegateRequest{Society: w.soc, Topic: "parks"}) },
			carol, "Carol>Bob:", "Bob>Carol:"},
		{"Alice received nothing now", func() error { return nil }, alice, "", ""},
		{"Carol revokes all", func() error { return carol.Undelegate(DelegateRequest{Society: w.soc}) }, bob, "Bob>Carol:", ""},
	} {
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		w.sync(t)
		if g, r := show(c.who); g != c.given || r != c.recv {
			t.Fatalf("%s: %s sees given %q received %q, want %q and %q", c.name, c.who.name, g, r, c.given, c.recv)
		}
	}
	if _, err := bob.Delegations(DelegationsRequest{Society: w.soc, Council: "bafyfoo/0"}); err == nil || !strings.Contains(err.Error(), "no council") {
		t.Fatalf("an unknown council: %v", err)
	}
}
