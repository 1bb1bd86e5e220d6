package all_test

import (
	"reflect"
	"testing"

	"github.com/commons-society/commons/crdt"
	gov "github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// cacheCase is a society where the founder voted yes and Bob no on p
// (Carol has not voted), with a second open proposal q.
type cacheCase struct {
	*govFixture
	p, q    cid.Cid
	bobPrev cid.Cid // Bob's head before his vote
	bobSeq  uint64  // and its seq
}

// fresh counts p from the views alone, with nothing cached and every
// ballot counted by the method's function (gov.Recount).
func (c *cacheCase) fresh(t *testing.T, st *crdt.Store) *gov.Result {
	t.Helper()
	var res *gov.Result
	if err := st.View(c.s.soc, func(r *crdt.Reader) error {
		var err error
		res, err = gov.Recount(r, c.p, c.ms())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return res
}

// countIn counts p now in st, which holds records of c's society.
func (c *cacheCase) countIn(t *testing.T, st *crdt.Store) *gov.Result {
	t.Helper()
	f := *c.fixture
	f.st = st
	return (&govFixture{&bankFixture{fixture: &f, carol: c.carol}}).count(t, c.p, c.ms())
}

// yesNoCase proposes p and q (yes/no): the founder votes yes and Bob no on
// p.
func yesNoCase(t *testing.T, c *cacheCase) {
	c.p = c.propose(t, c.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()})
	c.q = c.propose(t, c.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()})
	c.vote(t, c.founder, c.p, gov.Vote{Choice: "yes"})
	c.bobPrev, c.bobSeq = c.bob.head, c.bob.seq
	c.vote(t, c.bob, c.p, gov.Vote{Choice: "no"})
}

// quadratic is a quadratic ballot of n votes on option a (n² credits).
func quadratic(n int64) gov.Vote { return gov.Vote{Points: []tally.Point{{Option: "a", N: n}}} }

// quadraticCase proposes p and q (quadratic, sharing the default budget of
// 100 credits): Bob spends 81 on q, then votes 5 (25 credits) on p, which
// takes him past the budget and counts for nothing; the founder votes 2
// on p.
func quadraticCase(t *testing.T, c *cacheCase) {
	for _, x := range []*cid.Cid{&c.p, &c.q} {
		*x = c.propose(t, c.founder, gov.Proposal{Method: gov.MethodQuadratic, Options: opts("a", "b"), Rule: gov.Rule{Credits: 100}})
	}
	c.vote(t, c.founder, c.p, quadratic(2))
	c.vote(t, c.bob, c.q, quadratic(9))
	c.bobPrev, c.bobSeq = c.bob.head, c.bob.seq
	c.vote(t, c.bob, c.p, quadratic(5))
}

// reputationCase decides to weigh root votes by reputation (cap 3), with
// Bob's 30 hours of confirmed services, then proposes p and q (yes/no):
// the founder votes yes and Bob no on p.
func reputationCase(t *testing.T, c *cacheCase) {
	for _, d := range []*simDevice{c.carol, c.founder} {
		tx := c.do(t, c.bob, timebank.TypeTransfer, give(mkey(d), 15*60))
		c.do(t, d, timebank.TypeAnswer, confirm(tx, mkey(d)), tx)
	}
	w := c.propose(t, c.founder, gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{
		{Kind: gov.ActCouncilWeight, Weight: gov.WeightReputation, Cap: 3}}})
	v := c.vote(t, c.bob, w, gov.Vote{Choice: "consent"})
	c.closeAfter(t, c.bob, w, v)
	c.advance(gov.DefaultGraceMillis)
	yesNoCase(t, c)
	if res := c.count(t, c.p, c.ms()); res.YesNo.No != 3 {
		t.Fatalf("not weighed by reputation: %+v", res.YesNo)
	}
}

// methodBallots are, per voting method, a proposal and three ballots
// that differ.
var methodBallots = []struct {
	p       gov.Proposal
	ballots [3]gov.Vote
}{
	{gov.Proposal{Method: gov.MethodYesNo, Rule: majority()}, [3]gov.Vote{{Choice: "yes"}, {Choice: "no"}, {Choice: "abstain"}}},
	{gov.Proposal{Method: gov.MethodConsent}, [3]gov.Vote{{Choice: "consent"}, {Choice: "consent"}, {Choice: "object", Reason: "too soon"}}},
	{gov.Proposal{Method: gov.MethodConsensus}, [3]gov.Vote{{Choice: "agree"}, {Choice: "disagree"}, {Choice: "block", Reason: "no"}}},
	{gov.Proposal{Method: gov.MethodApproval, Options: opts("a", "b", "c")},
		[3]gov.Vote{{Approve: []string{"a", "b"}}, {Approve: []string{"b"}}, {Approve: []string{"c"}}}},
	{gov.Proposal{Method: gov.MethodScore, Options: opts("a", "b", "c"), Rule: gov.Rule{ScoreMax: 5}},
		[3]gov.Vote{{Points: []tally.Point{{Option: "a", N: 5}}}, {Points: []tally.Point{{Option: "b", N: 3}}}, {Points: []tally.Point{{Option: "c", N: 4}, {Option: "a", N: 1}}}}},
	{gov.Proposal{Method: gov.MethodDots, Options: opts("a", "b", "c"), Rule: gov.Rule{Dots: 3}},
		[3]gov.Vote{{Points: []tally.Point{{Option: "c", N: 3}}}, {Points: []tally.Point{{Option: "a", N: 2}, {Option: "c", N: 1}}}, {Points: []tally.Point{{Option: "b", N: 3}}}}},
	{gov.Proposal{Method: gov.MethodQuadratic, Options: opts("a", "b", "c"), Rule: gov.Rule{Credits: 100}},
		[3]gov.Vote{{Points: []tally.Point{{Option: "a", N: 3}}}, {Points: []tally.Point{{Option: "b", N: 2}, {Option: "c", N: -2}}}, {Points: []tally.Point{{Option: "c", N: 4}}}}},
	{gov.Proposal{Method: gov.MethodIRV, Options: opts("a", "b", "c")},
		[3]gov.Vote{{Rank: []string{"a"}}, {Rank: []string{"b", "a"}}, {Rank: []string{"c", "b"}}}},
	{gov.Proposal{Method: gov.MethodSTV, Options: opts("a", "b", "c"), Rule: gov.Rule{Seats: 2}},
		[3]gov.Vote{{Rank: []string{"a", "b"}}, {Rank: []string{"a", "c"}}, {Rank: []string{"c"}}}},
	{gov.Proposal{Method: gov.MethodSchulze, Options: opts("a", "b", "c")},
		[3]gov.Vote{{Rank: []string{"a", "b", "c"}}, {Rank: []string{"b", "a", "c"}}, {Rank: []string{"c", "b"}}}},
	{gov.Proposal{Method: gov.MethodBudgetMES, Options: []gov.Option{{Name: "a", Cost: 60}, {Name: "b", Cost: 30}, {Name: "c", Cost: 30}}, Rule: gov.Rule{Budget: 90}},
		[3]gov.Vote{{Approve: []string{"a", "b"}}, {Approve: []string{"a", "c"}}, {Approve: []string{"c"}}}},
	{gov.Proposal{Method: gov.MethodBudgetGreedy, Options: []gov.Option{{Name: "a", Cost: 60}, {Name: "b", Cost: 50}, {Name: "c", Cost: 30}}, Rule: gov.Rule{Budget: 90}},
		[3]gov.Vote{{Approve: []string{"a", "b"}}, {Approve: []string{"b"}}, {Approve: []string{"c", "a"}}}},
}

// methodCases are, for every voting method, the changes a count cache
// follows: votes and delegations, given, changed, moved and revoked,
// each from a society where the founder and Bob voted on p (Carol has
// not) and q is another open proposal of the method.
func methodCases() []cacheChange {
	var out []cacheChange
	for _, mb := range methodBallots {
		m := mb.p.Method
		setup := func(t *testing.T, c *cacheCase) {
			c.p = c.propose(t, c.founder, mb.p)
			c.q = c.propose(t, c.founder, mb.p)
			c.vote(t, c.founder, c.p, mb.ballots[0])
			c.bobPrev, c.bobSeq = c.bob.head, c.bob.seq
			c.vote(t, c.bob, c.p, mb.ballots[1])
		}
		to := func(d *simDevice) gov.Delegation { return gov.Delegation{Council: gov.Root, To: memberKey(d.member)} }
		delegate := func(t *testing.T, c *cacheCase, dl gov.Delegation) {
			c.exact(t, c.carol, gov.TypeDelegate, dl)
		}
		followed := func(t *testing.T, c *cacheCase) { c.count(t, c.p, c.ms()) } // the cache follows what came before
		out = append(out,
			cacheChange{m + ": a new vote", setup, func(t *testing.T, c *cacheCase) {
				c.vote(t, c.carol, c.p, mb.ballots[2])
			}, true},
			cacheChange{m + ": a changed vote", setup, func(t *testing.T, c *cacheCase) {
				c.vote(t, c.bob, c.p, mb.ballots[2])
			}, true},
			cacheChange{m + ": a vote on another proposal", setup, func(t *testing.T, c *cacheCase) {
				c.vote(t, c.carol, c.q, mb.ballots[2])
			}, false},
			cacheChange{m + ": a delegation", setup, func(t *testing.T, c *cacheCase) {
				delegate(t, c, to(c.bob))
			}, true},
			cacheChange{m + ": a delegation moved", setup, func(t *testing.T, c *cacheCase) {
				delegate(t, c, to(c.bob))
				followed(t, c)
				delegate(t, c, to(c.founder))
			}, true},
			cacheChange{m + ": a delegation revoked", setup, func(t *testing.T, c *cacheCase) {
				delegate(t, c, to(c.bob))
				followed(t, c)
				delegate(t, c, gov.Delegation{Council: gov.Root})
			}, false}, // back to the count before the delegation
			cacheChange{m + ": a delegate's vote changed", setup, func(t *testing.T, c *cacheCase) {
				delegate(t, c, to(c.bob))
				followed(t, c)
				c.vote(t, c.bob, c.p, mb.ballots[2])
			}, true},
			cacheChange{m + ": a delegator voting", setup, func(t *testing.T, c *cacheCase) {
				delegate(t, c, to(c.bob))
				followed(t, c)
				c.vote(t, c.carol, c.p, mb.ballots[0])
			}, true},
			cacheChange{m + ": a delegation on a topic p has not", setup, func(t *testing.T, c *cacheCase) {
				delegate(t, c, gov.Delegation{Council: gov.Root, Topic: "parks", To: memberKey(c.bob.member)})
			}, false},
		)
	}
	return out
}

// cacheChange is a case of TestCountCacheNeverStale: a setup (yesNoCase
// when nil), a change, and whether the change changes p's result.
type cacheChange struct {
	name    string
	setup   func(t *testing.T, c *cacheCase)
	change  func(t *testing.T, c *cacheCase)
	changes bool
}

// TestCountCacheNeverStale: after each kind of change, a count that may use
// the count cache equals a count from the views with nothing cached, and
// the change did change the result where it should (so a stale result
// would be seen); for yes/no proposals, quadratic ones (whose budget
// spans proposals), votes weighed by reputation, and votes and
// delegations on a proposal of every method (methodCases). The count
// from the views is gov.Recount, which counts every ballot with the
// method's function, so this also checks the cache's running counts.
func TestCountCacheNeverStale(t *testing.T) {
	tests := []cacheChange{
		{"a new vote", nil, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.carol, c.p, gov.Vote{Choice: "yes"})
		}, true},
		{"a changed vote", nil, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.bob, c.p, gov.Vote{Choice: "yes"})
		}, true},
		{"a vote on another proposal", nil, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.carol, c.q, gov.Vote{Choice: "yes"})
		}, false},
		{"a delegation", nil, func(t *testing.T, c *cacheCase) {
			c.exact(t, c.carol, gov.TypeDelegate, gov.Delegation{Council: gov.Root, To: memberKey(c.founder.member)})
		}, true},
		{"a member leaves", nil, func(t *testing.T, c *cacheCase) {
			c.exact(t, c.bob, membership.TypeLeave, membership.Leave{Cutoffs: []membership.Cutoff{}})
		}, true},
		{"a voter renamed", nil, func(t *testing.T, c *cacheCase) {
			c.exact(t, c.bob, membership.TypeProfile, membership.Profile{Name: str("Robert")})
		}, true},
		{"a vote written before the last record, delivered after it", nil, func(t *testing.T, c *cacheCase) {
			v := gov.Vote{Proposal: crdt.Link{Cid: c.p}, Choice: "yes"}
			early, _ := emitExact(c.s, c.carol, gov.TypeVote, v, c.p, c.carol.member.admit)
			c.vote(t, c.founder, c.q, gov.Vote{Choice: "no"})
			c.count(t, c.p, c.ms()) // the cache follows the founder's vote
			if res, err := c.st.Ingest(c.s.soc, [][]byte{early}); err != nil || len(res.Applied) != 1 {
				t.Fatalf("ingest: %+v %v", res, err)
			}
		}, true},
		{"a vote forking the voter's chain", nil, func(t *testing.T, c *cacheCase) {
			v := gov.Vote{Proposal: crdt.Link{Cid: c.p}, Choice: "yes"}
			deps := []cid.Cid{c.p}
			raw, _ := c.s.sign(c.bob, gov.TypeVote, v, deps, c.bobSeq+1, c.bobPrev)
			if _, err := c.st.Ingest(c.s.soc, [][]byte{raw}); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"quadratic: a new vote", quadraticCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.carol, c.p, quadratic(3))
		}, true},
		{"quadratic: a vote on another proposal within the budget", quadraticCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.carol, c.q, quadratic(4))
		}, false},
		{"quadratic: credits spent elsewhere void a new vote", quadraticCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.carol, c.q, quadratic(8))
			c.vote(t, c.carol, c.p, quadratic(7))
		}, true},
		{"quadratic: credits freed elsewhere let a new vote count", quadraticCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.bob, c.q, quadratic(1))
			c.vote(t, c.bob, c.p, quadratic(5))
		}, true},
		{"quadratic: credits freed elsewhere leave the void vote void", quadraticCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.bob, c.q, quadratic(1))
		}, false},
		{"quadratic: a changed vote within the budget", quadraticCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.founder, c.p, quadratic(-4))
		}, true},
		{"reputation: a new vote", reputationCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.carol, c.p, gov.Vote{Choice: "yes"})
		}, true},
		{"reputation: a changed vote", reputationCase, func(t *testing.T, c *cacheCase) {
			c.vote(t, c.bob, c.p, gov.Vote{Choice: "yes"})
		}, true},
		{"reputation: a voter's work confirmed", reputationCase, func(t *testing.T, c *cacheCase) {
			tx := c.do(t, c.founder, timebank.TypeTransfer, give(mkey(c.carol), 15*60))
			c.do(t, c.carol, timebank.TypeAnswer, confirm(tx, mkey(c.carol)), tx)
		}, true},
	}
	for _, tc := range append(tests, methodCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			c := &cacheCase{govFixture: newGovFixture(t)}
			if tc.setup == nil {
				tc.setup = yesNoCase
			}
			tc.setup(t, c)
			before := c.fresh(t, c.st)
			if got := c.count(t, c.p, c.ms()); !reflect.DeepEqual(got, before) {
				t.Fatalf("a second count differs:\n%+v\n%+v", got, before)
			}
			tc.change(t, c)
			got := c.count(t, c.p, c.ms())
			want := c.fresh(t, c.st)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("count after the change:\n%+v\nfrom the views:\n%+v", got, want)
			}
			if changed := !reflect.DeepEqual(want, before); changed != tc.changes {
				t.Fatalf("the change changed the result: %v, want %v\nbefore %+v\nafter  %+v", changed, tc.changes, before, want)
			}
		})
	}
}

// TestCountCacheStores: the cache is shared by every store of the process,
// and a store holding other records of the same society gets its own
// count, never another store's.
func TestCountCacheStores(t *testing.T) {
	c := &cacheCase{govFixture: newGovFixture(t)}
	c.p = c.propose(t, c.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()})
	without := len(c.s.raws)
	c.vote(t, c.founder, c.p, gov.Vote{Choice: "yes"})
	other := openStore(t)
	if res, err := other.Ingest(c.s.soc, c.s.raws[:without]); err != nil || len(res.Rejected) > 0 {
		t.Fatalf("ingest: %+v %v", res, err)
	}
	gov.ForgetCounts()
	for _, st := range []struct {
		name    string
		store   *crdt.Store
		ballots int
	}{{"with the vote", c.st, 1}, {"without it", other, 0}, {"with it again", c.st, 1}, {"without it again", other, 0}} {
		if res := c.countIn(t, st.store); len(res.Ballots) != st.ballots {
			t.Fatalf("%s: %d ballots, want %d", st.name, len(res.Ballots), st.ballots)
		}
	}
}
